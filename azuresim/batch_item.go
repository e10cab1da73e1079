package azuresim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	mrand "math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// batchJob is one request of a batch: what was decided in request order
// before it runs, then, once done is closed, its answer.
type batchJob struct {
	item        batchItem
	inner       *http.Request
	escapedPath string
	rt          route
	faults      Faults
	preempt     *apiError
	// waitFor are the earlier requests this one must run after: those it
	// depends on, and the last earlier one on the same workspace when
	// TransientFor counts that workspace's failures in request order.
	waitFor []*batchJob
	// dependsOn are the requests of waitFor named in its dependsOn.
	dependsOn []*batchJob

	done   chan struct{}
	status int
	answer []byte
	err    error
	logged *RecordedRequest // nil if it did not answer
	// panicked is what answering it panicked with, such as the
	// http.ErrAbortHandler of BodyReset; the batch's handler panics with
	// it in turn, so that it cuts the batch's answer as before.
	panicked any
}

// prepareBatchItem decides, in request order, what the order of a batch's
// requests decides: the counts, ThrottleEvery and DependencyFailed, and
// which earlier requests it must wait for. earlier are the batch's
// requests before it.
func (s *Server) prepareBatchItem(outer *http.Request, item batchItem, earlier []*batchJob) *batchJob {
	inner, escapedPath, urlErr := innerRequest(outer, item)
	rt := route{bucket: PathOther, err: urlErr}
	if urlErr == nil {
		rt = parseRoute(strings.TrimPrefix(escapedPath, "/beta"))
	}
	s.stats.logicalRequest(rt.bucket)
	faults, preempt := s.faults.nextGraphRequest(true, item.URL)
	j := &batchJob{item: item, inner: inner, escapedPath: escapedPath, rt: rt, faults: faults, preempt: preempt, done: make(chan struct{})}
	for _, dep := range item.DependsOn {
		for _, e := range earlier {
			if e.item.ID == dep {
				j.dependsOn = append(j.dependsOn, e)
			}
		}
	}
	j.waitFor = j.dependsOn
	if _, counted := faults.TransientFor[rt.workspaceID]; counted && rt.underWS {
		for _, e := range slices.Backward(earlier) {
			if e.rt.underWS && e.rt.workspaceID == rt.workspaceID {
				j.waitFor = append(slices.Clip(j.waitFor), e)
				break
			}
		}
	}
	return j
}

// run answers the request through the same code as a standalone request,
// minus the latency, once the requests it waits for are done. A request
// named in its dependsOn that did not succeed makes it 424 without
// running, as Graph does.
func (s *Server) run(j *batchJob) {
	defer close(j.done)
	defer func() { j.panicked = recover() }()
	preempt := j.preempt
	for _, w := range j.waitFor {
		<-w.done
	}
	for _, d := range j.dependsOn {
		if d.status < 200 || d.status > 299 {
			preempt = failedDependency()
		}
	}
	rec := &itemRecorder{header: make(http.Header)}
	ex := &exchange{ResponseWriter: rec, requestID: newUUID()}
	setGraphHeaders(ex, j.inner)
	s.answerGraph(ex, j.inner, j.rt, j.faults, preempt, j.escapedPath)
	logged := s.record(j.inner, ex, j.escapedPath)
	logged.InBatch, logged.BatchItemID = true, j.item.ID
	j.logged = &logged
	j.status = ex.status
	j.answer, j.err = rec.answer(j.item.ID).MarshalJSON()
}

