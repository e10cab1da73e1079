package graphsim

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"sync"
	"time"
)

// Faults are misbehaviours to inject. The zero value injects none.
type Faults struct {
	// ThrottleEvery makes every Nth Graph request answer 429 with code
	// "TooManyRequests". Requests are counted from 1 since the fault set was
	// installed or the stats were reset; all /beta requests count, token and
	// discovery requests do not. 0 disables throttling.
	ThrottleEvery int
	// RetryAfter is the Retry-After header of 429 answers and of 503 and 429
	// answers from StatusFor; "" omits the header.
	RetryAfter string
	// Latency is added before answering every Graph request. A request whose
	// context ends meanwhile gets no answer (its recorded Status is 0).
	Latency time.Duration
	// RejectFilter answers any $filter with 400 "Invalid filter clause", as
	// Graph does where filtering is unsupported.
	RejectFilter bool
	// OmitCount ignores $count=true, so @odata.count never appears. The
	// sessions/$count segment still works.
	OmitCount bool
	// StatusFor maps a workspace id to the HTTP status (400-599) to answer
	// every authenticated request on that workspace or below it with, even
	// if the workspace does not exist. Codes: 400 BadRequest, 401
	// InvalidAuthenticationToken, 403 Forbidden, 404 NotFound, 429
	// TooManyRequests, 500 UnknownError with an empty message (the known
	// failure of the sessions listing), 503 ServiceUnavailable; any other
	// status InternalServerError.
	StatusFor map[string]int
	// TokenError makes the token endpoint answer every request with 401
	// invalid_client. The value is the AADSTS prefix of error_description,
	// e.g. "AADSTS7000215"; a value that contains ": " is used as the whole
	// description instead.
	TokenError string
}

// faultState holds the installed faults and the count ThrottleEvery uses.
type faultState struct {
	mu     sync.Mutex
	faults Faults
	n      int
}

// SetFaults replaces the fault set atomically and restarts the
// ThrottleEvery count. It is safe while requests are being served.
func (s *Server) SetFaults(f Faults) {
	f.StatusFor = maps.Clone(f.StatusFor) // the caller may change its map afterwards
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.faults = f
	s.faults.n = 0
}

// current returns the installed faults. Their StatusFor map is never
// written after SetFaults, so sharing it is safe.
func (fs *faultState) current() Faults {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.faults
}

// nextGraphRequest counts a Graph request and says whether to throttle it.
func (fs *faultState) nextGraphRequest() (Faults, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.n++
	every := fs.faults.ThrottleEvery
	return fs.faults, every > 0 && fs.n%every == 0
}

func (fs *faultState) resetCount() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.n = 0
}

func throttledError(retryAfter string) *apiError {
	return &apiError{
		status:     http.StatusTooManyRequests,
		code:       "TooManyRequests",
		message:    "Too many requests have been sent. Retry after the period given in the Retry-After header.",
		retryAfter: retryAfter,
	}
}

// statusFault is the answer StatusFor asks for; nil when none applies.
func statusFault(f Faults, workspaceID string) *apiError {
	status, ok := f.StatusFor[workspaceID]
	if !ok || status < 400 || status > 599 {
		return nil
	}
	e := &apiError{status: status, code: "InternalServerError", message: fmt.Sprintf("Simulated failure %d for workspace '%s'.", status, workspaceID)}
	switch status {
	case http.StatusBadRequest:
		e.code = "BadRequest"
	case http.StatusUnauthorized:
		e.code = "InvalidAuthenticationToken"
	case http.StatusForbidden:
		e.code, e.message = "Forbidden", "Missing role permissions on the request. API requires one of 'SecurityCopilotWorkspaces.Read.All'."
	case http.StatusNotFound:
		e.code = "NotFound"
	case http.StatusTooManyRequests:
		return throttledError(f.RetryAfter)
	case http.StatusInternalServerError:
		e.code, e.message = "UnknownError", ""
	case http.StatusServiceUnavailable:
		e.code, e.message, e.retryAfter = "ServiceUnavailable", "The service is temporarily unavailable. Retry later.", f.RetryAfter
	}
	return e
}

// sleep waits for d unless ctx ends first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("latency interrupted: %w", context.Cause(ctx))
	case <-t.C:
		return nil
	}
}
