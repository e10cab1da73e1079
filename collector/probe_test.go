package collector

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

func (f *fixture) probe(query string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.exp.ProbeHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/probe?"+query, nil))
	return rec
}

func TestProbeCollectsOnlyTheAskedTarget(t *testing.T) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{
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
	opts := azuresim.Options{Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 12})}}
	f := newFixture(t, opts, 1000)
	long := strings.Repeat("x", 1<<20)
	for query, want := range map[string]string{
		"":                                 "tenant parameter is missing",
		"tenant=":                          "tenant parameter is missing",
		"tenant=nobody":                    `unknown tenant "nobody"`,
		"tenant=tenant0&workspace=other":   `unknown workspace "other"`,
		"tenant=tenant0&workspace=../evil": `unknown workspace "../evil"`,
		"tenant=tenant0&tenant=nobody":     "tenant parameter is repeated",
		"tenant=nobody&tenant=tenant0":     "tenant parameter is repeated",
		"tenant=tenant0&workspace=default&workspace=other": "workspace parameter is repeated",
		"tenant=" + long:                   `unknown tenant "xxxx`,
		"tenant=tenant0&workspace=" + long: `unknown workspace "xxxx`,
	} {
		f.sim.ResetStats()
		rec := f.probe(query)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%.80q: HTTP %d %.200q, want 400 with %q", query, rec.Code, rec.Body.String(), want)
		}
		if rec.Body.Len() > 512 {
			t.Errorf("%.80q: a %d-byte answer repeats the request", query, rec.Body.Len())
		}
		if n := f.sim.Stats().GraphRequests; n != 0 {
			t.Errorf("%.80q: a refused probe sent %d Graph requests", query, n)
		}
	}
}

// A tenant that discovers its workspaces refuses a workspace it did not
// discover, as a tenant with a configured list does.
func TestProbeRefusesUndiscoveredWorkspace(t *testing.T) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 12})}}
	f := newFixture(t, opts, 1000, "tenant0")
	rec := f.probe("tenant=tenant0&workspace=nope")
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `unknown workspace "nope"`) {
		t.Fatalf("HTTP %d %q, want 400 naming the workspace", rec.Code, rec.Body.String())
	}
	for _, r := range f.sim.Requests() {
		if strings.Contains(r.Path, "/sessions") {
			t.Errorf("a refused probe read sessions: %s", r.Path)
		}
	}
	if rec := f.probe("tenant=tenant0&workspace=default"); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Body.String(), `securitycopilot_up{tenant="tenant0",workspace="default"} 1`) {
		t.Fatalf("a discovered workspace: HTTP %d:\n%s", rec.Code, rec.Body.String())
	}
}

// knownLabels are the label values the configuration and discovery allow.
type knownLabels struct {
	workspaces map[string]map[string]bool // by tenant
	windows    []config.Window
}

// foreign returns the series whose tenant, workspace or window label
// holds a value the configuration and discovery do not know.
func (k knownLabels) foreign(fams map[string]*dto.MetricFamily) []string {
	var out []string
	for name, fam := range fams {
		for _, m := range fam.GetMetric() {
			for _, lp := range m.GetLabel() {
				v, ok := lp.GetValue(), true
				switch lp.GetName() {
				case "tenant":
					_, ok = k.workspaces[v]
				case "workspace":
					ok = k.anyWorkspace(v)
				case "window":
					ok = slices.ContainsFunc(k.windows, func(w config.Window) bool { return w.Label == v })
				}
				if !ok {
					out = append(out, fmt.Sprintf("%s{%s=%q}", name, lp.GetName(), v))
				}
			}
		}
	}
	return out
}

func (k knownLabels) anyWorkspace(ws string) bool {
	for _, known := range k.workspaces {
		if known[ws] {
			return true
		}
	}
	return false
}

// TestProbeParametersNeverBecomeLabelValues sends probes for unknown
// tenants and workspaces, and with parameters that look like labels, then
// reads both the probes' answers and the exporter's own metrics: no label
// value may come from a request, not even in the registered counters a
// probe passes through.
func TestProbeParametersNeverBecomeLabelValues(t *testing.T) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{
		simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 12, "emea": 7}),
		simTenant(1, "s3cret-value-for-tests", map[string]int{"default": 3, "found": 1}),
	}}
	f := newFixture(t, opts, 1000, "tenant1")
	reg := prometheus.NewRegistry()
	f.exp = New(Options{Logger: f.exp.opts.Logger, Metrics: graphclient.NewMetrics(reg), Transport: &http.Client{Transport: f.sim.Transport()},
		RetryDelay: time.Millisecond, Now: f.exp.opts.Now})
	if err := f.exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	known := knownLabels{
		workspaces: map[string]map[string]bool{"tenant0": {"default": true, "emea": true}, "tenant1": {"default": true, "found": true}},
		windows:    f.cfg.Windows,
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	for _, query := range []string{
		"tenant=nobody", "tenant=nobody&workspace=default", "tenant=tenant1&workspace=nope",
		"tenant=tenant1&workspace=..%2Fdefault", "tenant=tenant0&workspace=default&window=forever",
		"tenant=tenant0&tenant=intruder", "tenant=TENANT0", "tenant=tenant0%00", "tenant=tenant1&job=x&instance=y&code=999",
	} {
		rec := f.probe(query)
		switch {
		case rec.Code == http.StatusBadRequest && !strings.Contains(rec.Body.String(), "securitycopilot_"):
			continue
		case rec.Code != http.StatusOK:
			t.Fatalf("%q: HTTP %d: %s", query, rec.Code, rec.Body.String())
		}
		fams, err := parser.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
		if err != nil {
			t.Fatalf("%q: %v", query, err)
		}
		if foreign := known.foreign(fams); len(foreign) > 0 {
			t.Errorf("%q answered with %v", query, foreign)
		}
	}
	rec := httptest.NewRecorder()
	f.exp.Handler(reg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	fams, err := parser.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := fams["securitycopilot_token_requests_total"]; !ok {
		t.Fatal("the exporter's own metrics are missing: the check below would prove nothing")
	}
	if foreign := known.foreign(fams); len(foreign) > 0 {
		t.Errorf("after the probes, /metrics has %v", foreign)
	}
}