// innerRequest builds the request an item stands for. It carries the
// headers of the $batch POST, the bearer token included, overridden by the
// item's own except Authorization: a batch runs with one identity. When
// the url cannot be served, the request is still returned, with an error
// to answer it with.
func innerRequest(outer *http.Request, item batchItem) (*http.Request, string, *apiError) {
	header := outer.Header.Clone()
	header.Del("Content-Type") // they describe the batch, not the item
	header.Del("Content-Length")
	for k, v := range item.Headers {
		if !strings.EqualFold(k, "Authorization") {
			header.Set(k, v)
		}
	}
	inner := (&http.Request{
		Method:     strings.ToUpper(item.Method),
		Header:     header,
		Body:       http.NoBody,
		Host:       outer.Host,
		Proto:      outer.Proto,
		ProtoMajor: outer.ProtoMajor,
		ProtoMinor: outer.ProtoMinor,
		RemoteAddr: outer.RemoteAddr,
		TLS:        outer.TLS,
	}).WithContext(outer.Context())

	rel := item.URL
	if !strings.HasPrefix(rel, "/") {
		rel = "/" + rel // Graph takes "me" as well as "/me"
	}
	u, err := url.ParseRequestURI("/beta" + rel)
	if err == nil && !isAbsoluteURL(item.URL) {
		inner.URL, inner.RequestURI = u, u.RequestURI()
		return inner, u.EscapedPath(), nil
	}
	path, query, _ := strings.Cut(rel, "?")
	inner.URL = &url.URL{Path: "/beta" + path, RawQuery: query}
	inner.RequestURI = "/beta" + rel
	if isAbsoluteURL(item.URL) {
		return inner, "/beta" + path, badRequest("Invalid request URL '%s': a request inside a batch takes a URL relative to the version, such as '/security/securityCopilot/workspaces'.", item.URL)
	}
	return inner, "/beta" + path, badRequest("The request URI is malformed: %v", err)
}

func isAbsoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.IsAbs()
}

// itemRecorder keeps the answer to a request inside a batch.
type itemRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *itemRecorder) Header() http.Header { return w.header }

func (w *itemRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *itemRecorder) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	n, _ := w.body.Write(b) // bytes.Buffer.Write fails only by panicking
	return n, nil
}

// answer is the item's entry of the batch answer.
func (w *itemRecorder) answer(id string) jsonObject {
	obj := jsonObject{{"id", id}, {"status", w.status}, {"headers", itemHeaders(w.header)}}
	if w.body.Len() > 0 {
		obj = append(obj, jsonField{"body", itemBody(w.header.Get("Content-Type"), w.body.Bytes())})
	}
	return obj
}

// graphHeaderName writes a header name the way Graph does, where that
// differs from Go's canonical form.
func graphHeaderName(canonical string) string {
	switch canonical {
	case "Request-Id":
		return "request-id"
	case "Client-Request-Id":
		return "client-request-id"
	case "Odata-Version":
		return "OData-Version"
	case "Www-Authenticate":
		return "WWW-Authenticate"
	}
	return canonical
}

// itemHeaders are an item's response headers as a JSON object of strings,
// sorted by name. Content-Length means nothing inside JSON, and the
// diagnostic header belongs to the HTTP answer of the batch.
func itemHeaders(h http.Header) jsonObject {
	names := make([]string, 0, len(h))
	for name := range h {
		if name != "Content-Length" && name != "X-Ms-Ags-Diagnostic" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	out := make(jsonObject, 0, len(names))
	for _, name := range names {
		out = append(out, jsonField{graphHeaderName(name), strings.Join(h[name], ", ")})
	}
	return out
}

// itemBody embeds a JSON body as JSON and any other body, such as the
// text/plain of sessions/$count, as a base64 string, as Graph does.
func itemBody(contentType string, body []byte) any {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err == nil && mediaType == "application/json" && json.Valid(body) {
		return validJSON(body)
	}
	return base64.StdEncoding.EncodeToString(body)
}

// shuffleSeed makes the order of batch answers the same on every server,
// so that a test that fails on one order fails again.
const shuffleSeed = 0x67726170687369 // "graphsi"

// answerShuffler draws the order of batch answers.
type answerShuffler struct {
	mu  sync.Mutex
	rng *mrand.Rand
}

// permutation returns a random order of n answers. It is never the request
// order when n > 1, so that a client that pairs answers with requests by
// position fails every time rather than now and then.
func (sh *answerShuffler) permutation(n int) []int {
	sh.mu.Lock()
	if sh.rng == nil {
		sh.rng = mrand.New(mrand.NewPCG(shuffleSeed, shuffleSeed))
	}
	order := sh.rng.Perm(n)
	sh.mu.Unlock()
	if n > 1 && slices.IsSorted(order) {
		order = append(order[1:], order[0])
	}
	return order
}
