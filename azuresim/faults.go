package azuresim

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
	// installed or the stats were reset. A request sent again after it was
	// throttled (the same URL) is let through, as Graph lets a client
	// through once it waited as told, so that how rounds interleave never
	// decides whether one request is throttled until its retries run out. Every logical Graph request counts,
	// as Stats.GraphRequests does: each standalone /beta request and each
	// request inside a $batch, which is then throttled on its own inside a
	// 200 batch answer; $batch POSTs themselves, token and discovery
	// requests do not count. 0 disables throttling.
	ThrottleEvery int
	// RetryAfter is the Retry-After header of 429 answers and of 503 and 429
	// answers from StatusFor; "" omits the header.
	RetryAfter string
	// Latency is added before answering every HTTP request to Graph: once
	// for a $batch POST, however many requests it carries. A request whose
	// context ends meanwhile gets no answer (its recorded Status is 0).
	Latency time.Duration
	// RejectFilter answers any $filter with 400 "Invalid filter clause", as
	// Graph does where filtering is unsupported. Like OmitCount and
	// StatusFor, it applies to requests inside a $batch one by one.
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
	// RoleMissing issues tokens without a roles claim, as Entra ID does for
	// an app whose application permission SecurityCopilotWorkspaces.Read.All
	// was never added or never got admin consent. Graph answers every
	// request with such a token 403 Forbidden, "Missing role permissions".
	// Tokens issued before the fault was set keep their roles.
	RoleMissing bool

	// BatchUnsupported, when it is a status from 400 to 599, answers every
	// authenticated request to /beta/$batch with that status and an OData
	// error instead of running its requests, as a Graph (or a proxy in
	// front of it) that refuses batching would: 400 BadRequest, 404
	// NotFound, 405 BadRequest, 501 NotImplemented, 429 and 503 with
	// RetryAfter; any other status InternalServerError. A request without a
	// valid token still gets 401 first. 0 disables the fault.
	BatchUnsupported int
	// BatchDropItem leaves the response to the last request of a $batch
	// out of the answer. The request is still run, counted and logged: only
	// its answer is lost.
	BatchDropItem bool
	// BatchDuplicateID appends to a $batch answer a second copy of the
	// response to the first request, with the same id.
	BatchDuplicateID bool
	// DependencyFailed makes every Nth request inside a $batch answer 424
	// with code "FailedDependency" without being run, as Graph answers a
	// request whose dependsOn request failed. Only requests inside a batch
	// count, from 1 since the fault set was installed or the stats were
	// reset. When it and ThrottleEvery pick the same request, 424 wins. A
	// request sent again after a 424 is let through, as for ThrottleEvery.
	// 0 disables the fault.
	DependencyFailed int

	// ListingFor maps a workspace id to the ways the answers to its
	// session listings are broken (see ListingFault): cut short, reset,
	// empty, of another type, a proxy's HTML page, oversized, slow, or
	// with a bad @odata.count, timestamp or @odata.nextLink. It applies to
	// listings that would otherwise succeed, standalone or inside a
	// $batch, and not to sessions/$count, single sessions, or prompt and
	// evaluation listings, so that a test breaking the session listing
	// of a workspace does not break what lies below it too.
	ListingFor map[string]ListingFault
	// PluginStatusFor maps a workspace id to the HTTP status (400-599)
	// its plugin listing answers, with StatusFor's codes, while everything
	// else under the workspace is served.
	PluginStatusFor map[string]int
	// TransientFor maps a workspace id to a failure that answers the first
	// Times requests on that workspace (or below it) with Status, as
	// StatusFor would, and then lets them through, as a Graph that
	// recovers does. Requests are counted per workspace, inside a $batch
	// or not, from when the fault set was installed or the stats were
	// reset. StatusFor, when it names the workspace too, wins.
	TransientFor map[string]Transient
	// Listing changes how session listings are served, in ways that are no
	// error (see ListingQuirks).
	Listing ListingQuirks
	// Expand is how session listings answer $expand=prompts(...), which
	// Graph does not document (see ExpandMode); the zero value honours it
	// with counts. ExpandLimit is how many prompts per session the
	// truncating modes serve (0: 2).
	Expand      ExpandMode
	ExpandLimit int
	// RefreshTokenError makes every refresh_token grant answer 400
	// invalid_grant with this AADSTS code, as Entra ID does when the
	// refresh token expired ("AADSTS70008", "AADSTS700082") or the user
	// must now pass MFA or Conditional Access ("AADSTS50076"). A value
	// that contains ": " is used as the whole description.
	RefreshTokenError string
	// DeviceCodeError answers every poll of a device code sign-in 400
	// invalid_grant with this AADSTS code, e.g. "AADSTS53003" for a
	// Conditional Access policy that blocks the device code flow.
	DeviceCodeError string
	// SlowDown answers the first SlowDown polls of each device code with
	// slow_down instead of authorization_pending.
	SlowDown int
	// OwnSessionsOnly makes a delegated token see only the sessions its
	// user owns (Session.Owner) in session listings, counts and single
	// sessions: one way Graph may treat delegated listings, which
	// Microsoft does not document. App-only tokens see every session.
	OwnSessionsOnly bool
	// TokenLatency is added before answering every token request, as a
	// slow Entra ID would. A request whose context ends meanwhile gets no
	// answer.
	TokenLatency time.Duration
}

