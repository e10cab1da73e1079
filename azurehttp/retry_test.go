package azurehttp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"7":                             7 * time.Second,
		" 7 ":                           7 * time.Second,
		"0":                             0,
		"-3":                            0,
		"soon":                          0,
		"1.5":                           0,
		"3600":                          time.Hour,
		"3601":                          MaxRetryAfter,
		"9300000000":                    MaxRetryAfter, // overflowed to a negative wait before
		"99999999999999999999999999":    MaxRetryAfter, // beyond int64
		"Wed, 01 Jan 2025 00:00:30 GMT": 30 * time.Second,
		"Tue, 31 Dec 2024 23:00:00 GMT": 0,
		"Fri, 01 Jan 2100 00:00:00 GMT": MaxRetryAfter,
	} {
		if got := RetryAfter(v, now); got != want {
			t.Errorf("RetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestTransient(t *testing.T) {
	for status, want := range map[int]bool{429: true, 500: true, 502: true, 503: true, 504: true, 400: false, 401: false, 404: false, 424: false, 501: false} {
		if Transient(status) != want {
			t.Errorf("Transient(%d) = %v", status, !want)
		}
	}
}

// A wait that ends past the deadline gives up now and says why; one that
// fits is taken however many tries came before.
func TestScheduleWaitsWithinTheDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := Schedule{Delay: time.Millisecond}
	if wait, err := s.Wait(ctx, 50, 2*time.Second); err != nil || wait != 2*time.Second {
		t.Errorf("try 50, Retry-After 2s: wait %v, err %v; want 2s", wait, err)
	}
	_, err := s.Wait(ctx, 1, MaxRetryAfter)
	var gu *GiveUpError
	if !errors.As(err, &gu) || !strings.Contains(err.Error(), "Retry-After of 1h0m0s leaves no time for another try before the deadline") {
		t.Errorf("err = %v, want a give-up naming the Retry-After", err)
	}
}

func TestScheduleBoundsTriesWithoutADeadline(t *testing.T) {
	s := Schedule{Delay: time.Millisecond}
	if _, err := s.Wait(context.Background(), maxTriesWithoutDeadline-1, 0); err != nil {
		t.Errorf("err = %v before the bound", err)
	}
	if _, err := s.Wait(context.Background(), maxTriesWithoutDeadline, 0); err == nil {
		t.Error("no give-up at the bound")
	}
}

// Backoff doubles per try within jitter, and is capped.
func TestBackoff(t *testing.T) {
	s := Schedule{Delay: 100 * time.Millisecond}
	for tries, base := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 40: maxBackoff} {
		for range 50 {
			if d := s.backoff(tries); d < base/2 || d > base {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", tries, d, base/2, base)
			}
		}
	}
}
