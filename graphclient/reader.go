package graphclient

import (
	"context"
	"sync"
)

// Reader reads a tenant's sessions. The Client's own Reader sends each
// request as it comes; a Batcher's Reader gathers the requests of many
// goroutines into rounds of $batch calls.
type Reader struct {
	c *Client
	f fetcher
	b *Batcher // nil for the Client's own Reader
}

// Reader returns a Reader that sends each request at once.
func (c *Client) Reader() Reader { return Reader{c: c, f: c} }

// ListSessions is the Client's Reader's ListSessions.
func (c *Client) ListSessions(ctx context.Context, workspaceID string, q Query, pageLimit int, visit func(SessionTimes)) (ListResult, error) {
	return c.Reader().ListSessions(ctx, workspaceID, q, pageLimit, visit)
}

// Parallel runs the functions concurrently and returns the first error in
// their order.
// Through a Batcher's Reader, their requests share rounds; a function that
// needs work done in parallel must use Parallel rather than its own
// goroutines, or the Batcher would wait for a goroutine it does not know.
func (r Reader) Parallel(fs ...func() error) error {
	if r.b != nil {
		return r.b.parallel(fs)
	}
	return runAll(fs, func() {})
}

// runAll runs fs concurrently, calling finished as each one ends, and
// returns the first error in their order.
func runAll(fs []func() error, finished func()) error {
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Go(func() {
			errs[i] = f()
			finished()
		})
	}
	wg.Wait()
	return firstError(errs)
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
