package prometheus

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

var promqlParser = parser.NewParser(parser.Options{})

// prometheusSeries are made by Prometheus itself for every target.
var prometheusSeries = []string{"up"}

func loadRules(t *testing.T, file string) []rulefmt.Rule {
	t.Helper()
	groups, errs := rulefmt.ParseFile(file, false, model.LegacyValidation, promqlParser, slog.New(slog.DiscardHandler))
	for _, err := range errs {
		t.Error(err)
	}
	if groups == nil {
		t.FailNow()
	}
	var rules []rulefmt.Rule
	for _, g := range groups.Groups {
		rules = append(rules, g.Rules...)
	}
	if len(rules) == 0 {
		t.Fatalf("%s has no rules", file)
	}
	return rules
}

func parseExpr(t *testing.T, where, expr string) parser.Expr {
	t.Helper()
	e, err := promqlParser.ParseExpr(expr)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	return e
}

// selectedNames returns the metric names that expr's selectors read.
func selectedNames(expr parser.Expr) []string {
	var names []string
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			names = append(names, vs.Name)
		}
		return nil
	})
	return names
}

func TestRulesSelectOnlyKnownSeries(t *testing.T) {
	known, err := Queryable()
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range ruleFiles {
		for _, rule := range loadRules(t, file) {
			where := file + ": " + rule.Record + rule.Alert
			names := selectedNames(parseExpr(t, where, rule.Expr))
			if len(names) == 0 {
				t.Errorf("%s selects no series", where)
			}
			for _, name := range names {
				if _, ok := known[name]; !ok && !slices.Contains(prometheusSeries, name) {
					t.Errorf("%s selects %q, which neither the exporter nor a recording rule makes", where, name)
				}
			}
		}
	}
}

func TestAlertsCarrySeverityAndRunbook(t *testing.T) {
	for _, rule := range loadRules(t, "rules/alerts.yml") {
		if rule.Alert == "" {
			t.Errorf("rules/alerts.yml holds recording rule %s", rule.Record)
			continue
		}
		switch rule.Labels["severity"] {
		case "info", "warning", "critical":
		default:
			t.Errorf("%s: severity %q, want info, warning or critical", rule.Alert, rule.Labels["severity"])
		}
		for _, key := range []string{"summary", "description", "runbook"} {
			if strings.TrimSpace(rule.Annotations[key]) == "" {
				t.Errorf("%s has no %s annotation", rule.Alert, key)
			}
		}
		// Without `for`, a single bad scrape would notify.
		if time.Duration(rule.For) < time.Minute {
			t.Errorf("%s: for %v, want at least 1m", rule.Alert, rule.For)
		}
	}
}

func TestRecordingRuleLevelsNameTheirLabels(t *testing.T) {
	for _, rule := range loadRules(t, RecordingRulesFile) {
		if rule.Record == "" {
			t.Errorf("%s holds alert %s", RecordingRulesFile, rule.Alert)
			continue
		}
		level, err := LevelLabels(rule.Record)
		if err != nil {
			t.Error(err)
			continue
		}
		kept, ok := keptLabels(parseExpr(t, rule.Record, rule.Expr))
		if !ok {
			t.Errorf("%s: expression does not end in an aggregation by labels", rule.Record)
			continue
		}
		slices.Sort(level)
		slices.Sort(kept)
		if !slices.Equal(level, kept) {
			t.Errorf("%s keeps labels %v, but its level says %v", rule.Record, kept, level)
		}
	}
}

// keptLabels returns the labels an aggregation by (…) keeps, looking
// through parentheses and arithmetic such as a ratio or a scale factor.
func keptLabels(e parser.Expr) ([]string, bool) {
	switch e := e.(type) {
	case *parser.AggregateExpr:
		return slices.Clone(e.Grouping), !e.Without
	case *parser.ParenExpr:
		return keptLabels(e.Expr)
	case *parser.BinaryExpr:
		if kept, ok := keptLabels(e.LHS); ok {
			return kept, true
		}
		return keptLabels(e.RHS)
	}
	return nil, false
}
