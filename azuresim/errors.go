package azuresim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// apiError is a Graph error answer. Handlers return it and serveGraph writes
// it, so that every error body has the same shape.
type apiError struct {
	status     int
	code       string
	message    string
	retryAfter string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("graph %d %s: %s", e.status, e.code, e.message)
}

// asAPIError returns err as the Graph answer it stands for. An error that is
// not an *apiError is a failure of the simulator: 500.
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return &apiError{status: http.StatusInternalServerError, code: "InternalServerError", message: err.Error()}
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "BadRequest", message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, code: "NotFound", message: fmt.Sprintf(format, args...)}
}

// graphTimeSeconds is how Graph writes innerError.date: no fraction, no zone.
const graphTimeSeconds = "2006-01-02T15:04:05"

// writeGraphError writes e the way Graph does: code and message, and an
// innerError with the ids support asks for.
func (s *Server) writeGraphError(ex *exchange, r *http.Request, e *apiError) {
	inner := jsonObject{
		{"date", s.now().UTC().Format(graphTimeSeconds)},
		{"request-id", ex.requestID},
		{"client-request-id", r.Header.Get("client-request-id")},
	}
	body := jsonObject{{"error", jsonObject{
		{"code", e.code},
		{"message", e.message},
		{"innerError", inner},
	}}}
	h := ex.Header()
	if e.retryAfter != "" {
		h.Set("Retry-After", e.retryAfter)
	}
	if e.status == http.StatusUnauthorized {
		// Graph's own challenge; azcore parses it and, finding no CAE claims,
		// hands the 401 back to the caller.
		h.Set("WWW-Authenticate", `Bearer realm="", authorization_uri="`+s.url+`/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
	}
	if e.status == http.StatusTooManyRequests {
		s.stats.throttled()
	}
	writeJSON(ex, e.status, "application/json", body)
}

// jsonField and jsonObject write JSON objects with keys in a fixed order,
// as Graph does, which a map cannot.
type jsonField struct {
	key   string
	value any
}

type jsonObject []jsonField

func (o jsonObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := marshal(f.key)
		if err != nil {
			return nil, err
		}
		v, err := marshal(f.value)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", f.key, err)
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// marshal encodes without escaping <, > and &, as Graph does not.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// writeJSON writes a JSON body. An encoding failure is a bug in the
// simulator, answered with a bare 500 rather than a half-written body.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	body, err := marshal(v)
	if err != nil {
		http.Error(w, "azuresim: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeBody(w, status, contentType, body)
}

func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body) // a client that went away cannot be told anything
}
