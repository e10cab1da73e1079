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

// tenantsPerGather is the most tenants whose series are gathered at once.
// client_golang holds every gathered series as protobuf structures, about
// 600 bytes each, until the answer is written: 10,000 tenants of about 70
// series each were 400 MB at once, and their small objects, interleaved
// with what the tenants keep, left most of the heap fragmented after the
// scrape. A larger scrape is gathered this many tenants at a time and kept
// as text (about 100 bytes a series) until every family is complete.
const tenantsPerGather = 500

// familyText is one metric family's exposition: its HELP and TYPE lines,
// then its samples, chunk after chunk. Each chunk's samples are kept in a
// slice of their own size: one growing buffer per family would double,
// and copy, the largest of them.
type familyText struct {
	help, kind string
	samples    [][]byte
}

// serveInChunks serves a scrape of many tenants in the text format,
// gathering chunk tenants at a time; the families of base (the exporter's
// own) follow as a gathering of their own. Errors are logged and what was
// gathered is served, as promhttp.ContinueOnError does.
func (e *Exporter) serveInChunks(w http.ResponseWriter, r *http.Request, s *scrape, base prometheus.Gatherer, chunk int) {
	errLog := &onceErrorLog{logger: e.opts.Logger}
	families := map[string]*familyText{}
	add := func(fams []*dto.MetricFamily) {
		for _, f := range fams {
			if err := appendFamily(families, f); err != nil {
				errLog.Println("error encoding metric family:", err)
			}
		}
	}
	for start := 0; start < len(s.tenants); start += chunk {
		part := *s
		part.tenants = s.tenants[start:min(start+chunk, len(s.tenants))]
		reg := prometheus.NewRegistry()
		reg.MustRegister(&part)
		fams, err := reg.Gather()
		if err != nil {
			errLog.Println("error gathering metrics:", err)
		}
		add(fams)
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
