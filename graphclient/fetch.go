package graphclient

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
)

// pageCall is one GET of a collection page and, once fetched, its outcome.
type pageCall struct {
	url  string // absolute, under the client's endpoint
	item func(*json.Decoder) error
	meta pageMeta
	err  error
}

// fetcher sends page calls and fills in their outcomes. The Client sends
// them at once; a Batcher holds them until a round is ready.
type fetcher interface {
	fetch(ctx context.Context, calls []*pageCall)
}

// fetch sends the calls concurrently, in $batch requests of up to
// maxBatchItems while Graph accepts batching, each alone otherwise. A lone
// call goes out as a plain GET: wrapping it would save nothing.
func (c *Client) fetch(ctx context.Context, calls []*pageCall) {
	if len(calls) == 1 || !c.batchAccepted() {
		c.parallel(len(calls), func(i int) { c.fetchOne(ctx, calls[i]) })
		return
	}
	chunks := (len(calls) + maxBatchItems - 1) / maxBatchItems
	c.parallel(chunks, func(i int) {
		c.sendBatch(ctx, calls[i*maxBatchItems:min((i+1)*maxBatchItems, len(calls))], 0)
	})
}

// parallel runs f(0) … f(n-1) concurrently and waits for all of them; the
// client's slots bound how many HTTP requests are in flight.
func (c *Client) parallel(n int, f func(int)) {
	if n == 1 {
		f(0)
		return
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}

// acquire takes one of the client's concurrency slots, giving up when ctx
// ends.
func (c *Client) acquire(ctx context.Context) (release func(), err error) {
	select {
	case c.slots <- struct{}{}:
		return func() { <-c.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *Client) fetchOne(ctx context.Context, call *pageCall) {
	release, err := c.acquire(ctx)
	if err != nil {
		call.err = err
		return
	}
	defer release()
	call.meta, call.err = c.page(ctx, call.url, call.item)
}

// page GETs one page and decodes it as a stream.
func (c *Client) page(ctx context.Context, rawURL string, item func(*json.Decoder) error) (pageMeta, error) {
	resp, err := c.get(ctx, rawURL)
	if err != nil {
		return pageMeta{}, err
	}
	defer resp.Body.Close()
	meta, err := decodePage(resp.Body, item)
	if err != nil {
		return meta, fmt.Errorf("graph GET %s (request-id %s): %w", resp.Request.URL.EscapedPath(), resp.Header.Get("request-id"), err)
	}
	return meta, nil
}
