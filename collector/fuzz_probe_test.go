package collector

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// FuzzProbeQuery sends /probe arbitrary query strings. Whatever they hold,
// the handler answers 200 or 400, never panics, and every series it
// answers with carries label values from the configuration or from
// discovery: a scrape can never create a series of its own making. Seeds
// are in testdata/fuzz/FuzzProbeQuery; tools/fuzz.sh runs it for a while.
func FuzzProbeQuery(f *testing.F) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{
		simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 12, "emea": 7}),
		simTenant(1, "s3cret-value-for-tests", map[string]int{"default": 3, "found": 1}),
	}}
	fx := newFixture(f, opts, 1000, "tenant1")
	// Cached numbers keep each input to microseconds once every target
	// was read; the labels are the same either way.
	fx.cfg.Collection.CacheTTL = model.Duration(time.Hour)
	if err := fx.exp.Apply(fx.cfg); err != nil {
		f.Fatal(err)
	}
	labels := knownLabels{
		workspaces: map[string]map[string]bool{"tenant0": {"default": true, "emea": true}, "tenant1": {"default": true, "found": true}},
		windows:    fx.cfg.Windows,
	}
	handler := fx.exp.ProbeHandler()
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/probe", nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusBadRequest:
			if strings.Contains(rec.Body.String(), "securitycopilot_") {
				t.Fatalf("a refused probe answered with metrics:\n%s", rec.Body.String())
			}
			return
		case rec.Code != http.StatusOK:
			t.Fatalf("query %q: HTTP %d: %s", query, rec.Code, rec.Body.String())
		}
		parser := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := parser.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
		if err != nil {
			t.Fatalf("query %q: unparsable answer: %v", query, err)
		}
		if foreign := labels.foreign(fams); len(foreign) > 0 {
			t.Fatalf("query %q created the series %v", query, foreign)
		}
	})
}
