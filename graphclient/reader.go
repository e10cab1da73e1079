package graphclient

import (
	"context"
)

// Reader reads a tenant's sessions. The Client's own Reader sends each
// request as it comes; the Reader a Batcher hands a participant gathers its
// requests with the other participants' into rounds of $batch calls.
type Reader struct {
	c *Client
	f fetcher
}

// Reader returns a Reader that sends each request at once.
func (c *Client) Reader() Reader { return Reader{c: c, f: c} }

// ListSessions is the Client's Reader's ListSessions.
func (c *Client) ListSessions(ctx context.Context, workspaceID string, q Query, visit func(SessionTimes)) (ListResult, error) {
	return c.Reader().ListSessions(ctx, workspaceID, q, visit)
}
