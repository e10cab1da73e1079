package grafana

import (
	"slices"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	promdeploy "github.com/securitycopilot-exporter/securitycopilot_exporter/deploy/prometheus"
)

// Values Grafana could give the variables: tenants and workspaces as a
// multi-value selection, formatted for a regular expression.
const (
	tenantValue    = "contoso|fabrikam"
	workspaceValue = "default|soc-emea"
)

// grafanaVariables stands in for Grafana's interpolation of a query.
var grafanaVariables = strings.NewReplacer(
	"${datasource}", "prometheus",
	"$__rate_interval", "4m",
	"$__interval", "1m",
	"$__range", "7d",
	"$tenant", tenantValue,
	"$workspace", workspaceValue,
)

// exporterHealthMetrics must be shown besides the per-workspace metrics.
var exporterHealthMetrics = []string{
	"securitycopilot_graph_requests_total",
	"securitycopilot_graph_retries_total",
	"securitycopilot_token_requests_total",
}

type query struct {
	where string // panel title and refId
	expr  parser.Expr
}

func dashboardQueries(t *testing.T) []query {
	t.Helper()
	p := parser.NewParser(parser.Options{})
	var queries []query
	for _, panel := range panels(loadDashboard(t)) {
		for _, target := range panel.Targets {
			q, ok := target.(*prometheus.Dataquery)
			if !ok {
				continue // TestDashboardPanels reports it
			}
			where := deref(panel.Title) + "/" + deref(q.RefId)
			expanded := grafanaVariables.Replace(q.Expr)
			if strings.Contains(expanded, "$") {
				t.Errorf("%s: unknown variable in %q", where, q.Expr)
				continue
			}
			expr, err := p.ParseExpr(expanded)
			if err != nil {
				t.Errorf("%s: %q is not PromQL: %v", where, expanded, err)
				continue
			}
			queries = append(queries, query{where, expr})
		}
	}
	if len(queries) == 0 {
		t.Fatal("no query parsed")
	}
	return queries
}

// selectors returns the vector selectors of expr, those inside range
// selectors included.
func selectors(expr parser.Expr) []*parser.VectorSelector {
	var out []*parser.VectorSelector
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			out = append(out, vs)
		}
		return nil
	})
	return out
}

// TestQueriesSelectKnownSeries checks that every query selects only series
// that the exporter or a recording rule makes, filtered by the tenant and
// workspace variables wherever the series has those labels.
func TestQueriesSelectKnownSeries(t *testing.T) {
	known, err := promdeploy.Queryable()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range dashboardQueries(t) {
		vss := selectors(q.expr)
		if len(vss) == 0 {
			t.Errorf("%s selects no series", q.where)
		}
		for _, vs := range vss {
			scope, ok := known[vs.Name]
			if !ok {
				t.Errorf("%s: %q is neither exported nor recorded", q.where, vs.Name)
				continue
			}
			if (scope == promdeploy.Tenant || scope == promdeploy.Workspace) && !hasMatcher(vs, "tenant", tenantValue) {
				t.Errorf("%s: %s lacks tenant=~\"$tenant\"", q.where, vs)
			}
			if scope == promdeploy.Workspace && !hasMatcher(vs, "workspace", workspaceValue) {
				t.Errorf("%s: %s lacks workspace=~\"$workspace\"", q.where, vs)
			}
		}
	}
}

func hasMatcher(vs *parser.VectorSelector, name, value string) bool {
	return slices.ContainsFunc(vs.LabelMatchers, func(m *labels.Matcher) bool {
		return m.Name == name && m.Type == labels.MatchRegexp && m.Value == value
	})
}

// TestDashboardShowsEveryMetric checks that every per-workspace metric and
// the main exporter health metrics appear in some panel.
func TestDashboardShowsEveryMetric(t *testing.T) {
	shown := map[string]bool{}
	for _, q := range dashboardQueries(t) {
		for _, vs := range selectors(q.expr) {
			shown[promdeploy.Family(vs.Name)] = true
		}
	}
	want := slices.Clone(exporterHealthMetrics)
	for name, scope := range promdeploy.ExporterMetrics() {
		if scope == promdeploy.Workspace {
			want = append(want, name)
		}
	}
	for _, name := range want {
		if !shown[name] {
			t.Errorf("no panel shows %s", name)
		}
	}
}

// TestDashboardUsesRecordingRules checks that the dashboard reads the
// per-hour and per-day counts from the recording rules that the alerts use,
// so that both show the same numbers.
func TestDashboardUsesRecordingRules(t *testing.T) {
	shown := map[string]bool{}
	for _, q := range dashboardQueries(t) {
		for _, vs := range selectors(q.expr) {
			shown[vs.Name] = true
		}
	}
	rules, err := promdeploy.RecordingRules()
	if err != nil {
		t.Fatal(err)
	}
	for name := range rules {
		if !shown[name] {
			t.Errorf("no panel shows recording rule %s", name)
		}
	}
}
