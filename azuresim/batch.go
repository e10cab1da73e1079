package azuresim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

const (
	// maxBatchRequests is Graph's documented limit of requests per $batch.
	maxBatchRequests = 20
	// maxBatchBody bounds what a $batch POST may send; twenty GETs need a
	// few kilobytes.
	maxBatchBody = 1 << 20
)

// isBatchPath matches the unescaped path of a JSON batch. The segment is
// matched without regard to case, as Graph matches fixed segments.
func isBatchPath(path string) bool {
	rest, ok := strings.CutPrefix(path, "/beta/")
	return ok && strings.EqualFold(rest, "$batch")
}

// batchPayload is the body of a $batch POST.
type batchPayload struct {
	Requests []batchItem `json:"requests"`
}

// batchItem is one request inside a $batch. Its body, if any, is not read:
// only GET is served.
type batchItem struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	DependsOn []string          `json:"dependsOn"`
}

// serveBatch serves a JSON batch. It applies, in order: counting, latency
// (once for the whole batch), the bearer token, BatchUnsupported, the
// method, the validation of the payload, and then runs the requests one
// after the other in the order given. The answer lists their responses in
// another order.
func (s *Server) serveBatch(ex *exchange, r *http.Request) {
	s.stats.roundTrip(r.Method == http.MethodPost)
	faults := s.faults.current()
	setGraphHeaders(ex, r)
	s.delay(r, faults)
	items, e := s.acceptBatch(ex, r, faults)
	if e != nil {
		s.writeGraphError(ex, r, e)
		return
	}
	answers := make([]jsonObject, len(items))
	succeeded := make(map[string]bool, len(items))
	for i, item := range items {
		status, answer := s.runBatchItem(r, item, !allSucceeded(item.DependsOn, succeeded))
		answers[i] = answer
		succeeded[item.ID] = status >= 200 && status < 300
	}
	ex.Header().Set("OData-Version", "4.0")
	body, err := joinBatchAnswer(s.arrangeAnswers(answers, faults))
	if err != nil {
		http.Error(ex, "azuresim: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeBody(ex, http.StatusOK, odataJSON, body)
}

// joinBatchAnswer joins the items' JSON into the answer's. Encoding the whole
// with encoding/json would scan every page in it twice more; the
// simulator's CPU then weighs on the benchmarks of $batch, which share
// the machine with it, though Graph does that work on its own servers.
func joinBatchAnswer(items []jsonObject) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"responses":[`)
	for i, item := range items {
		b, err := item.MarshalJSON()
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(b)
	}
	buf.WriteString(`]}`)
	return buf.Bytes(), nil
}

// acceptBatch checks everything that makes Graph refuse a batch as a whole
// and returns its requests.
func (s *Server) acceptBatch(ex *exchange, r *http.Request, faults Faults) ([]batchItem, *apiError) {
	t, _, err := s.authenticate(r)
	if err != nil {
		return nil, asAPIError(err)
	}
	ex.tenant = t.id
	if e := batchUnsupported(faults); e != nil {
		return nil, e
	}
	if r.Method != http.MethodPost {
		ex.Header().Set("Allow", http.MethodPost)
		return nil, &apiError{status: http.StatusMethodNotAllowed, code: "BadRequest", message: "The HTTP method '" + r.Method + "' is not supported on $batch; use POST."}
	}
	return readBatch(r)
}

// readBatch decodes and validates a $batch body.
func readBatch(r *http.Request) ([]batchItem, *apiError) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/json" {
		return nil, badRequest("A $batch request must have Content-Type 'application/json', not '%s'.", r.Header.Get("Content-Type"))
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBatchBody+1))
	if err != nil {
		return nil, badRequest("The $batch body could not be read: %v", err)
	}
	if len(raw) > maxBatchBody {
		return nil, &apiError{status: http.StatusRequestEntityTooLarge, code: "RequestEntityTooLarge", message: fmt.Sprintf("The $batch body exceeds %d bytes.", maxBatchBody)}
	}
	var payload batchPayload
	if err := json.Unmarshal(raw, &payload); err != nil {
		return nil, badRequest("Invalid batch payload format: %v", err)
	}
	items := payload.Requests
	switch {
	case len(items) == 0:
		return nil, badRequest("Invalid batch payload format: 'requests' must hold at least one request.")
	case len(items) > maxBatchRequests:
		return nil, badRequest("The batch holds %d requests; the limit is %d.", len(items), maxBatchRequests)
	}
	seen := make(map[string]bool, len(items))
	for i, item := range items {
		switch {
		case item.ID == "":
			return nil, badRequest("Request %d of the batch has no 'id'.", i+1)
		case seen[item.ID]:
			return nil, badRequest("The batch holds more than one request with the id '%s'; ids must be unique.", item.ID)
		case item.Method == "":
			return nil, badRequest("The request '%s' of the batch has no 'method'.", item.ID)
		case item.URL == "":
			return nil, badRequest("The request '%s' of the batch has no 'url'.", item.ID)
		}
		// Requests run in the order given, so a dependency must come first.
		for _, dep := range item.DependsOn {
			if !seen[dep] {
				return nil, badRequest("The request '%s' depends on '%s', which is not an earlier request of the batch.", item.ID, dep)
			}
		}
		seen[item.ID] = true
	}
	return items, nil
}

func allSucceeded(ids []string, succeeded map[string]bool) bool {
	for _, id := range ids {
		if !succeeded[id] {
			return false
		}
	}
	return true
}

// arrangeAnswers puts the responses in the order Graph may use, any order,
// and applies BatchDropItem and BatchDuplicateID. answers are in request
// order.
func (s *Server) arrangeAnswers(answers []jsonObject, faults Faults) []jsonObject {
	kept := answers
	if faults.BatchDropItem {
		kept = answers[:len(answers)-1]
	}
	order := s.shuffler.permutation(len(kept))
	out := make([]jsonObject, 0, len(answers)+1)
	for _, i := range order {
		out = append(out, kept[i])
	}
	if faults.BatchDuplicateID && len(kept) > 0 {
		out = append(out, answers[0])
	}
	return out
}

func failedDependency() *apiError {
	return &apiError{status: http.StatusFailedDependency, code: "FailedDependency", message: "The request was not run because a request it depends on failed."}
}

// batchUnsupported is the answer BatchUnsupported asks for; nil when none.
func batchUnsupported(f Faults) *apiError {
	status := f.BatchUnsupported
	if status < 400 || status > 599 {
		return nil
	}
	e := &apiError{status: status, code: "InternalServerError", message: fmt.Sprintf("Simulated failure %d: batching is not available.", status)}
	switch status {
	case http.StatusBadRequest:
		e.code, e.message = "BadRequest", "Resource not found for the segment '$batch'."
	case http.StatusNotFound:
		e.code = "NotFound"
	case http.StatusMethodNotAllowed:
		e.code, e.message = "BadRequest", "The HTTP method 'POST' is not supported on '$batch'."
	case http.StatusTooManyRequests:
		return throttledError(f.RetryAfter)
	case http.StatusNotImplemented:
		e.code = "NotImplemented"
	case http.StatusServiceUnavailable:
		e.code, e.message, e.retryAfter = "ServiceUnavailable", "The service is temporarily unavailable. Retry later.", f.RetryAfter
	}
	return e
}
