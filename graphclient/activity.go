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

// ListSessionRefs lists the ids and timestamps of the workspace's sessions
// that match f.
func (r Reader) ListSessionRefs(ctx context.Context, workspaceID string, f Filter, pageSize int, visit func(SessionRef)) error {
	path, err := sessionsPath(workspaceID)
	if err != nil {
		return err
	}
	q := Query{Filter: f, Select: SessionRefSelect, Top: pageSize}
	_, err = r.c.list(ctx, r.f, r.c.url(path, q), 0, func(dec *json.Decoder) error {
		id, times, err := decodeRef(dec, "session")
		if err == nil {
			visit(SessionRef{ID: id, SessionTimes: times})
		}
		return err
	})
	return err
}

// ListPrompts lists the prompts of a session.
func (r Reader) ListPrompts(ctx context.Context, workspaceID, sessionID string, pageSize int, visit func(PromptRef)) error {
	path, err := promptsPath(workspaceID, sessionID)
	if err != nil {
		return err
	}
	q := Query{Select: PromptSelect, Top: pageSize}
	_, err = r.c.list(ctx, r.f, r.c.url(path, q), 0, func(dec *json.Decoder) error {
		id, times, err := decodeRef(dec, "prompt")
		if err == nil {
			visit(PromptRef{ID: id, Created: times.Created, LastModified: times.LastModified})
		}
		return err
	})
	return err
}

// ListEvaluations lists the evaluations of a prompt.
func (r Reader) ListEvaluations(ctx context.Context, workspaceID, sessionID, promptID string, pageSize int, visit func(Evaluation)) error {
	path, err := promptsPath(workspaceID, sessionID)
	if err != nil {
		return err
	}
	seg, err := idSegment("prompt", promptID)
	if err != nil {
		return err
	}
	q := Query{Select: EvaluationSelect, Top: pageSize}
	_, err = r.c.list(ctx, r.f, r.c.url(path+"/"+seg+"/evaluations", q), 0, func(dec *json.Decoder) error {
		var e evaluationJSON
		if err := dec.Decode(&e); err != nil {
			return err
		}
		out, err := e.evaluation()
		if err != nil {
			return err
		}
		visit(out)
		return nil
	})
	return err
}

// decodeRef decodes an item that has an id and the two timestamps, as
// sessions and prompts do.
func decodeRef(dec *json.Decoder, kind string) (string, SessionTimes, error) {
	var item struct {
		ID *string `json:"id"`
		sessionJSON
	}
	if err := dec.Decode(&item); err != nil {
		return "", SessionTimes{}, err
	}
	if item.ID == nil || *item.ID == "" {
		return "", SessionTimes{}, fmt.Errorf("%s without an id", kind)
	}
	times, err := item.times()
	return *item.ID, times, err
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
