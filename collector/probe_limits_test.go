package collector

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// refuseListing answers the workspace listing 403, so that discovery fails
// and a probe for a workspace the exporter does not know goes ahead.
type refuseListing struct{ next http.RoundTripper }

func (r refuseListing) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/securityCopilot/workspaces") {
		body := `{"error":{"code":"Forbidden","message":"no"}}`
		return &http.Response{StatusCode: http.StatusForbidden, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
	}
	return r.next.RoundTrip(req)
}

// A 900 KB workspace parameter is neither logged nor sent to Graph, nor
// repeated in the answer, even while discovery fails.
func TestProbeBoundsWhatARequestPutsInTheLog(t *testing.T) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 2})}}
	f := newFixture(t, opts, 1000, "tenant0")
	f.useTransport(refuseListing{f.sim.Transport()})
	huge := strings.Repeat("w", 900<<10)
	for _, ws := range []string{huge, "\x1b[2J" + strings.Repeat("w", 900<<10)} {
		before := len(f.logs.String())
		rec := f.probe("tenant=tenant0&workspace=" + url.QueryEscape(ws))
		if rec.Body.Len() > 512 {
			t.Errorf("a %d-byte answer repeats the request", rec.Body.Len())
		}
		logged := f.logs.String()[before:]
		if len(logged) > 4096 || strings.Contains(logged, strings.Repeat("w", 1024)) {
			t.Errorf("one probe logged %d bytes", len(logged))
		}
		if strings.Contains(logged, "\x1b") {
			t.Error("the log holds an escape sequence from the request")
		}
		if rec.Code != http.StatusBadRequest {
			t.Errorf("HTTP %d, want 400 for a parameter that is no workspace id", rec.Code)
		}
	}
	for _, r := range f.sim.Requests() {
		if len(r.Path) > 1024 {
			t.Errorf("a probe parameter reached Graph: a %d-byte path", len(r.Path))
		}
	}
}
