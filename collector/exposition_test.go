package collector

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// series flattens a text exposition into "name{labels} value" lines,
// sorted, leaving out the values of durations, which differ between any
// two scrapes.
func series(t *testing.T, body io.Reader) []string {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var out []string
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			v := fmt.Sprint(m.GetGauge().GetValue(), m.GetCounter().GetValue(), m.GetHistogram().GetSampleCount())
			if strings.Contains(name, "duration") {
				v = "-"
			}
			out = append(out, fmt.Sprintf("%s %s{%s} %s", f.GetType(), name, strings.Join(labels, ","), v))
		}
	}
	slices.Sort(out)
	return out
}

// A scrape gathered a few series at a time serves the same series, with
// the same HELP and TYPE, as one gathered whole, each family once, and
// the exporter's own metrics after them; gzip when asked.
func TestChunkedScrapeServesTheSameSeries(t *testing.T) {
	opts := azuresim.Options{MaxPageSize: 100}
	for i := range 5 {
		opts.Tenants = append(opts.Tenants, simTenant(i, "s3cret-value-for-tests", map[string]int{fmt.Sprintf("ws%d", i): 10 + i, "default": 3}))
	}
	f := newFixture(t, opts, 1000)
	base := prometheus.NewRegistry()
	own := prometheus.NewCounter(prometheus.CounterOpts{Name: "exporter_own_total", Help: "An own metric."})
	own.Add(3)
	base.MustRegister(own)
	get := func(gz bool) (string, http.Header) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if gz {
			req.Header.Set("Accept-Encoding", "deflate, gzip;q=0.9")
		}
		f.exp.Handler(base).ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d", rec.Code)
		}
		body := io.Reader(rec.Body)
		if rec.Header().Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			body = zr
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b), rec.Header()
	}
	whole, _ := get(false)
	f.exp.tenantsPerGather, f.exp.metricsPerGather = 2, 7
	chunked, header := get(true)
	if header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Errorf("headers %v", header)
	}
	want, got := series(t, strings.NewReader(whole)), series(t, strings.NewReader(chunked))
	if len(want) < 100 {
		t.Fatalf("the whole scrape has only %d series", len(want))
	}
	if !slices.Equal(want, got) {
		t.Errorf("chunked scrape differs:\nwhole   %d series\nchunked %d series\nfirst of whole: %q", len(want), len(got), want[:min(5, len(want))])
		for _, s := range want {
			if !slices.Contains(got, s) {
				t.Errorf("missing %s", s)
			}
		}
	}
	for _, fam := range []string{"securitycopilot_up", "securitycopilot_sessions_created", "exporter_own_total"} {
		if c := strings.Count("\n"+chunked, "\n# TYPE "+fam+" "); c != 1 {
			t.Errorf("family %s has %d TYPE lines", fam, c)
		}
	}
	for i := range 5 {
		if !strings.Contains(chunked, fmt.Sprintf(`securitycopilot_up{tenant="tenant%d",workspace="ws%d"} 1`, i, i)) {
			t.Errorf("tenant%d's workspace is not up", i)
		}
	}
}
