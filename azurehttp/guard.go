package azurehttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// identityTransport is the transport of every credential the door builds:
// azidentity and MSAL send discovery and token requests through it. It
// lets a request go only to the configured authority over https (or to a
// managed identity endpoint on the machine), so that a discovery answer
// naming another token endpoint never receives a secret; and it caps and
// checks every answer before MSAL reads it.
type identityTransport struct{ d *Door }

// IdentityClient is the door's way to Entra ID for a credential built
// outside identity.go: azcore's ClientOptions.Transport, or MSAL's
// WithHTTPClient, take it as it is. Its requests get every check the
// door's own credentials get.
func (d *Door) IdentityClient() interface {
	Do(*http.Request) (*http.Response, error)
	CloseIdleConnections()
} {
	return identityTransport{d}
}

// CloseIdleConnections is what MSAL asks of an HTTP client.
func (t identityTransport) CloseIdleConnections() { t.d.client.CloseIdleConnections() }

func (t identityTransport) Do(req *http.Request) (*http.Response, error) {
	if err := t.d.checkIdentity(req.URL); err != nil {
		return nil, err
	}
	resp, err := t.d.client.Do(req)
	if err != nil {
		err = unwrapURLError(err)
		if permanent(err) {
			return nil, &permanentError{err}
		}
		return nil, err
	}
	host := Printable(req.URL.Host, 100)
	body, err := io.ReadAll(capBody(resp.Body, host, requestID(resp.Header), maxIdentityAnswerBytes))
	resp.Body.Close()
	if err != nil {
		return nil, &permanentError{fmt.Errorf("read answer of %s: %w", host, err)}
	}
	if resp.StatusCode == http.StatusOK {
		if err := checkTokenAnswer(body); err != nil {
			return nil, &permanentError{fmt.Errorf("answer of %s%s: %w", host, RequestIDNote(requestID(resp.Header)), err)}
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

func (d *Door) allowIdentityHost(host string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.identityHosts[strings.ToLower(host)] = true
}

// checkIdentity lets a request to Entra ID go to the configured authority
// host over https, or to a managed identity endpoint of the machine.
func (d *Door) checkIdentity(u *url.URL) error {
	d.mu.Lock()
	local := d.identityHosts[strings.ToLower(u.Host)]
	d.mu.Unlock()
	switch {
	case u.User != nil:
		return &RefusedError{URL: schemeHost(u), Reason: "a URL with user information"}
	case local && (u.Scheme == "http" || u.Scheme == "https"):
		return nil
	case u.Scheme == "https" && strings.EqualFold(u.Host, d.authority.Host):
		return nil
	}
	return &RefusedError{URL: schemeHost(u), Reason: "credentials go only to " + schemeHost(d.authority) + ", the configured authority host"}
}

// checkTokenAnswer refuses a token answer MSAL would fail on with the
// answer quoted in its error: one without a lifetime. Other answers
// (discovery, metadata) pass.
func checkTokenAnswer(body []byte) error {
	var answer struct {
		AccessToken *json.RawMessage `json:"access_token"`
		ExpiresIn   json.RawMessage  `json:"expires_in"`
		ExpiresOn   json.RawMessage  `json:"expires_on"`
	}
	if json.Unmarshal(body, &answer) != nil || answer.AccessToken == nil {
		return nil
	}
	if !lifetime(answer.ExpiresIn) && !lifetime(answer.ExpiresOn) {
		return fmt.Errorf("token answer has no expires_in; its token is not used")
	}
	return nil
}

// lifetime reports whether a JSON value is a number, or a string of
// digits, as Entra ID and the managed identity endpoints write it.
func lifetime(raw json.RawMessage) bool {
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n != ""
	}
	var s string
	return json.Unmarshal(raw, &s) == nil && isDigits(s)
}
