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

// validJSON is JSON text already checked valid, such as the
// body of a $batch item: written as it is, not checked again, since a
// batch of twenty pages would otherwise be read twice more on the cores
// the benchmarks share with the simulator.
type validJSON []byte

func (o jsonObject) MarshalJSON() ([]byte, error) {
	return o.appendJSON(nil)
}

// appendJSON writes the object without an encoder per value: a page of
// 1,000 sessions has several thousand values, and the simulator's CPU
// shares the benchmarks' cores with the exporter measured.
func (o jsonObject) appendJSON(buf []byte) ([]byte, error) {
	buf = append(buf, '{')
	for i, f := range o {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf, _ = appendValue(buf, f.key)
		buf = append(buf, ':')
		var err error
		if buf, err = appendValue(buf, f.value); err != nil {
			return nil, fmt.Errorf("field %q: %w", f.key, err)
		}
	}
	return append(buf, '}'), nil
}

// appendValue writes the values pages are made of directly, and anything
// else through marshal.
func appendValue(buf []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case jsonObject:
		return v.appendJSON(buf)
	case []jsonObject:
		buf = append(buf, '[')
		for i, o := range v {
			if i > 0 {
				buf = append(buf, ',')
			}
			var err error
			if buf, err = o.appendJSON(buf); err != nil {
				return nil, err
			}
		}
		return append(buf, ']'), nil
	case validJSON:
		return append(buf, v...), nil
	case string:
		if plainASCII(v) {
			buf = append(buf, '"')
			buf = append(buf, v...)
			return append(buf, '"'), nil
		}
	case int:
		return strconv.AppendInt(buf, int64(v), 10), nil
	case bool:
		return strconv.AppendBool(buf, v), nil
	}
	b, err := marshal(v)
	return append(buf, b...), err
}

// plainASCII reports whether s is written as JSON as it is, between
// quotes.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
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
