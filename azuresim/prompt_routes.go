package azuresim

import (
	"net/http"
	"slices"
)

// promptsContext is the context URL fragment of a session's prompts.
func promptsContext(rt route) string {
	return "security/securityCopilot/workspaces(" + odataKey(rt.workspaceID) + ")/sessions(" + odataKey(rt.sessionID) + ")/prompts"
}

func evaluationsContext(rt route) string {
	return promptsContext(rt) + "(" + odataKey(rt.promptID) + ")/evaluations"
}

// promptsOf returns the prompts of the route's session, or the 404 Graph
// answers for an unknown session. The caller holds store.mu.
func promptsOf(ws *workspaceState, rt route) ([]Prompt, error) {
	if !ws.hasSession(rt.sessionID) {
		return nil, notFound("The session '%s' was not found in workspace '%s'.", rt.sessionID, rt.workspaceID)
	}
	return ws.prompts[rt.sessionID], nil
}

// evaluationsOf returns the evaluations of the route's prompt, or a 404.
// The caller holds store.mu.
func evaluationsOf(ws *workspaceState, rt route) ([]Evaluation, error) {
	if _, err := promptsOf(ws, rt); err != nil {
		return nil, err
	}
	p := ws.prompt(rt.sessionID, rt.promptID)
	if p == nil {
		return nil, notFound("The prompt '%s' was not found in session '%s'.", rt.promptID, rt.sessionID)
	}
	return p.Evaluations, nil
}

// ListingFor is left out of prompt and evaluation listings on purpose: its
// faults were written against session listings, and tests that break
// those must not break the listings below them too.
func (s *Server) listPrompts(ex *exchange, r *http.Request, t *tenantState, rt route, faults Faults, escapedPath string) error {
	ws := t.workspace(rt.workspaceID)
	if ws == nil {
		return workspaceNotFound(rt.workspaceID)
	}
	l, err := s.prepareListing(r, promptType(), "prompts\x00"+rt.workspaceID+"\x00"+rt.sessionID, faults)
	if err != nil {
		return err
	}
	s.store.mu.RLock()
	all, err := promptsOf(ws, rt)
	page, total, more := collect(all, l.match, l.after, l.size)
	s.store.mu.RUnlock()
	if err != nil {
		return err
	}
	items, last := renderPage(page, more, l.props)
	ctx := promptsContext(rt)
	return s.writePage(ex, l, pageOut{
		contextURL:  s.metadata(ctx),
		tips:        "Use $select to choose only the properties your app needs, as this can lead to performance improvements. For example: GET " + ctx + "?$select=content,createdDateTime",
		escapedPath: escapedPath, rawQuery: r.URL.RawQuery,
		items: items, total: total, last: last,
	})
}

func (s *Server) listEvaluations(ex *exchange, r *http.Request, t *tenantState, rt route, faults Faults, escapedPath string) error {
	ws := t.workspace(rt.workspaceID)
	if ws == nil {
		return workspaceNotFound(rt.workspaceID)
	}
	l, err := s.prepareListing(r, evaluationType(), "evaluations\x00"+rt.workspaceID+"\x00"+rt.sessionID+"\x00"+rt.promptID, faults)
	if err != nil {
		return err
	}
	s.store.mu.RLock()
	all, err := evaluationsOf(ws, rt)
	page, total, more := collect(all, l.match, l.after, l.size)
	s.store.mu.RUnlock()
	if err != nil {
		return err
	}
	items, last := renderPage(page, more, l.props)
	ctx := evaluationsContext(rt)
	return s.writePage(ex, l, pageOut{
		contextURL:  s.metadata(ctx),
		tips:        "Use $select to choose only the properties your app needs, as this can lead to performance improvements. For example: GET " + ctx + "?$select=completedDateTime,createdDateTime",
		escapedPath: escapedPath, rawQuery: r.URL.RawQuery,
		items: items, total: total, last: last,
	})
}

func (s *Server) getPrompt(ex *exchange, r *http.Request, t *tenantState, rt route) error {
	missing := notFound("The prompt '%s' was not found in session '%s'.", rt.promptID, rt.sessionID)
	return getChild(s, ex, r, t, rt, promptType(), promptsOf, rt.promptID, missing, promptsContext(rt))
}

func (s *Server) getEvaluation(ex *exchange, r *http.Request, t *tenantState, rt route) error {
	missing := notFound("The evaluation '%s' was not found for prompt '%s'.", rt.evaluationID, rt.promptID)
	return getChild(s, ex, r, t, rt, evaluationType(), evaluationsOf, rt.evaluationID, missing, evaluationsContext(rt))
}

// getChild serves the item with id of the collection list finds under the
// route, or missing when the collection exists but lacks it.
func getChild[T any, P recordPtr[T]](s *Server, ex *exchange, r *http.Request, t *tenantState, rt route, et *entityType,
	list func(*workspaceState, route) ([]T, error), id string, missing *apiError, contextURL string) error {
	ws := t.workspace(rt.workspaceID)
	if ws == nil {
		return workspaceNotFound(rt.workspaceID)
	}
	props, q, err := entitySelect(r, et)
	if err != nil {
		return err
	}
	s.store.mu.RLock()
	var item T
	all, err := list(ws, rt)
	if i := slices.IndexFunc(all, func(x T) bool { return P(&x).key().id == id }); i >= 0 {
		item = all[i]
	} else if err == nil {
		err = missing
	}
	s.store.mu.RUnlock()
	if err != nil {
		return err
	}
	return s.writeEntity(ex, s.metadata(contextURL+selectSuffix(props, q)+"/$entity"), toJSON(P(&item), props))
}

// entitySelect validates the query of a single entity request.
func entitySelect(r *http.Request, et *entityType) ([]propDef, queryOptions, error) {
	q, err := parseQuery(r.URL.RawQuery, entityOptions)
	if err != nil {
		return nil, q, err
	}
	props, err := parseSelect(et, q)
	return props, q, err
}
