package collector

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient/graphsim"
)

func (f *fixture) probe(query string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.exp.ProbeHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/probe?"+query, nil))
	return rec
}

func TestProbeCollectsOnlyTheAskedTarget(t *testing.T) {
	opts := graphsim.Options{Tenants: []graphsim.Tenant{
		simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 12, "emea": 7}),
		simTenant(1, "s3cret-value-for-tests", map[string]int{"default": 3}),
	}}
	f := newFixture(t, opts, 1000, "tenant1")
	for _, tc := range []struct {
		query string
		want  []string // tenant/workspace pairs with securitycopilot_up
	}{
		{"tenant=tenant0", []string{"tenant0/default", "tenant0/emea"}},
		{"tenant=tenant0&workspace=emea", []string{"tenant0/emea"}},
		{"tenant=tenant1", []string{"tenant1/default"}},
		{"tenant=tenant1&workspace=default", []string{"tenant1/default"}},
		// A discovered tenant cannot refuse an unknown workspace before
		// collecting; it answers without series rather than inventing one.
		{"tenant=tenant1&workspace=nope", nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			rec := f.probe(tc.query)
			if rec.Code != http.StatusOK {
				t.Fatalf("HTTP %d: %s", rec.Code, rec.Body.String())
			}
			parser := expfmt.NewTextParser(model.UTF8Validation)
			fams, err := parser.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range fams["securitycopilot_up"].GetMetric() {
				labels := map[string]string{}
				for _, lp := range m.GetLabel() {
					labels[lp.GetName()] = lp.GetValue()
				}
				got = append(got, labels["tenant"]+"/"+labels["workspace"])
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("up series for %v, want %v", got, tc.want)
			}
			for name := range fams {
				if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "securitycopilot_graph_") {
					t.Errorf("probe answer has the exporter's own metric %s", name)
				}
			}
		})
	}
}

func TestProbeRefusesUnknownTargets(t *testing.T) {
	opts := graphsim.Options{Tenants: []graphsim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 12})}}
	f := newFixture(t, opts, 1000)
	for query, want := range map[string]string{
		"":                                 "tenant parameter is missing",
		"tenant=":                          "tenant parameter is missing",
		"tenant=nobody":                    `unknown tenant "nobody"`,
		"tenant=tenant0&workspace=other":   `unknown workspace "other"`,
		"tenant=tenant0&workspace=../evil": `unknown workspace "../evil"`,
	} {
		f.sim.ResetStats()
		rec := f.probe(query)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%q: HTTP %d %q, want 400 with %q", query, rec.Code, rec.Body.String(), want)
		}
		if n := f.sim.Stats().GraphRequests; n != 0 {
			t.Errorf("%q: a refused probe sent %d Graph requests", query, n)
		}
	}
}
