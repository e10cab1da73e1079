package azuresim

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// Content types Graph answers with.
const (
	odataJSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
	plainText = "text/plain;charset=utf-8"
)

// serveGraph serves one HTTP request to /beta other than $batch. It applies,
// in order: counting, latency, then what answerGraph applies.
func (s *Server) serveGraph(ex *exchange, r *http.Request, escapedPath string) {
	s.stats.roundTrip(false)
	rt := parseRoute(strings.TrimPrefix(escapedPath, "/beta"))
	s.stats.logicalRequest(rt.bucket)
	faults, preempt := s.faults.nextGraphRequest(false, requestKey(escapedPath, r.URL.RawQuery))
	setGraphHeaders(ex, r)
	s.delay(r, faults)
	s.answerGraph(ex, r, rt, faults, preempt, escapedPath)
}

// requestKey names a request as a $batch item's URL does, so that a request
// is recognised whether it comes alone or inside a $batch.
func requestKey(escapedPath, rawQuery string) string {
	key := strings.TrimPrefix(escapedPath, "/beta")
	if rawQuery != "" {
		key += "?" + rawQuery
	}
	return key
}

// setGraphHeaders sets the headers every Graph answer carries.
func setGraphHeaders(ex *exchange, r *http.Request) {
	h := ex.Header()
	h.Set("request-id", ex.requestID)
	if id := r.Header.Get("client-request-id"); id != "" {
		h.Set("client-request-id", id)
	}
	h.Set("x-ms-ags-diagnostic", `{"ServerInfo":{"DataCenter":"Loopback","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"azuresim"}}`)
}

// delay applies the Latency fault.
func (s *Server) delay(r *http.Request, faults Faults) {
	delayOrAbort(r, faults.Latency)
}

// delayOrAbort waits for d, or aborts the answer if the request's context
// ends first.
func delayOrAbort(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	if err := sleep(r.Context(), d); err != nil {
		// Returning would make net/http send an empty 200 if the
		// connection is still up; aborting sends nothing.
		panic(http.ErrAbortHandler)
	}
}

// answerGraph answers one logical Graph request, standalone or inside a
// $batch. It applies, in order: the preempting fault (424 or 429), the
// bearer token, the method, StatusFor, TransientFor, and then the endpoint
// itself.
func (s *Server) answerGraph(ex *exchange, r *http.Request, rt route, faults Faults, preempt *apiError, escapedPath string) {
	if err := s.graphAnswer(ex, r, rt, faults, preempt, escapedPath); err != nil {
		s.writeGraphError(ex, r, asAPIError(err))
	}
}

func (s *Server) graphAnswer(ex *exchange, r *http.Request, rt route, faults Faults, preempt *apiError, escapedPath string) error {
	if preempt != nil {
		return preempt
	}
	t, issued, err := s.authenticate(r)
	if err != nil {
		return err
	}
	ex.tenant, ex.viewer = t.id, issued.user
	if err := authorize(issued); err != nil {
		return err
	}
	if r.Method != http.MethodGet {
		ex.Header().Set("Allow", http.MethodGet)
		return &apiError{status: http.StatusMethodNotAllowed, code: "BadRequest", message: "The HTTP method '" + r.Method + "' is not supported here; the simulator serves GET only."}
	}
	if rt.underWS {
		if e := statusFault(faults, rt.workspaceID); e != nil {
			return e
		}
		if e := s.faults.transient(faults, rt.workspaceID); e != nil {
			return e
		}
	}
	if rt.err != nil {
		return rt.err
	}
	switch rt.kind {
	case routeWorkspaces:
		return s.listWorkspaces(ex, r, t, faults, escapedPath)
	case routeWorkspace:
		return s.getWorkspace(ex, r, t, rt.workspaceID)
	case routeSessions:
		return s.listSessions(ex, r, t, rt.workspaceID, faults, escapedPath)
	case routeSessionCount:
		return s.countSessions(ex, r, t, rt.workspaceID, faults)
	case routeSession:
		return s.getSession(ex, r, t, rt.workspaceID, rt.sessionID, faults)
	case routePrompts:
		return s.listPrompts(ex, r, t, rt, faults, escapedPath)
	case routePrompt:
		return s.getPrompt(ex, r, t, rt)
	case routeEvaluations:
		return s.listEvaluations(ex, r, t, rt, faults, escapedPath)
	case routeEvaluation:
		return s.getEvaluation(ex, r, t, rt)
	case routePlugins:
		return s.listPlugins(ex, r, t, rt.workspaceID, faults, escapedPath)
	}
	return notFound("The requested resource was not found.")
}

// authenticate maps the bearer token to its tenant and to what it was
// issued with.
func (s *Server) authenticate(r *http.Request) (*tenantState, issuedToken, error) {
	unauthorized := func(msg string) error {
		return &apiError{status: http.StatusUnauthorized, code: "InvalidAuthenticationToken", message: msg}
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, issuedToken{}, unauthorized("Access token is empty.")
	}
	scheme, tok, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return nil, issuedToken{}, unauthorized("Access token is empty.")
	}
	issued, err := s.tokens.lookup(strings.TrimSpace(tok), s.now())
	switch {
	case errors.Is(err, errTokenExpired):
		return nil, issuedToken{}, unauthorized("Lifetime validation failed, the token is expired.")
	case err != nil:
		return nil, issuedToken{}, unauthorized("CompactToken parsing failed with error code: 80049217")
	}
	t := s.store.tenant(issued.tenantKey)
	if t == nil || issued.audience != s.url {
		return nil, issuedToken{}, unauthorized("Access token validation failure. Invalid audience.")
	}
	return t, issued, nil
}
