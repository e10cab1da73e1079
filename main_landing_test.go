package main

import (
	"net/http"
	"strings"
	"testing"
)

// exporter-toolkit links /debug/pprof from the landing page unless told
// not to; this exporter serves no pprof, so the page must not link it.
func TestLandingPageHasNoDeadLinks(t *testing.T) {
	p := startExporter(t, nil, "--demo")
	code, body := p.get(t, "/")
	if code != http.StatusOK || !strings.Contains(body, `href="/metrics"`) {
		t.Fatalf("landing page: %d\n%s", code, body)
	}
	if strings.Contains(body, "/debug/pprof") {
		t.Errorf("the landing page links /debug/pprof, which answers 404")
	}
	if code, _ := p.get(t, "/debug/pprof/heap"); code != http.StatusNotFound {
		t.Errorf("/debug/pprof/heap answers %d; the link test above assumes 404", code)
	}
}
