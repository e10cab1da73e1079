package graphclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// ErrCountUnsupported means Graph answered a $count=true request without
// @odata.count, so the caller must count by listing.
var ErrCountUnsupported = errors.New("graph answered without @odata.count")

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

// Lookup is one single-page query of a workspace's sessions.
type Lookup struct {
	Query Query
	// Visit gets the timestamps of each session on the page; nil ignores them.
	Visit func(SessionTimes)
}

// ListSessions lists the workspace's sessions with the query q and hands the
// timestamps of each to visit. With pageLimit > 0 it stops after that many
// pages, and the result tells whether the listing was complete.
func (r Reader) ListSessions(ctx context.Context, workspaceID string, q Query, pageLimit int, visit func(SessionTimes)) (ListResult, error) {
	path, err := sessionsPath(workspaceID)
	if err != nil {
		return ListResult{}, err
	}
	return r.c.list(ctx, r.f, r.c.url(path, q), pageLimit, sessionVisitor(visit))
}

// ContinueSessions lists the rest of a listing that ListSessions stopped
// early, from the NextLink it returned, to the end.
func (r Reader) ContinueSessions(ctx context.Context, nextLink string, visit func(SessionTimes)) (ListResult, error) {
	if err := r.c.checkNextLink(nextLink, map[string]bool{}); err != nil {
		return ListResult{}, err
	}
	return r.c.list(ctx, r.f, nextLink, 0, sessionVisitor(visit))
}

// Lookup asks for the first page of each query at once, so that a Batcher
// puts them in the same round, and fails if any of them fails.
func (r Reader) Lookup(ctx context.Context, workspaceID string, lookups []Lookup) ([]ListResult, error) {
	path, err := sessionsPath(workspaceID)
	if err != nil {
		return nil, err
	}
	calls := make([]*pageCall, len(lookups))
	for i, l := range lookups {
		visit := l.Visit
		if visit == nil {
			visit = func(SessionTimes) {}
		}
		calls[i] = &pageCall{url: r.c.url(path, l.Query), item: sessionVisitor(visit)}
	}
	r.f.fetch(ctx, calls)
	out := make([]ListResult, len(calls))
	for i, call := range calls {
		if call.err != nil {
			return nil, call.err
		}
		m := call.meta
		out[i] = ListResult{Count: m.Count, HasCount: m.HasCount, Items: int64(m.Items), Pages: 1, Complete: m.NextLink == "", NextLink: m.NextLink}
		if m.NextLink != "" {
			if err := r.c.checkNextLink(m.NextLink, map[string]bool{call.url: true}); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// CountSessions asks Graph how many sessions match each filter, reading one
// item at most per filter, all in one round.
func (r Reader) CountSessions(ctx context.Context, workspaceID string, filters []Filter) ([]int64, error) {
	lookups := make([]Lookup, len(filters))
	for i, f := range filters {
		lookups[i] = Lookup{Query: Query{Count: true, Filter: f, Select: []string{PropCreated}, Top: 1}}
	}
	res, err := r.Lookup(ctx, workspaceID, lookups)
	if err != nil {
		return nil, err
	}
	counts := make([]int64, len(res))
	for i, lr := range res {
		if !lr.HasCount {
			return nil, ErrCountUnsupported
		}
		if lr.Count < lr.Items {
			return nil, fmt.Errorf("@odata.count %d is less than the %d items in the same answer", lr.Count, lr.Items)
		}
		counts[i] = lr.Count
	}
	return counts, nil
}

func sessionVisitor(visit func(SessionTimes)) func(*json.Decoder) error {
	return func(dec *json.Decoder) error {
		var s sessionJSON
		if err := dec.Decode(&s); err != nil {
			return err
		}
		times, err := s.times()
		if err != nil {
			return err
		}
		visit(times)
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

// Get returns the timestamp named by prop, PropCreated or PropLastModified.
func (s SessionTimes) Get(prop string) time.Time {
	if prop == PropLastModified {
		return s.LastModified
	}
	return s.Created
}
