package graphclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
)

// pageCall is one GET of a collection page and, once fetched, its outcome.
type pageCall struct {
	url  string // absolute, under the client's endpoint
	item itemFunc
	done func(pageMeta) // see pageReq
	meta pageMeta
	err  error

	// transient is set when the answer was one worth sending again, after
	// retryAfter (Graph's Retry-After, clamped; 0 when it gave none).
	transient  bool
	retryAfter time.Duration
	attempt    int
	waiter     *waiter // the Fetch waiting for this call, in a Batcher
	// before is the transient answer the call is being retried after.
	before error
}

// keepCause names the transient answer a retry followed when the retry
// itself only met the deadline: "deadline exceeded" alone would hide that
// Graph was answering 502.
func (call *pageCall) keepCause() {
	if call.before != nil && call.err != nil && (errors.Is(call.err, context.DeadlineExceeded) || errors.Is(call.err, context.Canceled)) {
		call.err = fmt.Errorf("%w (the try before: %w)", call.err, call.before)
	}
	call.before = nil
}

// fetcher sends page calls and fills in their outcomes, retries included.
// The Client sends them at once; a Batcher holds them until a round is
// ready.
type fetcher interface {
	fetch(ctx context.Context, calls []*pageCall)
}

// fetch sends the calls, and sends again those answered transiently after
// the wait Graph asked for. It is the fetcher of a lone caller, who has no
// round to hold up while it sleeps; a Batcher schedules retries itself.
func (c *Client) fetch(ctx context.Context, calls []*pageCall) {
	for len(calls) > 0 {
		c.send(ctx, calls)
		var again []*pageCall
		var wait time.Duration
		for _, call := range calls {
			if w, ok := c.retryWait(ctx, call); ok {
				again = append(again, call)
				wait = max(wait, w)
			} else {
				call.keepCause()
			}
		}
		if len(again) == 0 {
			return
		}
		if err := c.sleep(ctx, wait); err != nil {
			for _, call := range again {
				call.err, call.transient = fmt.Errorf("%w (then: %w)", call.err, err), false
			}
			return
		}
		c.resend(again)
		calls = again
	}
}

// getAlone is get for a lone caller that wants one answer: a transient
// answer is sent again after the wait Graph asked for, as fetch does.
func (c *Client) getAlone(ctx context.Context, rawURL string) (*http.Response, error) {
	call := &pageCall{url: rawURL}
	for {
		resp, err := c.get(ctx, rawURL)
		call.err = err
		markTransient(call, err)
		wait, again := c.retryWait(ctx, call)
		if !again {
			call.keepCause()
			return resp, call.err
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return nil, fmt.Errorf("%w (then: %w)", err, serr)
		}
		c.resend([]*pageCall{call})
	}
}

// retryWait asks the door's schedule whether a call answered transiently
// is sent again, and after how long: as long as the deadline leaves room
// for the wait. When the schedule gives up, the call's error says why and
// stands at once.
func (c *Client) retryWait(ctx context.Context, call *pageCall) (time.Duration, bool) {
	if !call.transient {
		return 0, false
	}
	wait, giveUp := c.door.Wait(ctx, call.attempt+1, call.retryAfter)
	if giveUp != nil {
		call.err, call.transient = fmt.Errorf("%w (%w)", call.err, giveUp), false
		return 0, false
	}
	return wait, true
}

// resend readies calls to be sent again and counts them as retries.
func (c *Client) resend(calls []*pageCall) {
	c.metrics.retries.Add(float64(len(calls)))
	for _, call := range calls {
		call.attempt++
		call.before, call.err, call.transient, call.retryAfter = call.err, nil, false, 0
	}
}

// send sends the calls once, concurrently, in $batch requests of up to
// maxBatchItems while Graph accepts batching, each alone otherwise. A lone
// call goes out as a plain GET: wrapping it would save nothing. It never
// sleeps: transient answers are marked for the caller to retry.
func (c *Client) send(ctx context.Context, calls []*pageCall) {
	if len(calls) == 1 || !c.batchAccepted() {
		c.parallel(len(calls), func(i int) { c.fetchOne(ctx, calls[i]) })
		return
	}
	chunks := (len(calls) + maxBatchItems - 1) / maxBatchItems
	c.parallel(chunks, func(i int) {
		c.sendBatch(ctx, calls[i*maxBatchItems:min((i+1)*maxBatchItems, len(calls))])
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
	markTransient(call, call.err)
	call.read()
}

// read tells the call's reader that its page is read, when it was.
func (call *pageCall) read() {
	if call.err == nil && call.done != nil {
		call.done(call.meta)
	}
}

// markTransient flags a call whose error is a transient Graph answer.
func markTransient(call *pageCall, err error) {
	var ge *Error
	if errors.As(err, &ge) && azurehttp.Transient(ge.Status) {
		call.transient, call.retryAfter = true, ge.retryAfter
	}
}

// page GETs one page and decodes it as a stream.
func (c *Client) page(ctx context.Context, rawURL string, item itemFunc) (pageMeta, error) {
	resp, err := c.get(ctx, rawURL)
	if err != nil {
		return pageMeta{}, err
	}
	defer resp.Body.Close()
	meta, err := decodePageUpTo(resp.Body, item, c.maxPage())
	if err != nil {
		return meta, fmt.Errorf("graph GET %s%s: %w", resp.Request.URL.EscapedPath(), requestIDNote(resp.Header.Get("request-id")), err)
	}
	return meta, nil
}
