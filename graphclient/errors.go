package graphclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
)

// maxErrorBody bounds how much of an error answer is read: an HTML error page
// from a proxy can be large and only its start is useful.
const maxErrorBody = 64 << 10

// Error is a Graph answer outside 2xx. Callers branch on Status and Code, as
// Microsoft advises, never on Message.
type Error struct {
	Method    string
	Path      string
	Status    int
	Code      string
	Message   string
	RequestID string
	// retryAfter is the answer's Retry-After, for the retry scheduler.
	retryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "graph %s %s: HTTP %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	b.WriteString(requestIDNote(e.RequestID))
	return b.String()
}

// requestIDNote is " (request-id ID)" for an error message, or nothing when
// Graph sent no request-id.
func requestIDNote(id string) string {
	if id == "" {
		return ""
	}
	return " (request-id " + singleLine(id, 100) + ")"
}

// IsStatus reports whether err is a Graph error with one of the given statuses.
func IsStatus(err error, statuses ...int) bool {
	var ge *Error
	if !errors.As(err, &ge) {
		return false
	}
	for _, s := range statuses {
		if ge.Status == s {
			return true
		}
	}
	return false
}

type odataErrorBody struct {
	Error struct {
		Code       string          `json:"code"`
		Message    string          `json:"message"`
		InnerError json.RawMessage `json:"innerError"`
	} `json:"error"`
}

type innerError struct {
	RequestID  string          `json:"request-id"`
	InnerError json.RawMessage `json:"innerError"`
}

// newError builds an Error from a non-2xx answer. A body that is not an
// OData error (an HTML page from a gateway, say) still gives an Error with the
// status, so the caller never mistakes it for data.
func newError(resp *http.Response) *Error {
	e := &Error{Status: resp.StatusCode, RequestID: resp.Header.Get("request-id"), retryAfter: azurehttp.RetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.Path = resp.Request.URL.EscapedPath()
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e.fillFromBody(body)
	return e
}

// fillFromBody takes the code, message and innermost request-id from an
// OData error body, or the status text when the body is something else.
func (e *Error) fillFromBody(body []byte) {
	var parsed odataErrorBody
	// Every part of the body may hold anything; none may break the one
	// log line an error makes. A code that is only blanks is no code.
	var code string
	if json.Unmarshal(body, &parsed) == nil {
		code = singleLine(parsed.Error.Code, 100)
	}
	if code == "" {
		e.Message = http.StatusText(e.Status)
		return
	}
	e.Code = code
	e.Message = singleLine(parsed.Error.Message, 300)
	if id := innermostRequestID(parsed.Error.InnerError); id != "" {
		e.RequestID = singleLine(id, 100)
	}
}

// innermostRequestID walks nested innerError objects; Graph puts the
// request-id at varying depths.
func innermostRequestID(raw json.RawMessage) string {
	id := ""
	for depth := 0; depth < 8 && len(raw) > 0; depth++ {
		var ie innerError
		if json.Unmarshal(raw, &ie) != nil {
			break
		}
		if ie.RequestID != "" {
			id = ie.RequestID
		}
		raw = ie.InnerError
	}
	return id
}

// TokenError is a failure to get a token from Entra ID. Its message is one
// line with the host asked, the AADSTS code and the cause, instead of
// azidentity's multi-line dump.
type TokenError struct {
	Tenant      string
	Host        string // the Entra ID (or managed identity) host asked
	Code        string // e.g. AADSTS7000215
	Description string
	// LastAttempt is why the last request to Host failed, when it got no
	// answer: a DNS failure, a refused connection, a timeout.
	LastAttempt string
	err         error
}

func (e *TokenError) Error() string {
	msg := fmt.Sprintf("get token for tenant %q", e.Tenant)
	if e.Host != "" {
		msg += " from " + e.Host
	}
	// Entra ID's description starts with the code; it is said once.
	if e.Code != "" && !strings.HasPrefix(e.Description, e.Code) {
		msg += ": " + e.Code
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	if e.LastAttempt != "" && !strings.Contains(e.Description, e.LastAttempt) {
		msg += " (last attempt: " + e.LastAttempt + ")"
	}
	return msg
}

func (e *TokenError) Unwrap() error { return e.err }

var (
	aadstsCode = regexp.MustCompile(`AADSTS\d+`)
	// urlHost finds the host of the first URL in azidentity's message,
	// which is the only place it keeps the host of a failed connection.
	urlHost = regexp.MustCompile(`https?://([^/\s"?#]+)`)
)

// troubleshooting starts the link azidentity appends to every message.
const troubleshooting = "To troubleshoot, visit"

// newTokenError builds a TokenError from azidentity's error. An answer from
// Entra ID gives its description; a failure to reach it (DNS, a refused
// connection, a timeout) is only in the message, flattened by azidentity,
// so the whole message is kept on one line. authority is the configured
// host, named when the message holds none; lastAttempt is the last request
// that got no answer, if any.
func newTokenError(tenant, authority string, err, lastAttempt error) *TokenError {
	te := &TokenError{Tenant: tenant, Host: authority, err: err}
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) && afe.RawResponse != nil {
		if req := afe.RawResponse.Request; req != nil && req.URL != nil {
			te.Host = req.URL.Host
		}
		var body struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if payload, perr := runtime.Payload(afe.RawResponse); perr == nil && json.Unmarshal(payload, &body) == nil {
			te.Description = singleLine(body.Description, 300)
			if te.Description == "" {
				te.Description = body.Error
			}
		}
	}
	if te.Description == "" {
		msg, _, _ := strings.Cut(err.Error(), troubleshooting)
		te.Description = strings.TrimSuffix(oneLine(msg, 400), ".")
		if m := urlHost.FindStringSubmatch(msg); m != nil {
			te.Host = m[1]
		}
	}
	if lastAttempt != nil {
		te.LastAttempt = oneLine(lastAttempt.Error(), 300)
		var ue *url.Error
		if errors.As(lastAttempt, &ue) {
			if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
				te.Host = u.Host
			}
		}
	}
	// azidentity and MSAL quote whole answers in their messages, a token
	// answer included: nothing that may be part of a token or a secret
	// reaches the log or the access check's output.
	te.Description, te.LastAttempt = azurehttp.Redact(te.Description), azurehttp.Redact(te.LastAttempt)
	te.Code = aadstsCode.FindString(te.Description)
	if te.Code == "" {
		te.Code = aadstsCode.FindString(err.Error())
	}
	return te
}

// oneLine joins the lines of s with single spaces and cuts it to max bytes.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return s
}

// singleLine keeps the first line of s, cut to max bytes, so that one error
// is one log line.
func singleLine(s string, max int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	s = strings.TrimSpace(strings.TrimSuffix(s, "\r"))
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
