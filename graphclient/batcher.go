package graphclient

import (
	"context"
	"sync"
	"sync/atomic"
)

// A Batcher sends the requests of cooperating goroutines in rounds. A round
// goes out when every goroutine taking part waits for an answer, so requests
// that could have been sent together are: the first pages of twenty
// workspaces share one $batch, and their next requests share the next. The
// rounds are deterministic, whatever the timing, which keeps the number of
// round trips per scrape a property the tests can assert.
//
// Every goroutine taking part must block only on the Batcher (or finish);
// Reader.Parallel starts goroutines the Batcher knows about.
type Batcher struct {
	c   *Client
	ctx context.Context

	mu      sync.Mutex
	active  int // goroutines taking part that have not finished
	waiting int // of them, those waiting for a round
	pending []*pageCall
	wakeups []chan struct{}
	sending bool
}

// NewBatcher returns a Batcher whose rounds run under ctx. The caller takes
// part until it hands over to Reader.Parallel.
func (c *Client) NewBatcher(ctx context.Context) *Batcher {
	return &Batcher{c: c, ctx: ctx, active: 1}
}

// Reader returns a Reader whose requests go out in the Batcher's rounds.
func (b *Batcher) Reader() Reader { return Reader{c: b.c, f: b, b: b} }

// fetch queues the calls for the next round and waits until it has been
// sent. The calls run under the Batcher's context, which the callers'
// contexts derive from.
func (b *Batcher) fetch(_ context.Context, calls []*pageCall) {
	wake := make(chan struct{})
	b.mu.Lock()
	b.pending = append(b.pending, calls...)
	b.wakeups = append(b.wakeups, wake)
	b.waiting++
	b.sendIfReadyLocked()
	b.mu.Unlock()
	<-wake
}

// sendIfReadyLocked starts a round when everyone waits and none is in flight.
func (b *Batcher) sendIfReadyLocked() {
	if b.sending || len(b.pending) == 0 || b.waiting < b.active {
		return
	}
	calls, wakeups := b.pending, b.wakeups
	b.pending, b.wakeups = nil, nil
	b.sending = true
	go func() {
		b.c.fetch(b.ctx, calls)
		b.mu.Lock()
		defer b.mu.Unlock()
		b.sending = false
		b.waiting -= len(wakeups)
		for _, w := range wakeups {
			close(w)
		}
		// Requests queued while this round was in flight go out once their
		// senders are all that still waits.
		b.sendIfReadyLocked()
	}()
}

// parallel runs fs as goroutines taking part. The caller steps aside while
// they run, and the last one to finish hands the caller its place back, so
// that no round goes out short of a goroutine that is about to ask.
func (b *Batcher) parallel(fs []func() error) error {
	if len(fs) == 0 {
		return nil
	}
	b.mu.Lock()
	b.active += len(fs) - 1
	b.mu.Unlock()
	var left atomic.Int32
	left.Store(int32(len(fs)))
	return runAll(fs, func() {
		if left.Add(-1) > 0 {
			b.leave()
		}
	})
}

func (b *Batcher) leave() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.active--
	b.sendIfReadyLocked()
}
