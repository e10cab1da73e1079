package auditread

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/auditusage"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

const (
	tenantID = "00000000-0000-4000-8000-000000000001"
	clientID = "00000000-0000-4000-8000-000000000002"
	secret   = "correct-horse-battery-staple"
)

// start is the reader's clock at its first cycle.
var start = time.Date(2026, 8, 21, 10, 30, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return nil
}

type fixture struct {
	sim    *azuresim.Server
	api    graphclient.AuditLog
	clock  *clock
	reader *Reader
	set    Settings
}

func settings() Settings {
	return Settings{
		Interval:     time.Hour,
		Plan:         auditusage.PlanConfig{Delay: 2 * time.Hour, Overlap: 3 * time.Hour, Lookback: 24 * time.Hour, Budget: auditusage.Budget{PerDay: 48, MaxActive: 1}},
		PollEvery:    30 * time.Second,
		QueryTimeout: 15 * time.Minute,
		Windows:      []auditusage.Window{{Label: "1h", Duration: time.Hour}, {Label: "1d", Duration: 24 * time.Hour}},
		Caps:         auditusage.Caps{Surfaces: 20, Plugins: 20, Operations: 20},
		AdminOps:     auditusage.DefaultAdminOperations(),
	}
}

func newFixture(t testing.TB, version string, records int) *fixture {
	t.Helper()
	sim, err := azuresim.New(azuresim.Options{MaxPageSize: 40, Tenants: []azuresim.Tenant{{ID: tenantID, ClientID: clientID, ClientSecret: secret}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	sim.AddAuditRecords(tenantID, azuresim.GenerateAuditRecords(7, records, start.Add(-30*time.Hour), start.Add(2*time.Hour))...)
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := graphclient.New(config.Graph{Endpoint: sim.GraphEndpoint(), AuthorityHost: sim.AuthorityHost()},
		config.Tenant{Name: "contoso", TenantID: tenantID, ClientID: clientID, Auth: config.AuthClientSecret, ClientSecretFile: p},
		graphclient.Options{Metrics: graphclient.NewMetrics(prometheus.NewRegistry()), Transport: &http.Client{Transport: sim.Transport()}, RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	api, err := c.AuditLog(version)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{sim: sim, api: api, clock: &clock{t: start}, set: settings()}
	f.reader = New(api, f.set, nil, WithClock(f.clock.now, f.clock.sleep))
	return f
}

// check compares every number of every window that is not stale with the
// simulator's own count of the same window; it returns how many windows
// were fresh.
func (f *fixture) check(t *testing.T) int {
	t.Helper()
	snap := f.reader.Snapshot()
	fresh := 0
	for _, w := range snap.Summary.Windows {
		if w.Stale {
			continue
		}
		fresh++
		end := snap.Summary.End
		want := f.sim.AuditCount(tenantID, end.Add(-w.Window.Duration), end, f.set.AdminOps)
		for name, pair := range map[string][2]any{
			"interactions": {w.Interactions, want.Interactions},
			"prompts":      {w.Prompts, want.Prompts},
			"users":        {w.Users, want.Users},
			"sessions":     {w.Sessions, want.Sessions},
			"plugins":      {w.Plugins, want.Plugins},
			"agent":        {w.Agent, want.Agent},
			"admin":        {w.Admin, want.Admin},
		} {
			if fmt.Sprint(pair[0]) != fmt.Sprint(pair[1]) {
				t.Errorf("window %s %s: exported %v, simulator %v", w.Window.Label, name, pair[0], pair[1])
			}
		}
	}
	return fresh
}

func TestReaderMatchesTheSimulator(t *testing.T) {
	f := newFixture(t, "beta", 600)
	if err := f.reader.Cycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.check(t); n != 2 {
		t.Fatalf("%d windows fresh, want 2", n)
	}
	snap := f.reader.Snapshot()
	if !snap.Summary.End.Equal(time.Date(2026, 8, 21, 8, 0, 0, 0, time.UTC)) || !snap.LastCycleOK || snap.Submitted != 1 {
		t.Fatalf("snapshot %+v", snap)
	}
	if len(snap.Summary.Windows[1].Interactions) < 3 {
		t.Fatalf("too few surfaces to be a test: %v", snap.Summary.Windows[1].Interactions)
	}
	// An hour later: one more submission, with the overlap; late records
	// within the overlap are counted.
	f.sim.AddAuditRecords(tenantID, azuresim.AuditRecord{ID: "late", Time: time.Date(2026, 8, 21, 7, 59, 0, 0, time.UTC),
		App: azuresim.AppSecurityCopilot, Operation: azuresim.AuditInteraction, User: "late@contoso.com", Surface: "Logic App", Session: "late", Prompts: 1})
	f.clock.t = start.Add(time.Hour)
	if err := f.reader.Cycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.check(t); n != 2 || f.reader.Snapshot().Submitted != 2 {
		t.Fatalf("%d fresh windows, %d submissions", n, f.reader.Snapshot().Submitted)
	}
}

func TestReaderFaults(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version string
		faults  azuresim.AuditFaults
		failing bool // the first cycle fails
		reason  string
	}{
		{name: "429 on create", faults: azuresim.AuditFaults{CreateThrottles: 2, RetryAfter: "0"}},
		{name: "500 on create", faults: azuresim.AuditFaults{CreateFailures: 1}, failing: true, reason: "create"},
		{name: "query failed", faults: azuresim.AuditFaults{Ends: []string{"failed"}}, failing: true, reason: "failed"},
		{name: "query cancelled", faults: azuresim.AuditFaults{Ends: []string{"cancelled"}}, failing: true, reason: "cancelled"},
		{name: "query never finishes", faults: azuresim.AuditFaults{Ends: []string{"never"}}, failing: true, reason: "timeout"},
		{name: "slow query", faults: azuresim.AuditFaults{PollsToFinish: 20}},
		// The door sends a page answered 500 again, so the paging goes on.
		{name: "500 while paging", faults: azuresim.AuditFaults{RecordFailures: 1}},
		{name: "malformed page", faults: azuresim.AuditFaults{MalformedPages: 1}, failing: true, reason: "records"},
		{name: "truncated result", faults: azuresim.AuditFaults{TruncateAbove: 60}, reason: "truncated"},
		{name: "paged twice, different counts", faults: azuresim.AuditFaults{DropFirstPagings: 1}},
		{name: "paged twice, different counts, no count given", faults: azuresim.AuditFaults{DropFirstPagings: 1, OldMetadata: true}},
		{name: "v1.0 answers 404", version: "v1.0", failing: true, reason: "create"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, cmpOr(tc.version, "beta"), 600)
			f.sim.SetAuditFaults(tc.faults)
			err := f.reader.Cycle(context.Background())
			if (err != nil) != tc.failing {
				t.Fatalf("cycle err = %v, want failing %v", err, tc.failing)
			}
			fresh := f.check(t)
			snap := f.reader.Snapshot()
			if tc.failing && (fresh != 0 || snap.LastCycleOK || !snap.LastSuccess.IsZero()) {
				t.Fatalf("a failed first cycle left %d fresh windows, %+v", fresh, snap)
			}
			if !tc.failing && fresh != 2 {
				t.Fatalf("%d fresh windows", fresh)
			}
			if tc.reason != "" && snap.Failures[tc.reason] == 0 {
				t.Fatalf("failures %v, want %q counted", snap.Failures, tc.reason)
			}
			if tc.version == "v1.0" {
				if !strings.Contains(err.Error(), "use beta") {
					t.Fatalf("err %v does not say what to do", err)
				}
				return
			}
			// The fault has passed: the next cycle gets every number right.
			f.clock.t = f.clock.t.Add(time.Hour)
			if err := f.reader.Cycle(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := f.check(t); n != 2 {
				t.Fatalf("%d fresh windows after the fault", n)
			}
		})
	}
}

func TestReaderNeverExceedsTheBudget(t *testing.T) {
	f := newFixture(t, "beta", 50)
	f.set.Plan.Budget.PerDay = 3
	f.reader = New(f.api, f.set, nil, WithClock(f.clock.now, f.clock.sleep))
	f.sim.SetAuditFaults(azuresim.AuditFaults{Ends: []string{"failed", "failed", "failed", "failed", "failed"}})
	for range 10 {
		_ = f.reader.Cycle(context.Background())
		f.clock.t = f.clock.t.Add(time.Minute)
	}
	if got := f.sim.AuditStats().Submissions; got != 3 {
		t.Fatalf("%d submissions within a day, budget 3", got)
	}
	if f.reader.Snapshot().Failures["budget"] == 0 {
		t.Fatal("the spent budget is not counted")
	}
}

func TestPollWaitsGrowToTheInterval(t *testing.T) {
	var got []time.Duration
	for i := range 7 {
		got = append(got, pollWait(i, 30*time.Second))
	}
	if fmt.Sprint(got) != "[2s 4s 8s 16s 30s 30s 30s]" {
		t.Fatalf("waits %v", got)
	}
	if pollWait(100, 30*time.Second) != 30*time.Second {
		t.Fatal("no cap after many polls")
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