// Transient is a failure of TransientFor: Status (400-599) for the first
// Times requests.
type Transient struct {
	Status int
	Times  int
}

// faultState holds the installed faults and the counts ThrottleEvery and
// DependencyFailed use.
type faultState struct {
	mu      sync.Mutex
	faults  Faults
	n       int // logical Graph requests, for ThrottleEvery
	inBatch int // requests inside batches, for DependencyFailed
	// failed counts the answers TransientFor gave, per workspace.
	failed map[string]int
	// owed holds the URLs ThrottleEvery or DependencyFailed turned away,
	// to let through when they come again.
	owed map[string]bool
}

// SetFaults replaces the fault set atomically and restarts the
// ThrottleEvery count. It is safe while requests are being served.
func (s *Server) SetFaults(f Faults) {
	// The caller may change its maps afterwards.
	f.StatusFor = maps.Clone(f.StatusFor)
	f.ListingFor = maps.Clone(f.ListingFor)
	f.TransientFor = maps.Clone(f.TransientFor)
	f.PluginStatusFor = maps.Clone(f.PluginStatusFor)
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.faults = f
	s.faults.n, s.faults.inBatch, s.faults.failed, s.faults.owed = 0, 0, nil, nil
}

// current returns the installed faults. Their maps are never written
// after SetFaults, so sharing them is safe.
func (fs *faultState) current() Faults {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.faults
}

// nextGraphRequest counts a logical Graph request and returns the error it
// must be answered with before anything else is looked at, if any: 424 from
// DependencyFailed or 429 from ThrottleEvery.
func (fs *faultState) nextGraphRequest(inBatch bool, url string) (Faults, *apiError) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.faults
	fs.n++
	if inBatch {
		fs.inBatch++
	}
	if fs.owed[url] {
		delete(fs.owed, url)
		return f, nil
	}
	var e *apiError
	switch {
	case inBatch && f.DependencyFailed > 0 && fs.inBatch%f.DependencyFailed == 0:
		e = failedDependency()
	case f.ThrottleEvery > 0 && fs.n%f.ThrottleEvery == 0:
		e = throttledError(f.RetryAfter)
	default:
		return f, nil
	}
	if fs.owed == nil {
		fs.owed = map[string]bool{}
	}
	fs.owed[url] = true
	return f, e
}

func (fs *faultState) resetCount() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.n, fs.inBatch, fs.failed, fs.owed = 0, 0, nil, nil
}

// transient is the answer TransientFor asks for the next request on the
// workspace; nil once the workspace has failed its Times.
func (fs *faultState) transient(f Faults, workspaceID string) *apiError {
	tr, ok := f.TransientFor[workspaceID]
	if !ok {
		return nil
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.failed[workspaceID] >= tr.Times {
		return nil
	}
	e := statusError(f, tr.Status, workspaceID)
	if e == nil {
		return nil
	}
	if fs.failed == nil {
		fs.failed = make(map[string]int)
	}
	fs.failed[workspaceID]++
	return e
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
	if !ok {
		return nil
	}
	return statusError(f, status, workspaceID)
}

// statusError is the Graph error StatusFor and TransientFor answer with;
// nil for a status outside 400-599.
func statusError(f Faults, status int, workspaceID string) *apiError {
	if status < 400 || status > 599 {
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
