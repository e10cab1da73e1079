package azurehttp

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	// MaxRetryAfter clamps a Retry-After: a larger value (or one too large
	// for a Duration, such as 9300000000) is read as this, which is past
	// any scrape's deadline, so the request gives up at once and says why.
	MaxRetryAfter = time.Hour
	// defaultRetryDelay is the base of the backoff when Azure sends no
	// Retry-After.
	defaultRetryDelay = 800 * time.Millisecond
	// maxBackoff caps one backoff wait.
	maxBackoff = 30 * time.Second
	// maxTriesWithoutDeadline bounds the tries of a request whose context
	// has no deadline, so that no loop is endless.
	maxTriesWithoutDeadline = 8
	// retryRoom is the time a try needs after its wait: a retry that
	// could only meet the deadline would trade Azure's answer for a bare
	// "deadline exceeded".
	retryRoom = 500 * time.Millisecond
)

// retryStatuses are the answers worth sending again: throttling (429) and
// the transient server errors Graph and Resource Manager document.
var retryStatuses = []int{
	http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
	http.StatusServiceUnavailable, http.StatusGatewayTimeout,
}

// Transient reports whether an answer with this status is to be sent again.
func Transient(status int) bool { return slices.Contains(retryStatuses, status) }

// RetryAfter reads a Retry-After value, in seconds or as an HTTP date,
// clamped to [0, MaxRetryAfter]. It is 0 when absent or unreadable, and
// the schedule backs off on its own.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if isDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter // too many digits for int64 is still "very long"
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), MaxRetryAfter)
	}
	return 0
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Schedule is the retry rule: how long before a transient answer is sent
// again, and when to give up.
type Schedule struct {
	// Delay is the base of the exponential backoff when no Retry-After
	// came; 0 means 800 ms.
	Delay time.Duration
}

// Wait says how long to wait before try number tries+1 of a request
// answered transiently, given the answer's Retry-After (0 for none). A
// request is retried as long as its deadline leaves room for the wait;
// when it does not (or leaves less than half a second for the try), Wait
// returns a GiveUpError saying why, and the answer stands at once.
func (s Schedule) Wait(ctx context.Context, tries int, retryAfter time.Duration) (time.Duration, error) {
	wait := retryAfter
	if wait <= 0 {
		wait = s.backoff(tries)
	}
	deadline, ok := ctx.Deadline()
	switch {
	case !ok && tries >= maxTriesWithoutDeadline:
		return 0, &GiveUpError{Tries: tries, Reason: fmt.Sprintf("%d tries and no deadline to bound more", tries)}
	case ok && time.Until(deadline) < wait+retryRoom:
		what := "backoff"
		if retryAfter > 0 {
			what = "Retry-After"
		}
		left := max(time.Until(deadline), 0).Round(time.Millisecond)
		return 0, &GiveUpError{Tries: tries, Reason: fmt.Sprintf("%s of %v leaves no time for another try before the deadline (%v left)", what, wait, left)}
	}
	return wait, nil
}

// backoff is Delay doubled per try, capped, with jitter over its upper
// half, so that requests throttled together do not come back together.
func (s Schedule) backoff(tries int) time.Duration {
	base := s.Delay
	if base <= 0 {
		base = defaultRetryDelay
	}
	d := min(base<<min(max(tries-1, 0), 16), maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// GiveUpError says why a transient answer was not sent again.
type GiveUpError struct {
	Tries  int
	Reason string
}

func (e *GiveUpError) Error() string {
	return fmt.Sprintf("gave up after %d tries: %s", e.Tries, e.Reason)
}

// Sleep waits d or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
