package azuresim

import (
	"maps"
	"net/http"
	"sync"
	"time"
)

// Keys of Stats.ByPath.
const (
	// PathWorkspaces counts the workspace listing and single workspace GETs.
	PathWorkspaces = "workspaces"
	// PathSessions counts the paths of a workspace's sessions segment that
	// are not under a session's prompts: the listing, sessions/$count,
	// single sessions and unknown segments below them.
	PathSessions = "sessions"
	// PathPrompts counts a session's prompt listing and single prompts,
	// and unknown segments below a prompt other than evaluations.
	PathPrompts = "prompts"
	// PathEvaluations counts a prompt's evaluation listing and single
	// evaluations, and anything below them.
	PathEvaluations = "evaluations"
	// PathPlugins counts a workspace's plugin listing and anything below
	// it.
	PathPlugins = "plugins"
	// PathOther counts every other logical Graph request, malformed ones
	// included.
	PathOther = "other"
)

// Stats are counters of what the server was asked.
type Stats struct {
	// GraphRequests counts logical Graph requests: every request to /beta
	// except those to /beta/$batch, plus every request inside a $batch.
	// It is what Graph's throttling counts.
	GraphRequests int
	// RoundTrips counts HTTP requests to /beta, a $batch POST once
	// whatever it carries: what a client pays in latency.
	RoundTrips int
	// BatchRequests counts POSTs to /beta/$batch, refused ones included.
	BatchRequests int
	TokenRequests int // POSTs to the token endpoint
	// RefreshRequests counts the refresh_token grants among TokenRequests.
	RefreshRequests int
	// DeviceCodeRequests counts POSTs to the device code endpoint.
	DeviceCodeRequests int
	DiscoveryRequests  int            // GETs of openid-configuration
	ByPath             map[string]int // GraphRequests by PathWorkspaces, PathSessions, PathPrompts, PathEvaluations, PathPlugins, PathOther
	// Throttled counts 429s answered by Graph, from ThrottleEvery, StatusFor
	// or BatchUnsupported, inside batches or not.
	Throttled int
}

type statsRecorder struct {
	mu sync.Mutex
	s  Stats
}

func (r *statsRecorder) roundTrip(batchPOST bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s.RoundTrips++
	if batchPOST {
		r.s.BatchRequests++
	}
}

func (r *statsRecorder) logicalRequest(bucket string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s.GraphRequests++
	if r.s.ByPath == nil {
		r.s.ByPath = make(map[string]int)
	}
	r.s.ByPath[bucket]++
}

func (r *statsRecorder) token() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s.TokenRequests++
}

func (r *statsRecorder) refresh() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s.RefreshRequests++
}

func (r *statsRecorder) deviceCode() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s.DeviceCodeRequests++
}

func (r *statsRecorder) discovery() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s.DiscoveryRequests++
}

func (r *statsRecorder) throttled() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s.Throttled++
}

// Stats returns a snapshot of the counters. ByPath is never nil.
func (s *Server) Stats() Stats {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	out := s.stats.s
	out.ByPath = maps.Clone(s.stats.s.ByPath)
	if out.ByPath == nil {
		out.ByPath = make(map[string]int)
	}
	return out
}

// ResetStats zeroes the counters, restarts the ThrottleEvery and
// DependencyFailed counts and empties the request log, so that a test can start from a clean slate.
func (s *Server) ResetStats() {
	s.stats.mu.Lock()
	s.stats.s = Stats{}
	s.stats.mu.Unlock()
	s.faults.resetCount()
	s.log.reset()
}

// RecordedRequest is one request as the server received and answered it.
// A $batch POST is recorded as one request on "/beta/$batch", after one
// request per item it carried, recorded like a standalone request.
type RecordedRequest struct {
	Time   time.Time // by Options.Now, when the answer was finished
	Method string
	// Path is the path as received (URL.EscapedPath), so "%2F" stays "%2F".
	// For a request inside a $batch it is "/beta" followed by the path of
	// the item's url.
	Path     string
	RawQuery string
	// Tenant is the configured ID of the tenant the request was for: from
	// the bearer token on Graph, from the path on Entra ID; "" if none.
	Tenant string
	// Status is the HTTP status answered; 0 if the request ended (client
	// gone, server closed) before an answer was written.
	Status    int
	RequestID string // the request-id the server answered with
	// ClientRequestID is the client-request-id header received; inside a
	// $batch, the item's own or else the one of the $batch POST.
	ClientRequestID string
	// InBatch tells a request that came inside a $batch POST.
	InBatch bool
	// BatchItemID is the id the request had inside its $batch; "" outside.
	BatchItemID string
}

// record is the request log entry of a request the handlers are done with.
func (s *Server) record(r *http.Request, ex *exchange, escapedPath string) RecordedRequest {
	return RecordedRequest{
		Time:            s.now().UTC(), // UTC also drops the monotonic reading
		Method:          r.Method,
		Path:            escapedPath,
		RawQuery:        r.URL.RawQuery,
		Tenant:          ex.tenant,
		Status:          ex.status,
		RequestID:       ex.requestID,
		ClientRequestID: r.Header.Get("client-request-id"),
	}
}

// maxRecorded bounds the request log: a long demo must not grow forever.
const maxRecorded = 10000

// requestLog keeps the last maxRecorded requests in a ring.
type requestLog struct {
	mu    sync.Mutex
	ring  []RecordedRequest
	start int
}

func (l *requestLog) add(r RecordedRequest) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ring) < maxRecorded {
		l.ring = append(l.ring, r)
		return
	}
	l.ring[l.start] = r
	l.start = (l.start + 1) % maxRecorded
}

func (l *requestLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring, l.start = nil, 0
}

// Requests returns the logged requests, oldest first: the last 10000.
func (s *Server) Requests() []RecordedRequest {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]RecordedRequest, 0, len(s.log.ring))
	out = append(out, s.log.ring[s.log.start:]...)
	return append(out, s.log.ring[:s.log.start]...)
}
