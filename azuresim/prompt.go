package azuresim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Prompt is a prompt of a session. The type, state and result strings are
// served as given, so that a test can put values the API does not know
// (yet) there and check how a client maps them.
type Prompt struct {
	ID string
	// Type is "prompt", "skill", "context", "feedback" or any string.
	Type string
	// Content is what the user typed: sensitive. It is served unless a
	// request's $select leaves it out.
	Content string
	// SkillName is served as null when empty.
	SkillName    string
	Created      time.Time // UTC, 100ns precision, as Session.Created
	LastModified time.Time
	// Evaluations are the runs of the prompt, served by (Created, ID).
	Evaluations []Evaluation
}

// Evaluation is one run of a prompt. A zero time is not set, and is served
// as Graph serves an unset time: 0001-01-01T00:00:00Z.
type Evaluation struct {
	ID                                         string
	Created, RunStart, Completed, LastModified time.Time
	ExecutionCount                             int64
	IsCancelled                                bool
	// State is one of the members the metadata lists (unknown, created,
	// running, completed, cancelled, pending, deferred, waitingForInput,
	// unknownFutureValue) or any string.
	State string
	// ResultType "" serves the result as null, as for a just-created
	// evaluation; otherwise it is unknown (what a running evaluation's
	// result says), success, error, needAdditionalClaims, rejected,
	// timedOut, capacityExceeded, unknownFutureValue or any string.
	ResultType string
	// ResultContent is what Security Copilot answered: sensitive, like
	// Prompt.Content. It is served only with a ResultType; "" is null.
	ResultContent string
	// PreviewState is the result's previewState (ga, public, private,
	// unknownFutureValue); "" serves ga.
	PreviewState string
}

// graphTime is how the simulator stores a time: UTC at 100ns. A zero time
// stays zero, so that "not set" survives.
func graphTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(graphTick)
}

// normalizePrompt makes a prompt look like Graph data, with its
// evaluations in serving order, and detaches it from the caller's slice.
func normalizePrompt(p Prompt) (Prompt, error) {
	if p.ID == "" {
		return p, errors.New("prompt with empty ID")
	}
	p.Created, p.LastModified = graphTime(p.Created), graphTime(p.LastModified)
	evs := make([]Evaluation, 0, len(p.Evaluations))
	seen := make(map[string]bool, len(p.Evaluations))
	for _, e := range p.Evaluations {
		if e.ID == "" {
			return p, fmt.Errorf("prompt %q: evaluation with empty ID", p.ID)
		}
		if seen[e.ID] {
			return p, fmt.Errorf("prompt %q: evaluation %q is given twice", p.ID, e.ID)
		}
		seen[e.ID] = true
		evs = append(evs, normalizeEvaluation(e))
	}
	slices.SortFunc(evs, compareEvaluations)
	p.Evaluations = evs
	return p, nil
}

func normalizeEvaluation(e Evaluation) Evaluation {
	e.Created, e.RunStart = graphTime(e.Created), graphTime(e.RunStart)
	e.Completed, e.LastModified = graphTime(e.Completed), graphTime(e.LastModified)
	return e
}

// clonePrompt is a deep copy: the evaluations are the only shared part.
func clonePrompt(p Prompt) Prompt {
	p.Evaluations = slices.Clone(p.Evaluations)
	if p.Evaluations == nil {
		p.Evaluations = []Evaluation{}
	}
	return p
}

func comparePrompts(a, b Prompt) int {
	if c := a.Created.Compare(b.Created); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

func compareEvaluations(a, b Evaluation) int {
	if c := a.Created.Compare(b.Created); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// insertPrompt adds a prompt to a session in serving order. The caller
// holds store.mu for writing and has checked that the session exists.
func (ws *workspaceState) insertPrompt(sessionID string, p Prompt) error {
	p, err := normalizePrompt(p)
	if err != nil {
		return err
	}
	ps := ws.prompts[sessionID]
	if slices.ContainsFunc(ps, func(q Prompt) bool { return q.ID == p.ID }) {
		return fmt.Errorf("prompt %q already exists in session %q", p.ID, sessionID)
	}
	i, _ := slices.BinarySearchFunc(ps, p, comparePrompts)
	ws.prompts[sessionID] = slices.Insert(ps, i, p)
	return nil
}

// prompt finds a prompt of a session. The caller holds store.mu; the
// pointer is valid until the session's prompts change.
func (ws *workspaceState) prompt(sessionID, promptID string) *Prompt {
	ps := ws.prompts[sessionID]
	for i := range ps {
		if ps[i].ID == promptID {
			return &ps[i]
		}
	}
	return nil
}

// hasSession reports whether the workspace holds the session. The caller
// holds store.mu.
func (ws *workspaceState) hasSession(id string) bool {
	_, ok := ws.created[id]
	return ok
}

// loadPrompts validates and stores the prompts a Workspace was configured
// with.
func (ws *workspaceState) loadPrompts(prompts map[string][]Prompt) error {
	// Sorted, so that which error New reports does not depend on map order.
	ids := make([]string, 0, len(prompts))
	for id := range prompts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, sid := range ids {
		if !ws.hasSession(sid) {
			return fmt.Errorf("prompts given for session %q, which is not in the workspace", sid)
		}
		for _, p := range prompts[sid] {
			if err := ws.insertPrompt(sid, p); err != nil {
				return err
			}
		}
	}
	return nil
}
