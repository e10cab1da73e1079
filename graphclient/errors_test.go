package graphclient

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/paging"
)

func errorResponse(status int, header http.Header, body string) *http.Response {
	u, _ := url.Parse("https://graph.example/beta/security/securityCopilot/workspaces/default/sessions?$top=5")
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(strings.NewReader(body)),
		Request: &http.Request{Method: http.MethodGet, URL: u}}
}

func TestNewErrorParsesODataBody(t *testing.T) {
	body := `{"error":{"code":"Forbidden","message":"Missing role\nsecond line","innerError":{"date":"2025-10-15T15:54:58","innerError":{"request-id":"inner-id","client-request-id":"c"}}}}`
	e := newError(errorResponse(403, http.Header{"Request-Id": {"header-id"}}, body))
	if e.Status != 403 || e.Code != "Forbidden" || e.Message != "Missing role" || e.RequestID != "inner-id" {
		t.Fatalf("got %+v", e)
	}
	want := "graph GET /beta/security/securityCopilot/workspaces/default/sessions: HTTP 403 Forbidden: Missing role (request-id inner-id)"
	if e.Error() != want {
		t.Fatalf("Error() = %q\nwant %q", e.Error(), want)
	}
}

func TestNewErrorUnknownErrorWithEmptyMessage(t *testing.T) {
	e := newError(errorResponse(500, http.Header{"Request-Id": {"rid"}}, `{"error":{"code":"UnknownError","message":""}}`))
	if e.Code != "UnknownError" || e.RequestID != "rid" || !IsStatus(e, 500) {
		t.Fatalf("got %+v", e)
	}
}

func TestNewErrorNonJSONBody(t *testing.T) {
	e := newError(errorResponse(502, nil, "<html>Bad Gateway</html>"))
	if e.Code != "" || e.Message != "Bad Gateway" || e.Status != 502 {
		t.Fatalf("got %+v", e)
	}
}

func TestCheckNextLink(t *testing.T) {
	endpoint, _ := url.Parse("https://graph.example/beta")
	c := &Client{endpoint: endpoint}
	ok := "https://graph.example/beta/security/x?$skiptoken=1"
	chain := paging.NewChain("https://graph.example/beta/security/x", c.checkNextLink)
	if _, err := chain.Next(ok); err != nil {
		t.Fatalf("valid link refused: %v", err)
	}
	if _, err := chain.Next(ok); err == nil {
		t.Fatal("repeated link accepted")
	}
	if _, err := c.checkNextLink("https://GRAPH.example/beta/security/x"); err != nil {
		t.Errorf("a host name in other case refused: %v", err)
	}
	for _, bad := range []string{
		"http://graph.example/beta/security/x",
		"https://evil.example/beta/security/x",
		"https://graph.example.evil.example/beta/x",
		"https://graph.example/v1.0/security/x",
		"https://graph.example/betax/security",
		"https://user:pw@graph.example/beta/security/x",
		"//evil.example/beta/x",
		"/beta/security/x",
		"https://graph.example/beta/../v1.0/security/x",
		"https://graph.example/beta/%2e%2e/v1.0/security/x",
		"https://graph.example/beta/%2E%2E/v1.0/security/x",
		"https://graph.example/beta%2F..%2Fv1.0/security/x",
		"https://graph.example/beta/..%5Cv1.0/security/x",
		"https://graph.example/beta/./security/x",
		"https://graph.example/beta/security/../../v1.0/x",
	} {
		if _, err := c.checkNextLink(bad); err == nil {
			t.Errorf("link %q accepted", bad)
		}
	}
}

func TestSessionsPathEscapes(t *testing.T) {
	for id, want := range map[string]string{
		"default": "/security/securityCopilot/workspaces/default/sessions",
		"a/b":     "/security/securityCopilot/workspaces/a%2Fb/sessions",
		"x?y#z":   "/security/securityCopilot/workspaces/x%3Fy%23z/sessions",
		"sp ace":  "/security/securityCopilot/workspaces/sp%20ace/sessions",
		"50%2F":   "/security/securityCopilot/workspaces/50%252F/sessions",
	} {
		got, err := sessionsPath(id)
		if err != nil || got != want {
			t.Errorf("sessionsPath(%q) = %q, %v; want %q", id, got, err, want)
		}
	}
	for _, bad := range []string{"", ".", ".."} {
		if _, err := sessionsPath(bad); err == nil {
			t.Errorf("sessionsPath(%q) accepted", bad)
		}
	}
}
