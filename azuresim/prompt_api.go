package azuresim

import (
	"fmt"
	"slices"
)

// sessionWorkspace checks that a session exists and returns its workspace.
// The caller holds store.mu.
func (s *Server) sessionWorkspace(tenantID, workspaceID, sessionID string) (*workspaceState, error) {
	ws, err := s.store.workspace(tenantID, workspaceID)
	if err != nil {
		return nil, err
	}
	if !ws.hasSession(sessionID) {
		return nil, fmt.Errorf("session %q in workspace %q: %w", sessionID, workspaceID, ErrNotFound)
	}
	return ws, nil
}

// AddPrompt adds a prompt, with its evaluations, to a session. Times are
// stored as Graph stores them (UTC, 100ns). It fails for an unknown tenant,
// workspace or session (wrapping ErrNotFound), an empty or taken prompt
// ID, or evaluations with empty or repeated IDs.
func (s *Server) AddPrompt(tenantID, workspaceID, sessionID string, p Prompt) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	ws, err := s.sessionWorkspace(tenantID, workspaceID, sessionID)
	if err != nil {
		return fmt.Errorf("azuresim: add prompt: %w", err)
	}
	if err := ws.insertPrompt(sessionID, p); err != nil {
		return fmt.Errorf("azuresim: add prompt: %w", err)
	}
	return nil
}

// UpdatePrompt replaces the prompt with p.ID, evaluations included: nothing
// of the old prompt is kept. A test uses it to bump LastModified.
func (s *Server) UpdatePrompt(tenantID, workspaceID, sessionID string, p Prompt) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	ws, err := s.sessionWorkspace(tenantID, workspaceID, sessionID)
	if err != nil {
		return fmt.Errorf("azuresim: update prompt: %w", err)
	}
	np, err := normalizePrompt(p)
	if err != nil {
		return fmt.Errorf("azuresim: update prompt: %w", err)
	}
	ps := ws.prompts[sessionID]
	i := slices.IndexFunc(ps, func(q Prompt) bool { return q.ID == p.ID })
	if i < 0 {
		return fmt.Errorf("azuresim: update prompt %q in session %q: %w", p.ID, sessionID, ErrNotFound)
	}
	// Created may have changed, and with it the prompt's place.
	ps = slices.Delete(ps, i, i+1)
	j, _ := slices.BinarySearchFunc(ps, np, comparePrompts)
	ws.prompts[sessionID] = slices.Insert(ps, j, np)
	return nil
}

// PutEvaluation replaces the evaluation with e.ID of a prompt, or adds it
// when the prompt has none with that ID: a test completes a running
// evaluation, or adds a re-run, with it. The prompt's LastModified is left
// alone. It fails for an unknown tenant, workspace, session or prompt
// (wrapping ErrNotFound) and for an empty ID.
func (s *Server) PutEvaluation(tenantID, workspaceID, sessionID, promptID string, e Evaluation) error {
	if e.ID == "" {
		return fmt.Errorf("azuresim: put evaluation on prompt %q: empty ID", promptID)
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	ws, err := s.sessionWorkspace(tenantID, workspaceID, sessionID)
	if err != nil {
		return fmt.Errorf("azuresim: put evaluation: %w", err)
	}
	p := ws.prompt(sessionID, promptID)
	if p == nil {
		return fmt.Errorf("azuresim: put evaluation: prompt %q in session %q: %w", promptID, sessionID, ErrNotFound)
	}
	p.Evaluations = putEvaluation(p.Evaluations, normalizeEvaluation(e))
	return nil
}

// putEvaluation returns evs with e in place of the evaluation with its ID,
// or added, in serving order. It never writes to evs' array: listings
// copy prompts under a read lock and may still hold it.
func putEvaluation(evs []Evaluation, e Evaluation) []Evaluation {
	out := slices.DeleteFunc(slices.Clone(evs), func(o Evaluation) bool { return o.ID == e.ID })
	i, _ := slices.BinarySearchFunc(out, e, compareEvaluations)
	return slices.Insert(out, i, e)
}

// Prompts returns a deep copy of a session's prompts, and of their
// evaluations, in serving order (Created, then ID), for comparing what a
// client saw with the truth. It fails for an unknown tenant, workspace or
// session (wrapping ErrNotFound).
func (s *Server) Prompts(tenantID, workspaceID, sessionID string) ([]Prompt, error) {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	ws, err := s.sessionWorkspace(tenantID, workspaceID, sessionID)
	if err != nil {
		return nil, fmt.Errorf("azuresim: prompts: %w", err)
	}
	ps := ws.prompts[sessionID]
	out := make([]Prompt, len(ps))
	for i, p := range ps {
		out[i] = clonePrompt(p)
	}
	return out, nil
}
