package graphclient

import (
	"context"
	"sync"
	"time"
)

// A Batcher sends the requests of a fixed set of participants in rounds. A
// round goes out when every participant still running waits for an answer,
// so requests that could have been sent together are: the first pages of
// twenty workspaces share one $batch, and their next requests share the
// next. Rounds are deterministic, whatever the timing, which keeps the
// number of round trips per scrape a property the tests can assert.
//
// A request answered transiently leaves its round: the round settles for
// everyone else, and the request alone is sent again after its own
// Retry-After, in whichever round goes out then. Its participant counts as
// waiting meanwhile, so the others' rounds never wait for it and no round
// ever sleeps.
type Batcher struct {
	c   *Client
	ctx context.Context

	mu      sync.Mutex
	active  int // participants that have not finished
	waiting int // of them, those inside Fetch
	pending []*pageCall
	sending bool
}

// waiter is one Fetch waiting for its calls to settle.
type waiter struct {
	left int
	wake chan struct{}
}

// Run runs each part as a participant of one Batcher whose rounds run under
// ctx, hands each a Reader whose requests go out in those rounds, and
// returns when all parts have. A part must block only on its Reader (or
// finish), and use it from one goroutine.
func (c *Client) Run(ctx context.Context, parts ...func(Reader)) {
	b := &Batcher{c: c, ctx: ctx, active: len(parts)}
	var wg sync.WaitGroup
	for _, part := range parts {
		wg.Go(func() {
			defer b.leave()
			part(Reader{c: c, f: b})
		})
	}
	wg.Wait()
}

// fetch queues the calls for the next round and waits until each of them is
// settled. The calls run under the Batcher's context.
func (b *Batcher) fetch(_ context.Context, calls []*pageCall) {
	if len(calls) == 0 {
		return
	}
	w := &waiter{left: len(calls), wake: make(chan struct{})}
	b.mu.Lock()
	for _, call := range calls {
		call.waiter = w
	}
	b.pending = append(b.pending, calls...)
	b.waiting++
	b.sendIfReadyLocked()
	b.mu.Unlock()
	<-w.wake
}

// sendIfReadyLocked starts a round when everyone waits and none is in
// flight.
func (b *Batcher) sendIfReadyLocked() {
	if b.sending || len(b.pending) == 0 || b.waiting < b.active {
		return
	}
	calls := b.pending
	b.pending = nil
	b.sending = true
	go b.round(calls)
}

// round sends one round and settles its calls, except those to be sent
// again, which wait on their own timers.
func (b *Batcher) round(calls []*pageCall) {
	b.c.send(b.ctx, calls)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sending = false
	for _, call := range calls {
		if wait, ok := b.c.retryWait(b.ctx, call); ok {
			go b.retryAfter(call, wait)
			continue
		}
		b.settleLocked(call)
	}
	// Requests queued while this round was in flight go out once their
	// senders are all that still waits.
	b.sendIfReadyLocked()
}

// retryAfter queues call again once wait has passed, for the next round.
func (b *Batcher) retryAfter(call *pageCall, wait time.Duration) {
	err := b.c.sleep(b.ctx, wait)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		call.err, call.transient = err, false
		b.settleLocked(call)
		return
	}
	b.c.resend([]*pageCall{call})
	// First in the next round: of requests counted against a quota, the
	// one that already waited goes first.
	b.pending = append([]*pageCall{call}, b.pending...)
	b.sendIfReadyLocked()
}

func (b *Batcher) settleLocked(call *pageCall) {
	call.keepCause()
	w := call.waiter
	if w.left--; w.left == 0 {
		b.waiting--
		close(w.wake)
	}
}

func (b *Batcher) leave() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.active--
	b.sendIfReadyLocked()
}
