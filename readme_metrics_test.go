package main

import (
	"context"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

var updateReadme = flag.Bool("update-readme", false, "regenerate the metric list of README.md from metricnames and the demo's /metrics")

const (
	readmeFile    = "README.md"
	metricsBegin  = "<!-- The metric list is generated from metricnames/ and the HELP texts of the demo's /metrics: go test -run TestReadmeListsEveryMetric -update-readme -->"
	metricsEnd    = "<!-- end of the generated metric list -->"
	metricsPrefix = "securitycopilot_"
)

// metricGroup is one const block of metricnames: its doc comment and the
// metric names it declares, in order.
type metricGroup struct {
	doc   string
	names []string
}

// metricGroups reads metricnames/metricnames.go: every const block that
// names metrics, with its doc comment, where a Go identifier of the
// package is replaced by the name it stands for.
func metricGroups(t *testing.T) []metricGroup {
	t.Helper()
	// metricnames.go first, then the package's other files in name order.
	others, err := filepath.Glob("metricnames/*.go")
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"metricnames/metricnames.go"}
	for _, p := range others {
		if p != paths[0] && !strings.HasSuffix(p, "_test.go") {
			paths = append(paths, p)
		}
	}
	var decls []ast.Decl
	for _, p := range paths {
		file, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		decls = append(decls, file.Decls...)
	}
	idents := map[string]string{}
	var groups []metricGroup
	for _, decl := range decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		var g metricGroup
		for _, spec := range gd.Specs {
			for i, name := range spec.(*ast.ValueSpec).Names {
				lit, ok := spec.(*ast.ValueSpec).Values[i].(*ast.BasicLit)
				if !ok {
					continue
				}
				value, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				idents[name.Name] = value
				if strings.HasPrefix(value, metricsPrefix) {
					g.names = append(g.names, value)
				}
			}
		}
		if len(g.names) > 0 {
			g.doc = gd.Doc.Text()
			groups = append(groups, g)
		}
	}
	ident := regexp.MustCompile(`\b[A-Z][A-Za-z]+\b`)
	for i := range groups {
		doc := strings.Join(strings.Fields(groups[i].doc), " ")
		groups[i].doc = ident.ReplaceAllStringFunc(doc, func(w string) string {
			if v, ok := idents[w]; ok {
				return "`" + v + "`"
			}
			return w
		})
	}
	return groups
}

// demoFamilies scrapes a demo exporter, with a scrape timeout far above
// any real answer, so that every workspace and capacity is read. The audit
// usage comes from a background reader, so it scrapes again until the
// first audit cycle has given its numbers (a bound on a hang, not on
// speed: the demo's cycle takes seconds).
func demoFamilies(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	p := startExporter(t, nil, "--demo")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for {
		families := scrapeFamilies(ctx, t, p.addr)
		if _, ok := families[metricnames.AuditDataTime]; ok {
			return families
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the demo showed no %s within 10 minutes", metricnames.AuditDataTime)
		case <-time.After(time.Second):
		}
	}
}

func scrapeFamilies(ctx context.Context, t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "3600")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return families
}

// metricTable is the README's metric list: one table per group of
// metricnames, each metric with its type, labels and HELP text.
func metricTable(t *testing.T, groups []metricGroup, families map[string]*dto.MetricFamily) string {
	t.Helper()
	var b strings.Builder
	listed := map[string]bool{}
	for _, g := range groups {
		fmt.Fprintf(&b, "%s\n\n| metric | type | labels | meaning |\n| --- | --- | --- | --- |\n", g.doc)
		for _, name := range g.names {
			listed[name] = true
			f, ok := families[name]
			if !ok {
				t.Errorf("the demo does not expose %s: the metric list needs its HELP text and labels, and the demo should show every metric", name)
				continue
			}
			var labels []string
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					if !slices.Contains(labels, "`"+l.GetName()+"`") {
						labels = append(labels, "`"+l.GetName()+"`")
					}
				}
			}
			slices.Sort(labels)
			help := strings.ReplaceAll(f.GetHelp(), "|", `\|`)
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", name, strings.ToLower(f.GetType().String()), strings.Join(labels, ", "), help)
		}
		b.WriteString("\n")
	}
	for name := range families {
		if strings.HasPrefix(name, metricsPrefix) && !listed[name] {
			t.Errorf("the demo exposes %s, which metricnames does not name", name)
		}
	}
	return b.String()
}

func TestReadmeListsEveryMetric(t *testing.T) {
	data, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := strings.Cut(string(data), metricsBegin+"\n")
	if !ok {
		t.Fatalf("%s has no line %q", readmeFile, metricsBegin)
	}
	current, after, ok := strings.Cut(rest, metricsEnd)
	if !ok {
		t.Fatalf("%s has no line %q after the list", readmeFile, metricsEnd)
	}
	want := metricTable(t, metricGroups(t), demoFamilies(t))
	if t.Failed() {
		return
	}
	if *updateReadme {
		if err := os.WriteFile(readmeFile, []byte(before+metricsBegin+"\n"+want+metricsEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if current != want {
		t.Errorf("the metric list of %s is not generated from metricnames and the demo; run go test -run %s -update-readme\ngot:\n%s\nwant:\n%s", readmeFile, t.Name(), current, want)
	}
}
