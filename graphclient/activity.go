package graphclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// Selects of the activity listings. None names a prompt's content or an
// evaluation's whole result: $select is what keeps what users typed, and
// what Copilot answered, out of every response the exporter reads.
var (
	SessionRefSelect = []string{"id", PropCreated, PropLastModified}
	PromptSelect     = []string{"id", PropCreated, PropLastModified}
	// EvaluationSelect asks for result/type, the OData path into the
	// complex result, because selecting result would bring its content.
	EvaluationSelect = []string{"id", "state", "runStartDateTime", "completedDateTime", "result/type"}
)

// SessionRef is a session's id and timestamps.
type SessionRef struct {
	ID string
	SessionTimes
}

// PromptRef is a prompt's id and timestamps, without its content.
type PromptRef struct {
	ID                    string
	Created, LastModified time.Time
}

// Evaluation is what the exporter reads of an evaluation. Result is ""
// while Graph has no result for it.
type Evaluation struct {
	ID                  string
	State               EvaluationState
	Result              ResultType
	RunStart, Completed time.Time
}

// ListSessionRefs lists, side by side, the ids and timestamps of the
// workspace's sessions that match each filter.
func (r Reader) ListSessionRefs(ctx context.Context, workspaceID string, filters []Filter, pageSize int) ([][]SessionRef, error) {
	path, err := sessionsPath(workspaceID)
	if err != nil {
		return nil, err
	}
	firsts := make([]pageReq, len(filters))
	for i, f := range filters {
		firsts[i] = pageReq{path: path, q: Query{Filter: f, Select: SessionRefSelect, Top: pageSize}}
	}
	return listEach(ctx, r, firsts, decodeSessionRef)
}

func decodeSessionRef(s *scanner) (SessionRef, error) {
	id, times, err := decodeRef(s, "session")
	return SessionRef{ID: id, SessionTimes: times}, err
}

// ListPrompts lists, side by side, the prompts of each session.
func (r Reader) ListPrompts(ctx context.Context, workspaceID string, sessionIDs []string, pageSize int) ([][]PromptRef, error) {
	firsts := make([]pageReq, len(sessionIDs))
	for i, id := range sessionIDs {
		path, err := promptsPath(workspaceID, id)
		if err != nil {
			return nil, err
		}
		firsts[i] = pageReq{path: path, q: Query{Select: PromptSelect, Top: pageSize}}
	}
	return listEach(ctx, r, firsts, func(s *scanner) (PromptRef, error) {
		id, times, err := decodeRef(s, "prompt")
		return PromptRef{ID: id, Created: times.Created, LastModified: times.LastModified}, err
	})
}

// PromptPath names a prompt within a workspace.
type PromptPath struct{ SessionID, PromptID string }

// ListEvaluations lists, side by side, the evaluations of each prompt.
func (r Reader) ListEvaluations(ctx context.Context, workspaceID string, prompts []PromptPath, pageSize int) ([][]Evaluation, error) {
	firsts := make([]pageReq, len(prompts))
	for i, p := range prompts {
		path, err := promptsPath(workspaceID, p.SessionID)
		if err != nil {
			return nil, err
		}
		seg, err := idSegment("prompt", p.PromptID)
		if err != nil {
			return nil, err
		}
		firsts[i] = pageReq{path: path + "/" + seg + "/evaluations", q: Query{Select: EvaluationSelect, Top: pageSize}}
	}
	return listEach(ctx, r, firsts, decodeEvaluation)
}

func decodeEvaluation(s *scanner) (Evaluation, error) {
	raw, err := s.rawValue()
	if err != nil {
		return Evaluation{}, err
	}
	var e evaluationJSON
	if err := json.Unmarshal(raw, &e); err != nil {
		return Evaluation{}, err
	}
	return e.evaluation()
}

// decodeRef decodes an item that has an id and the two timestamps, as
// sessions and prompts do.
func decodeRef(s *scanner, kind string) (string, SessionTimes, error) {
	r, err := readRef(s, true)
	if err != nil {
		return "", SessionTimes{}, err
	}
	if !r.hasID || r.id == "" {
		return "", SessionTimes{}, fmt.Errorf("%s without an id", kind)
	}
	return r.id, r.times, nil
}

type evaluationJSON struct {
	ID        *string `json:"id"`
	State     *string `json:"state"`
	RunStart  *string `json:"runStartDateTime"`
	Completed *string `json:"completedDateTime"`
	Result    *struct {
		Type *string `json:"type"`
	} `json:"result"`
}

func (e evaluationJSON) evaluation() (Evaluation, error) {
	if e.ID == nil || *e.ID == "" {
		return Evaluation{}, fmt.Errorf("evaluation without an id")
	}
	// A state left out or null reads as member 0, as OData reads an enum
	// without a value; it is not a value the metadata fails to list.
	out := Evaluation{ID: *e.ID, State: StateUnknown}
	if e.State != nil {
		out.State = ParseEvaluationState(*e.State)
	}
	if e.Result != nil && e.Result.Type != nil {
		out.Result = ParseResultType(*e.Result.Type)
	}
	var err error
	if e.RunStart != nil {
		if out.RunStart, err = ParseTimestamp(*e.RunStart); err != nil {
			return out, fmt.Errorf("runStartDateTime: %w", err)
		}
	}
	if e.Completed != nil {
		if out.Completed, err = ParseTimestamp(*e.Completed); err != nil {
			return out, fmt.Errorf("completedDateTime: %w", err)
		}
	}
	return out, nil
}

func promptsPath(workspaceID, sessionID string) (string, error) {
	path, err := sessionsPath(workspaceID)
	if err != nil {
		return "", err
	}
	seg, err := idSegment("session", sessionID)
	if err != nil {
		return "", err
	}
	return path + "/" + seg + "/prompts", nil
}

// idSegment escapes an id Graph gave as one path segment; "." and ".."
// would move the request elsewhere once a client or proxy cleans the path.
func idSegment(kind, id string) (string, error) {
	if id == "" || id == "." || id == ".." {
		return "", fmt.Errorf("invalid %s id %q", kind, id)
	}
	return url.PathEscape(id), nil
}
