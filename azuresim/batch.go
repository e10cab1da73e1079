package azuresim

import (
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
// method and the validation of the payload. Then it decides, one request
// after the other in the order given, everything that depends on order
// (the counts, ThrottleEvery and DependencyFailed, the answer order), runs
// the requests side by side as Graph does (see runBatch), and streams the
// answer, which lists their responses in another order.
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
	jobs := make([]*batchJob, len(items))
	for i, item := range items {
		jobs[i] = s.prepareBatchItem(r, item, jobs[:i])
	}
	order := s.answerOrder(len(jobs), faults)
	s.runBatch(jobs, order)
	s.streamBatchAnswer(ex, jobs, order)
}

// answerOrder is the order of the answer's items, as request indexes:
// any order, as Graph may use, without the last item under BatchDropItem
// and with the first one again under BatchDuplicateID.
func (s *Server) answerOrder(n int, faults Faults) []int {
	kept := n
	if faults.BatchDropItem {
		kept--
	}
	order := s.shuffler.permutation(kept)
	if faults.BatchDuplicateID && kept > 0 {
		order = append(order, 0)
	}
	return order
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
