package azurehttp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// NewTransport is the socket layer the door uses when it is given none:
// TLS 1.2 or later against the system roots, bounded dial, handshake and
// header waits, and the proxy of the environment.
func NewTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 2 * time.Minute,
		ExpectContinueTimeout: time.Second,
	}
}

// roundTripper turns what a caller passed as its transport into a socket
// layer. An *http.Client gives its Transport only: its redirect policy is
// replaced by the door's.
func roundTripper(t policy.Transporter) http.RoundTripper {
	switch v := t.(type) {
	case nil:
		return NewTransport()
	case *http.Client:
		if v.Transport == nil {
			return NewTransport()
		}
		return v.Transport
	case http.RoundTripper:
		return v
	}
	return transporterFunc(t.Do)
}

type transporterFunc func(*http.Request) (*http.Response, error)

func (f transporterFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// newHTTPClient is the door's client: it never follows a redirect, since a
// redirect would carry a bearer token or a client secret to wherever the
// answer points.
func newHTTPClient(rt http.RoundTripper) *http.Client {
	return &http.Client{Transport: redirectRefuser{rt}}
}

// redirectRefuser refuses a redirect in the round trip itself. net/http's
// Client rewinds a request's body (GetBody) for the next hop before
// CheckRedirect is asked, while an HTTP/2 stream may still be reading
// that body: azcore's bodies rewind the same reader, so that was a data
// race whenever Azure answered a POST with a redirect before reading it.
type redirectRefuser struct{ rt http.RoundTripper }

func (r redirectRefuser) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.rt.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return resp, nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return resp, nil // net/http does not follow it either
	}
	e := &RedirectError{Status: resp.StatusCode, RequestID: requestID(resp.Header)}
	if u, perr := req.URL.Parse(loc); perr == nil {
		e.LocationHost = Printable(u.Host, 100)
	}
	resp.Body.Close()
	return nil, e
}

// RedirectError is a redirect the door refused to follow.
type RedirectError struct {
	Status       int
	LocationHost string // the host the answer pointed at; "" when none
	RequestID    string
}

func (e *RedirectError) Error() string {
	where := "without a Location"
	if e.LocationHost != "" {
		where = "to " + e.LocationHost
	}
	return fmt.Sprintf("refused to follow HTTP %d redirect %s (a request to Azure never follows a redirect)%s", e.Status, where, RequestIDNote(e.RequestID))
}

// NonRetriable tells azcore's retry policy (inside azidentity) that trying
// again cannot help.
func (e *RedirectError) NonRetriable() {}

// requestID is the id Azure gives an answer: Graph's request-id, Resource
// Manager's and Entra ID's x-ms-request-id.
func requestID(h http.Header) string {
	if id := h.Get("request-id"); id != "" {
		return id
	}
	return h.Get("x-ms-request-id")
}

// RequestIDNote is " (request-id ID)" for an error message, or nothing
// when the answer had no id.
func RequestIDNote(id string) string {
	if id == "" {
		return ""
	}
	return " (request-id " + Printable(id, 100) + ")"
}

// permanentError is a transport failure that no retry can mend: a
// certificate not trusted, a name mismatch, a TLS version refused, a
// request the door itself refused. It is returned at once with its cause,
// instead of being retried until the deadline hides it.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }
func (e *permanentError) NonRetriable() {}

// permanent reports whether a transport error is one that trying again
// cannot mend.
func permanent(err error) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verify           *tls.CertificateVerificationError
		alert            tls.AlertError
		record           tls.RecordHeaderError
		redirect         *RedirectError
		refused          *RefusedError
		tooLarge         *TooLargeError
		perm             *permanentError
	)
	return errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &alert) || errors.As(err, &record) ||
		errors.As(err, &redirect) || errors.As(err, &refused) || errors.As(err, &tooLarge) || errors.As(err, &perm)
}

// RefusedError is a request the door would not send: a secret bound for
// a host or a scheme it may not go to.
type RefusedError struct {
	URL    string // scheme and host only
	Reason string
}

func (e *RefusedError) Error() string {
	return "refused to send a request to " + e.URL + " (" + e.Reason + ")"
}

func (e *RefusedError) NonRetriable() {}

func schemeHost(u *url.URL) string {
	return Printable(u.Scheme+"://"+u.Host, 200)
}

// Socket wraps a socket layer (TLS, dialing, a proxy) as the Transport of
// Settings, for callers that have an http.RoundTripper, such as the
// simulator's. The door still puts its own client on top.
func Socket(rt http.RoundTripper) policy.Transporter {
	return newHTTPClient(rt)
}
