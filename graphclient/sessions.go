package graphclient

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// SessionTimes are the two timestamps of a session the exporter uses. A
// zero value means Graph did not set the timestamp.
type SessionTimes struct {
	Created      time.Time
	LastModified time.Time
}

// TimesSelect is the $select that gives what SessionTimes needs and nothing
// more: no ids, no names.
var TimesSelect = []string{PropCreated, PropLastModified}

type sessionJSON struct {
	Created      *string `json:"createdDateTime"`
	LastModified *string `json:"lastModifiedDateTime"`
}

// ListResult describes a listing: what the first page's @odata.count said,
// and how many items and pages were read.
type ListResult struct {
	Count    int64
	HasCount bool
	Items    int64
	Pages    int
}

// ListSessions lists the workspace's sessions with the query q and hands the
// timestamps of each to visit.
func (r Reader) ListSessions(ctx context.Context, workspaceID string, q Query, visit func(SessionTimes)) (ListResult, error) {
	path, err := sessionsPath(workspaceID)
	if err != nil {
		return ListResult{}, err
	}
	var res ListResult
	item := sessionVisitor(visit)
	counted := func(s *scanner) error {
		res.Items++
		return item(s)
	}
	first := make([]pageMeta, 1)
	res.Pages, err = r.list(ctx, []pageReq{{path: path, q: q, item: counted}}, first)
	res.Count, res.HasCount = first[0].Count, first[0].HasCount
	return res, err
}

// sessionVisitor reads each session's two timestamps straight from the
// stream: nothing else of a session is built.
func sessionVisitor(visit func(SessionTimes)) itemFunc {
	return func(s *scanner) error {
		r, err := readRef(s, false)
		if err != nil {
			return err
		}
		visit(r.times)
		return nil
	}
}

func (s sessionJSON) times() (SessionTimes, error) {
	var t SessionTimes
	var err error
	if s.Created != nil {
		if t.Created, err = ParseTimestamp(*s.Created); err != nil {
			return t, fmt.Errorf("%s: %w", PropCreated, err)
		}
	}
	if s.LastModified != nil {
		if t.LastModified, err = ParseTimestamp(*s.LastModified); err != nil {
			return t, fmt.Errorf("%s: %w", PropLastModified, err)
		}
	}
	return t, nil
}

func sessionsPath(workspaceID string) (string, error) {
	if workspaceID == "" || workspaceID == "." || workspaceID == ".." {
		return "", fmt.Errorf("invalid workspace id %q", workspaceID)
	}
	return "/security/securityCopilot/workspaces/" + url.PathEscape(workspaceID) + "/sessions", nil
}
