package collector

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// The documented enums, written out here rather than taken from graphclient,
// so that a value the collector invents or drops fails the tests.
var (
	documentedStates  = []string{"unknown", "created", "running", "completed", "cancelled", "pending", "deferred", "waitingForInput", "unknownFutureValue"}
	documentedResults = []string{"unknown", "success", "error", "needAdditionalClaims", "rejected", "timedOut", "capacityExceeded", "unknownFutureValue"}
)

// activityTenant is simTenant with generated prompts and evaluations.
func activityTenant(n int, secret string, sizes map[string]int) azuresim.Tenant {
	t := simTenant(n, secret, sizes)
	for i := range t.Workspaces {
		w := &t.Workspaces[i]
		w.Prompts = azuresim.GeneratePrompts(int64(7*n+i+1), w.Sessions, testNow)
	}
	return t
}

// enableActivity turns activity on for every tenant of the fixture.
func (f *fixture) enableActivity(mutate func(*config.Activity)) {
	f.t.Helper()
	f.cfg.Activity.Enabled = true
	if mutate != nil {
		mutate(&f.cfg.Activity)
	}
	if err := f.cfg.Validate(); err != nil {
		f.t.Fatal(err)
	}
	if err := f.exp.Apply(f.cfg); err != nil {
		f.t.Fatal(err)
	}
}

// activityTruth computes from the simulator's own data, independently of
// the collector, what the activity gauges of a workspace must say at
// testNow. Keys are "metric" or "metric/label=value".
func activityTruth(t testing.TB, sim *azuresim.Server, tenantID, ws string, a config.Activity) map[string]float64 {
	t.Helper()
	sessions, err := sim.Sessions(tenantID, ws)
	if err != nil {
		t.Fatal(err)
	}
	cutoff := testNow.Add(-time.Duration(a.Lookback))
	var recent []azuresim.Session
	for _, s := range sessions {
		if !s.Created.Before(cutoff) || !s.LastModified.Before(cutoff) {
			recent = append(recent, s)
		}
	}
	active := func(s azuresim.Session) time.Time {
		if s.LastModified.After(s.Created) {
			return s.LastModified
		}
		return s.Created
	}
	slices.SortFunc(recent, func(x, y azuresim.Session) int {
		if c := active(y).Compare(active(x)); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	covered := recent[:min(len(recent), a.MaxSessions)]
	out := map[string]float64{
		"securitycopilot_activity_success":          1,
		"securitycopilot_activity_sessions_covered": float64(len(covered)),
		"securitycopilot_activity_sessions_skipped": float64(len(recent) - len(covered)),
	}
	for _, w := range a.Windows {
		out["securitycopilot_prompts_created/window="+w.Label] = 0
	}
	for _, s := range documentedStates {
		out["securitycopilot_evaluations/state="+s] = 0
	}
	for _, r := range documentedResults {
		out["securitycopilot_evaluations_result/result="+r] = 0
	}
	for _, s := range covered {
		prompts, err := sim.Prompts(tenantID, ws, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range prompts {
			for _, w := range a.Windows {
				if !p.Created.IsZero() && !p.Created.Before(testNow.Add(-w.Duration)) {
					out["securitycopilot_prompts_created/window="+w.Label]++
				}
			}
			for _, e := range p.Evaluations {
				out["securitycopilot_evaluations/state="+documented(documentedStates, e.State)]++
				if e.ResultType != "" {
					out["securitycopilot_evaluations_result/result="+documented(documentedResults, e.ResultType)]++
				}
			}
		}
	}
	return out
}

func documented(values []string, v string) string {
	if slices.Contains(values, v) {
		return v
	}
	return "unknownFutureValue"
}

// assertActivity compares a workspace's activity gauges with want, and
// checks that no other label value appears.
func (f *fixture) assertActivity(fams map[string]*dto.MetricFamily, tenant, ws string, want map[string]float64) {
	f.t.Helper()
	for key, v := range want {
		name, label, _ := strings.Cut(key, "/")
		l := map[string]string{"tenant": tenant, "workspace": ws}
		if label != "" {
			k, val, _ := strings.Cut(label, "=")
			l[k] = val
		}
		got, ok := value(fams, name, l)
		if !ok || math.Float64bits(got) != math.Float64bits(v) {
			f.t.Errorf("%s%v = %v (present %v), want %v", name, l, got, ok, v)
		}
	}
	for _, name := range []string{"securitycopilot_prompts_created", "securitycopilot_evaluations", "securitycopilot_evaluations_result"} {
		for _, m := range fams[name].GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			if labels["tenant"] != tenant || labels["workspace"] != ws {
				continue
			}
			key := name
			for _, extra := range []string{"window", "state", "result"} {
				if v, ok := labels[extra]; ok {
					key += "/" + extra + "=" + v
				}
			}
			if _, ok := want[key]; !ok {
				f.t.Errorf("unexpected series %s", key)
			}
		}
	}
}

// histogram returns a workspace's evaluation duration histogram.
func histogram(fams map[string]*dto.MetricFamily, tenant, ws string) (*dto.Histogram, bool) {
	for _, m := range fams["securitycopilot_evaluation_duration_seconds"].GetMetric() {
		labels := map[string]string{}
		for _, lp := range m.GetLabel() {
			labels[lp.GetName()] = lp.GetValue()
		}
		if labels["tenant"] == tenant && labels["workspace"] == ws {
			return m.GetHistogram(), true
		}
	}
	return nil, false
}

// bucketCounts renders a histogram's cumulative buckets, for comparing.
func bucketCounts(h *dto.Histogram) string {
	var b strings.Builder
	for _, bk := range h.GetBucket() {
		fmt.Fprintf(&b, "le=%g:%d ", bk.GetUpperBound(), bk.GetCumulativeCount())
	}
	return b.String()
}
