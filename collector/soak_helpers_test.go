package collector

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// soakFaults are the faults the soak switches between. Each leaves every
// workspace either exact or down: none changes what a correct exporter
// must export (a null timestamp would, so it is not here).
func soakFaults() []azuresim.Faults {
	broken := func(lf azuresim.ListingFault) azuresim.Faults {
		return azuresim.Faults{ListingFor: map[string]azuresim.ListingFault{"small": lf, "default": lf}}
	}
	return []azuresim.Faults{
		{},
		{ThrottleEvery: 3},
		{ThrottleEvery: 5, RetryAfter: "0"},
		{StatusFor: map[string]int{"small": 500, "other": 403}},
		{TransientFor: map[string]azuresim.Transient{"big": {Status: 503, Times: 2}, "other": {Status: 504, Times: 1}}},
		{DependencyFailed: 4},
		{BatchDropItem: true},
		{BatchDuplicateID: true},
		{RejectFilter: true},
		{OmitCount: true},
		{Latency: 20 * time.Millisecond},
		broken(azuresim.ListingFault{Body: azuresim.BodyTruncated}),
		broken(azuresim.ListingFault{Body: azuresim.BodyReset}),
		broken(azuresim.ListingFault{Body: azuresim.BodyHTML}),
		broken(azuresim.ListingFault{Body: azuresim.BodyWrongType}),
		broken(azuresim.ListingFault{Count: "-1"}),
		broken(azuresim.ListingFault{Created: `"yesterday"`}),
		broken(azuresim.ListingFault{NextLink: azuresim.NextLinkLoop}),
	}
}

// soakConfigs are the configurations the soak reloads between: other
// windows, a page size that sends the large workspaces to the counted
// plan, and a cache.
func soakConfigs(base *config.Config) []*config.Config {
	variant := func(windows []string, pageSize int, cacheTTL time.Duration) *config.Config {
		c := *base
		c.Windows = nil
		for _, w := range windows {
			parsed, err := config.ParseWindow(w)
			if err != nil {
				panic(err) // the labels below are valid
			}
			c.Windows = append(c.Windows, parsed)
		}
		c.Graph.PageSize = pageSize
		c.Collection.CacheTTL = model.Duration(cacheTTL)
		return &c
	}
	withActivity := variant([]string{"1h", "1d", "7d", "30d"}, 10, 0)
	withActivity.Activity.Enabled = true
	return []*config.Config{
		variant([]string{"1h", "1d", "7d", "30d"}, 1000, 0),
		variant([]string{"2h", "1d"}, 10, 0),
		variant([]string{"1h", "1d", "7d", "30d"}, 1000, time.Minute),
		withActivity,
	}
}

// soakTruth is what every workspace must show when it is up, whatever
// configuration the scrape ran under.
type soakTruth struct {
	sessions map[string]map[string][]azuresim.Session // tenant name → workspace → sessions
	windows  map[string]config.Window                 // every window label of every configuration
	// activity holds activityTruth's values under "tenant/workspace/key",
	// for the default activity settings.
	activity map[string]float64
}

// check returns what is wrong with a scrape's answer: a workspace that is
// up with a number that is not exact, or down with numbers.
func (s soakTruth) check(fams map[string]*dto.MetricFamily) []string {
	var wrong []string
	for _, m := range fams["securitycopilot_up"].GetMetric() {
		labels := labelMap(m)
		sessions, ok := s.sessions[labels["tenant"]][labels["workspace"]]
		if !ok {
			wrong = append(wrong, fmt.Sprintf("unknown series %v", labels))
			continue
		}
		if m.GetGauge().GetValue() == 0 {
			if _, has := value(fams, "securitycopilot_sessions", labels); has {
				wrong = append(wrong, fmt.Sprintf("%v is down but exports sessions", labels))
			}
			continue
		}
		wrong = append(wrong, s.checkUp(fams, labels, sessions)...)
	}
	for _, m := range fams["securitycopilot_activity_success"].GetMetric() {
		wrong = append(wrong, s.checkActivity(fams, labelMap(m), m.GetGauge().GetValue() == 1)...)
	}
	return wrong
}

// checkActivity compares a workspace's activity gauges with the truth
// when its read succeeded, and checks they are absent when it did not.
func (s soakTruth) checkActivity(fams map[string]*dto.MetricFamily, labels map[string]string, ok bool) []string {
	var wrong []string
	prefix := labels["tenant"] + "/" + labels["workspace"] + "/"
	for key, want := range s.activity {
		rest, mine := strings.CutPrefix(key, prefix)
		if !mine {
			continue
		}
		name, label, _ := strings.Cut(rest, "/")
		l := map[string]string{"tenant": labels["tenant"], "workspace": labels["workspace"]}
		if label != "" {
			k, v, _ := strings.Cut(label, "=")
			l[k] = v
		}
		got, present := value(fams, name, l)
		switch {
		case !ok && present && name != "securitycopilot_activity_success":
			wrong = append(wrong, fmt.Sprintf("%s%v present after a failed activity read", name, l))
		case ok && (!present || math.Float64bits(got) != math.Float64bits(want)):
			wrong = append(wrong, fmt.Sprintf("%s%v = %v (present %v), want %v", name, l, got, present, want))
		}
	}
	return wrong
}

func (s soakTruth) checkUp(fams map[string]*dto.MetricFamily, labels map[string]string, sessions []azuresim.Session) []string {
	var windows []config.Window
	for _, m := range fams["securitycopilot_sessions_created"].GetMetric() {
		l := labelMap(m)
		if l["tenant"] == labels["tenant"] && l["workspace"] == labels["workspace"] {
			windows = append(windows, s.windows[l["window"]])
		}
	}
	var wrong []string
	for key, want := range expected(sessions, windows) {
		name, window, _ := strings.Cut(key, "/")
		l := map[string]string{"tenant": labels["tenant"], "workspace": labels["workspace"]}
		if window != "" {
			l["window"] = window
		}
		if got, ok := value(fams, name, l); !ok || math.Float64bits(got) != math.Float64bits(want) {
			wrong = append(wrong, fmt.Sprintf("%s%v = %v (present %v), want %v", name, l, got, ok, want))
		}
	}
	return wrong
}

func labelMap(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

// quiescentGoroutines closes idle connections until the goroutine count
// stops changing (ten seconds at most) and returns it.
func quiescentGoroutines(closeIdle func()) int {
	prev := -1
	for range 100 {
		closeIdle()
		time.Sleep(100 * time.Millisecond)
		n := runtime.NumGoroutine()
		if n == prev {
			return n
		}
		prev = n
	}
	return prev
}

// heapInUse returns the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func goroutineDump() string {
	var b bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
	return b.String()
}

// pick returns a random element of xs.
func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }
