package collector

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// tenantsPerGather is the most tenants whose scrape is gathered whole.
// client_golang holds every gathered series as protobuf structures, about
// 600 bytes each, until the answer is written: 10,000 tenants of about 70
// series each were 400 MB at once, and their small objects, interleaved
// with what the tenants keep, left most of the heap fragmented after the
// scrape. A larger scrape is gathered metricsPerGather series at a time,
// as they come, and kept as text (about 100 bytes a series) until every
// family is complete.
const tenantsPerGather = 500

// metricsPerGather is how many series one gathering of a large scrape
// holds: those of about 300 tenants.
const metricsPerGather = 20000

// familyText is one metric family's exposition: its HELP and TYPE lines,
// then its samples, chunk after chunk. Each chunk's samples are kept in a
// slice of their own size: one growing buffer per family would double,
// and copy, the largest of them.
type familyText struct {
	help, kind string
	samples    [][]byte
}

// serveInChunks serves a scrape of many tenants in the text format. The
// tenants are read as in any scrape, maxTenantsInFlight at a time, and
// their series gathered batch series at a time as they arrive, so that no
// slow tenant holds up the others; the families of base (the exporter's
// own) follow as a gathering of their own. Errors are logged and what was
// gathered is served, as promhttp.ContinueOnError does.
func (e *Exporter) serveInChunks(w http.ResponseWriter, r *http.Request, s *scrape, base prometheus.Gatherer, batch int) {
	errLog := &onceErrorLog{logger: e.opts.Logger}
	families := map[string]*familyText{}
	add := func(fams []*dto.MetricFamily) {
		for _, f := range fams {
			if err := appendFamily(families, f); err != nil {
				errLog.Println("error encoding metric family:", err)
			}
		}
	}
	ch := make(chan prometheus.Metric, 256)
	go func() {
		s.Collect(ch)
		close(ch)
	}()
	pending := &replay{s: s, metrics: make([]prometheus.Metric, 0, batch)}
	gather := func() {
		reg := prometheus.NewRegistry()
		reg.MustRegister(pending)
		fams, err := reg.Gather()
		if err != nil {
			errLog.Println("error gathering metrics:", err)
		}
		add(fams)
		clear(pending.metrics)
		pending.metrics = pending.metrics[:0]
	}
	for m := range ch {
		pending.metrics = append(pending.metrics, m)
		if len(pending.metrics) == batch {
			gather()
		}
	}
	if len(pending.metrics) > 0 {
		gather()
	}
	if base != nil {
		fams, err := base.Gather()
		if err != nil {
			errLog.Println("error gathering metrics:", err)
		}
		add(fams)
	}
	header := w.Header()
	header.Set("Content-Type", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
	var out io.Writer = w
	if acceptsGzip(r) {
		header.Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		defer gz.Close()
		out = gz
	}
	for _, name := range slicesSorted(families) {
		f := families[name]
		if _, err := fmt.Fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, f.help, name, f.kind); err != nil {
			errLog.Println("error writing metrics:", err)
			return
		}
		for _, b := range f.samples {
			if _, err := out.Write(b); err != nil {
				errLog.Println("error writing metrics:", err)
				return
			}
		}
	}
}

// appendFamily adds f's samples to their family's text.
func appendFamily(families map[string]*familyText, f *dto.MetricFamily) error {
	var text bytes.Buffer
	if _, err := expfmt.MetricFamilyToText(&text, f); err != nil {
		return err
	}
	// The encoder writes the HELP and TYPE lines first, as two lines;
	// samples never start with '#'.
	help, rest, ok1 := strings.Cut(text.String(), "\n")
	kind, samples, ok2 := strings.Cut(rest, "\n")
	prefix := "# HELP " + f.GetName() + " "
	if !ok1 || !ok2 || !strings.HasPrefix(help, prefix) || !strings.HasPrefix(kind, "# TYPE "+f.GetName()+" ") {
		return fmt.Errorf("family %s: unexpected text encoding", f.GetName())
	}
	help, kind = strings.TrimPrefix(help, prefix), strings.TrimPrefix(kind, "# TYPE "+f.GetName()+" ")
	ft, ok := families[f.GetName()]
	switch {
	case !ok:
		ft = &familyText{help: help, kind: kind}
		families[f.GetName()] = ft
	case ft.help != help || ft.kind != kind:
		return fmt.Errorf("family %s gathered with two HELP or TYPE texts", f.GetName())
	}
	ft.samples = append(ft.samples, []byte(samples))
	return nil
}

// replay is a batch of a scrape's metrics, collected again for a registry
// to check and gather; it describes what the scrape describes.
type replay struct {
	s       *scrape
	metrics []prometheus.Metric
}

func (r *replay) Describe(ch chan<- *prometheus.Desc) { r.s.Describe(ch) }

func (r *replay) Collect(ch chan<- prometheus.Metric) {
	for _, m := range r.metrics {
		ch <- m
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			if enc, _, _ := strings.Cut(strings.TrimSpace(part), ";"); strings.EqualFold(enc, "gzip") {
				return true
			}
		}
	}
	return false
}

func slicesSorted(m map[string]*familyText) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
