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

// ListSessions lists the workspace's sessions with the query q and hands the
// timestamps of each to visit. With pageLimit > 0 it stops after that many
// pages, and the result tells whether the listing was complete.
func (c *Client) ListSessions(ctx context.Context, workspaceID string, q Query, pageLimit int, visit func(SessionTimes)) (ListResult, error) {
	path, err := sessionsPath(workspaceID)
	if err != nil {
		return ListResult{}, err
	}
	return c.list(ctx, c.url(path, q), pageLimit, sessionVisitor(visit))
}

// ContinueSessions lists the rest of a listing that ListSessions stopped
// early, from the NextLink it returned, to the end.
func (c *Client) ContinueSessions(ctx context.Context, nextLink string, visit func(SessionTimes)) (ListResult, error) {
	if err := c.checkNextLink(nextLink, map[string]bool{}); err != nil {
		return ListResult{}, err
	}
	return c.list(ctx, nextLink, 0, sessionVisitor(visit))
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

// CountSessions asks Graph how many sessions match the filter, reading one
// item at most.
func (c *Client) CountSessions(ctx context.Context, workspaceID string, f Filter) (int64, error) {
	q := Query{Count: true, Filter: f, Select: []string{PropCreated}, Top: 1}
	res, err := c.ListSessions(ctx, workspaceID, q, 1, func(SessionTimes) {})
	if err != nil {
		return 0, err
	}
	if !res.HasCount {
		return 0, ErrCountUnsupported
	}
	if res.Count < res.Items {
		return 0, fmt.Errorf("@odata.count %d is less than the %d items in the same answer", res.Count, res.Items)
	}
	return res.Count, nil
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
