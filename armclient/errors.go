package armclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// Error is a Resource Manager answer outside 2xx. Callers branch on Status
// and Code, never on Message.
type Error struct {
	Path          string
	Status        int
	Code          string
	Message       string
	RequestID     string // x-ms-request-id
	CorrelationID string // x-ms-correlation-request-id, what support asks for
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource manager GET %s: HTTP %d", e.Path, e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.CorrelationID != "" {
		fmt.Fprintf(&b, " (correlation-id %s)", e.CorrelationID)
	}
	return b.String()
}

// Hint says what usually fixes the error, for the log; empty when nothing
// specific is known.
func (e *Error) Hint() string {
	switch {
	case e.Status == http.StatusForbidden:
		return "grant the application the Reader role on the subscription, resource group or capacity"
	case e.Code == "SubscriptionNotFound":
		return "check the subscription id, and that it belongs to the tenant"
	case e.Status == http.StatusNotFound:
		return "check the resource id: the capacity may have been deleted"
	}
	return ""
}

// newError reads the error body, {"error":{"code":…,"message":…}}. A body
// that is not one (a gateway's HTML page) still gives an Error with the
// status, so it is never mistaken for data.
func newError(resp *http.Response) *Error {
	e := &Error{
		Status:        resp.StatusCode,
		RequestID:     resp.Header.Get("x-ms-request-id"),
		CorrelationID: resp.Header.Get("x-ms-correlation-request-id"),
	}
	if resp.Request != nil {
		e.Path = resp.Request.URL.EscapedPath()
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil {
		return e
	}
	var parsed struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &parsed) == nil {
		e.Code = truncate(parsed.Error.Code, 128)
		e.Message = truncate(parsed.Error.Message, 512)
	}
	return e
}

// isNoProvider reports whether a subscription listing answered that the
// subscription has no such resources: 404, unless the subscription itself
// was not found.
func isNoProvider(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound && e.Code != "SubscriptionNotFound"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
