package graphclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
)

const (
	// maxBatchItems is Graph's limit of requests in one $batch.
	maxBatchItems = 20
	// batchRefusalMemory is how long requests go out singly after Graph
	// refused $batch, before batching is tried again.
	batchRefusalMemory = time.Hour
)

// itemTransient reports whether a $batch item is worth sending again: the
// door's transient statuses, and 424, which Graph gives an item whose
// dependency failed.
func itemTransient(status int) bool {
	return azurehttp.Transient(status) || status == http.StatusFailedDependency
}

// batchRefusedStatuses are the answers of a Graph that does not take $batch
// here; the requests then go out one by one.
var batchRefusedStatuses = []int{http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented}

func (c *Client) batchAccepted() bool {
	until := c.batchRefusedUntil.Load()
	return until == nil || time.Now().After(*until)
}

// sendBatch sends up to maxBatchItems calls in one $batch. Items answered
// transiently are marked, each with its own Retry-After, for the caller to
// send again: only those, never the whole batch, and never by sleeping here.
func (c *Client) sendBatch(ctx context.Context, calls []*pageCall) {
	if len(calls) == 1 {
		c.fetchOne(ctx, calls[0])
		return
	}
	release, err := c.acquire(ctx)
	if err != nil {
		setErr(calls, err)
		return
	}
	resp, err := c.postBatch(ctx, calls)
	if err != nil {
		release()
		if IsStatus(err, batchRefusedStatuses...) {
			c.refuseBatching(err)
			c.parallel(len(calls), func(i int) { c.fetchOne(ctx, calls[i]) })
			return
		}
		setErr(calls, err)
		for _, call := range calls {
			markTransient(call, err)
		}
		return
	}
	c.readBatch(resp, calls)
	resp.Body.Close()
	release()
}

func (c *Client) refuseBatching(err error) {
	until := time.Now().Add(batchRefusalMemory)
	c.batchRefusedUntil.Store(&until)
	c.logger.Warn("Graph refused $batch; sending requests one by one", "tenant", c.tenant, "for", batchRefusalMemory, "err", err)
}

func setErr(calls []*pageCall, err error) {
	for _, call := range calls {
		call.err = err
	}
}

// postBatch sends the calls as one $batch and returns the answer unread.
func (c *Client) postBatch(ctx context.Context, calls []*pageCall) (*http.Response, error) {
	reqs := make([]batchRequest, len(calls))
	for i, call := range calls {
		rel, err := c.relative(call.url)
		if err != nil {
			return nil, err
		}
		reqs[i] = batchRequest{ID: strconv.Itoa(i + 1), Method: http.MethodGet, URL: rel}
	}
	body, err := json.Marshal(map[string][]batchRequest{"requests": reqs})
	if err != nil {
		return nil, fmt.Errorf("encode $batch: %w", err)
	}
	req, err := http.NewRequestWithContext(context.WithValue(ctx, batchKey{}, true), http.MethodPost, c.endpoint.String()+"/$batch", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build $batch request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	return c.do(req, c.batchCap)
}

// relative turns an absolute URL under the endpoint into the form $batch
// items take: path and query after the API version.
func (c *Client) relative(abs string) (string, error) {
	base := c.endpoint.String()
	rel, ok := strings.CutPrefix(abs, base)
	if !ok || !strings.HasPrefix(rel, "/") {
		return "", fmt.Errorf("URL %q is not under %s", abs, base)
	}
	return rel, nil
}

// readBatch decodes the answer item by item and settles each call, marking
// those answered transiently with their own Retry-After. Items missing from
// the answer, or answered twice, fail: neither may count; an answer that
// cannot be read to its end fails every call.
func (c *Client) readBatch(resp *http.Response, calls []*pageCall) {
	answered := make([]bool, len(calls))
	br := &batchReader{c: c, calls: calls, answered: answered}
	br.settle = func(i int, r *batchResponse) {
		if i < 0 {
			return // not ours: the items it should have answered stay missing
		}
		call := calls[i]
		if answered[i] {
			call.err, call.transient = fmt.Errorf("graph $batch answered request %s twice", r.ID), false
			return
		}
		answered[i] = true
		c.metrics.requests.WithLabelValues(statusLabel(r.Status)).Inc()
		call.meta, call.err = c.settle(call, r)
		if itemTransient(r.Status) {
			call.transient, call.retryAfter = true, azurehttp.RetryAfter(r.header("Retry-After"), time.Now())
		}
		call.read()
	}
	err := br.decodeBatch(resp)
	for i, call := range calls {
		switch {
		case err != nil:
			// An answer that breaks is not trusted as a whole, as if none
			// of it had come, though its first items may have streamed
			// in whole before the break: whether it was still going to
			// answer one twice or leave one out is unknown.
			call.err, call.transient = err, false
		case !answered[i]:
			call.err = fmt.Errorf("graph $batch answer has no response for request %d", i+1)
		}
	}
}

// settle turns one item of a $batch answer into the call's outcome. A
// body read as it streamed has its outcome already; a body kept raw is
// decoded now.
func (c *Client) settle(call *pageCall, r *batchResponse) (pageMeta, error) {
	path := call.url
	if rel, err := c.relative(call.url); err == nil {
		path, _, _ = strings.Cut(rel, "?")
	}
	if r.err != nil {
		return pageMeta{}, fmt.Errorf("graph GET %s in $batch%s: %w", path, requestIDNote(r.requestID), r.err)
	}
	if r.Status < 200 || r.Status > 299 {
		e := &Error{Method: http.MethodGet, Path: path, Status: r.Status, RequestID: r.header("request-id")}
		e.fillFromBody(r.Body)
		return pageMeta{}, e
	}
	if !isJSON(r.header("Content-Type")) {
		return pageMeta{}, fmt.Errorf("graph GET %s in $batch: answer is %q, not JSON", path, truncate(r.header("Content-Type"), 64))
	}
	meta, err := r.meta, r.pageErr
	if err != nil && !errors.Is(err, errPageTooLarge) {
		err = fmt.Errorf("decode page: %w", err)
	}
	if !r.streamed {
		meta, err = decodePageUpTo(bytes.NewReader(r.Body), call.item, c.maxPage())
	}
	if err != nil {
		return meta, fmt.Errorf("graph GET %s in $batch%s: %w", path, requestIDNote(r.header("request-id")), err)
	}
	return meta, nil
}

// statusLabel is the code label of a $batch item's status. The status is
// whatever the answer claims, so one outside HTTP's range gets one label
// rather than a new series per odd value.
func statusLabel(status int) string {
	if status < 100 || status > 599 {
		return "invalid"
	}
	return strconv.Itoa(status)
}
