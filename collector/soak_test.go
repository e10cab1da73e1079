package collector

import (
	"flag"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

var (
	soakDuration = flag.Duration("soak.duration", 0,
		"run TestSoak for this long instead of its fixed number of scrapes, e.g. -soak.duration=30m")
	soakSeed = flag.Uint64("soak.seed", 0, "seed of TestSoak's choice of faults and configurations; 0 draws one, which the test logs")
)

const (
	soakScrapes  = 2000 // the CI length
	soakScrapers = 4    // concurrent scrapers, as an HA pair of Prometheus servers and then some
	soakPhase    = 40   // scrapes between two changes of fault, and of configuration every third
	// soakHeapGrowth bounds how much the live heap may grow over the
	// soak; a leak of one registry or one page per scrape passes it.
	soakHeapGrowth = 16 << 20
)

// TestSoak scrapes and probes from several goroutines while the simulator
// switches between random faults and the configuration is reloaded, and
// checks every answer: on time, and every workspace up exact or down
// without numbers. At the end no goroutine may be left behind and the
// heap may not have grown beyond a bound. With -soak.duration it runs for
// that long; -soak.seed replays the choices of the faults and
// configurations (the scheduling of the goroutines is the runtime's).
func TestSoak(t *testing.T) {
	// Pages of 20 send "big" and "default" to the counted plan, with its
	// searches, and list "small", without much JSON to pay for under -race.
	opts := azuresim.Options{MaxPageSize: 20, Tenants: []azuresim.Tenant{
		activityTenant(0, "s3cret-value-for-tests", map[string]int{"big": 400, "small": 30, "empty": 0}),
		activityTenant(1, "s3cret-value-for-tests", map[string]int{"default": 300, "other": 5}),
	}}
	f := newFixture(t, opts, 1000, "tenant1")
	tr := f.sim.Transport()
	f.useTransport(tr)
	truth := soakTruth{sessions: map[string]map[string][]azuresim.Session{}, windows: map[string]config.Window{}, activity: map[string]float64{}}
	for i, st := range opts.Tenants {
		name := f.cfg.Tenants[i].Name
		truth.sessions[name] = map[string][]azuresim.Session{}
		for _, ws := range st.Workspaces {
			truth.sessions[name][ws.ID] = ws.Sessions
			for key, v := range activityTruth(t, f.sim, st.ID, ws.ID, f.cfg.Activity) {
				truth.activity[name+"/"+ws.ID+"/"+key] = v
			}
		}
	}
	configs := soakConfigs(f.cfg)
	for _, c := range configs {
		for _, w := range c.Windows {
			truth.windows[w.Label] = w
		}
	}
	faults := soakFaults()
	seed := *soakSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay the choices with -soak.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	if wrong := truth.check(f.scrape()); len(wrong) > 0 {
		t.Fatalf("the first scrape is wrong: %v", wrong)
	}
	goroutines := quiescentGoroutines(tr.CloseIdleConnections)
	f.sim.ResetStats()
	heap := heapInUse()

	var scrapes atomic.Int64
	start := time.Now()
	for phase := 0; phase < 1_000_000 && !t.Failed(); phase++ {
		if *soakDuration == 0 && scrapes.Load() >= soakScrapes || *soakDuration > 0 && time.Since(start) > *soakDuration {
			break
		}
		f.sim.SetFaults(pick(rng, faults))
		if phase%3 == 0 {
			if err := f.exp.Apply(pick(rng, configs)); err != nil {
				t.Fatal(err)
			}
		}
		f.soakPhase(t, truth, rng.Uint64(), &scrapes)
		f.sim.ResetStats() // the request log is bounded, but need not grow in between
	}
	t.Logf("%d scrapes in %v", scrapes.Load(), time.Since(start).Round(time.Millisecond))

	f.sim.SetFaults(azuresim.Faults{})
	if err := f.exp.Apply(configs[0]); err != nil {
		t.Fatal(err)
	}
	fams := f.scrape()
	if wrong := truth.check(fams); len(wrong) > 0 || len(fams["securitycopilot_up"].GetMetric()) != 5 {
		t.Errorf("after the soak, a scrape without faults is wrong: %v", wrong)
	}
	f.sim.ResetStats()
	after := quiescentGoroutines(tr.CloseIdleConnections)
	grown := int64(heapInUse()) - int64(heap)
	t.Logf("goroutines %d before, %d after; live heap grew by %d bytes", goroutines, after, grown)
	if after > goroutines+2 {
		t.Errorf("%d goroutines before the soak, %d after:\n%s", goroutines, after, goroutineDump())
	}
	if grown > soakHeapGrowth {
		t.Errorf("the live heap grew by %d bytes over the soak, more than %d", grown, soakHeapGrowth)
	}
}

// soakPhase runs soakPhase scrapes, a fifth of them probes, spread over
// soakScrapers goroutines, and checks each answer.
func (f *fixture) soakPhase(t *testing.T, truth soakTruth, seed uint64, scrapes *atomic.Int64) {
	var wg sync.WaitGroup
	for g := range soakScrapers {
		rng := rand.New(rand.NewPCG(seed, uint64(g)))
		wg.Go(func() {
			for range soakPhase / soakScrapers {
				f.soakScrape(t, truth, rng)
				scrapes.Add(1)
			}
		})
	}
	wg.Wait()
}

func (f *fixture) soakScrape(t *testing.T, truth soakTruth, rng *rand.Rand) {
	timeout := pick(rng, []string{"2", "5", "10"})
	handler, path := f.exp.Handler(prometheus.NewRegistry()), "/metrics"
	if rng.IntN(5) == 0 {
		handler, path = f.exp.ProbeHandler(), "/probe?tenant="+pick(rng, []string{"tenant0", "tenant1"})
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", timeout)
	began := time.Now()
	handler.ServeHTTP(rec, req)
	took := time.Since(began)
	secs, _ := strconv.Atoi(timeout)
	if deadline := time.Duration(secs)*time.Second - 500*time.Millisecond; took > deadline+deadlineSlack {
		t.Errorf("%s with a %v deadline answered after %v", path, deadline, took)
	}
	if rec.Code != http.StatusOK {
		t.Errorf("%s: HTTP %d: %s", path, rec.Code, rec.Body.String())
		return
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	if wrong := truth.check(fams); len(wrong) > 0 {
		t.Errorf("%s: %v", path, wrong)
	}
}
