package collector

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

const (
	capSubA      = "aaaaaaaa-0000-4000-8000-000000000001"
	capSubDenied = "aaaaaaaa-0000-4000-8000-000000000002"
	capSubNone   = "aaaaaaaa-0000-4000-8000-000000000003"
	capSubOther  = "aaaaaaaa-0000-4000-8000-000000000004"
)

// capacityOptions gives tenant0 four subscriptions: one with three
// capacities over two pages, one without Reader, one without the provider,
// and one whose single capacity is configured by resource id.
func capacityOptions() azuresim.Options {
	five, zero := 5, 0
	t := simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 3})
	t.Subscriptions = []azuresim.Subscription{
		{ID: capSubA, Capacities: []azuresim.Capacity{
			{ResourceGroup: "RG-Prod", Name: "scu-prod", Units: 3, OverageState: "Limited", OverageAmount: &five, Geo: "EU", CrossGeoCompute: "NotAllowed"},
			{ResourceGroup: "rg-prod", Name: "scu-none", Units: 1, OverageState: "None", OverageAmount: &zero, Geo: "US", CrossGeoCompute: "Allowed"},
			{ResourceGroup: "rg-lab", Name: "scu-lab", Units: 2, OverageState: "Unlimited", Geo: "Atlantis"},
		}},
		{ID: capSubDenied, NoReader: true},
		{ID: capSubNone, NoProvider: true},
		{ID: capSubOther, Capacities: []azuresim.Capacity{
			{ResourceGroup: "rg-x", Name: "scu-x", Units: 10, OverageState: "Limited", OverageAmount: &zero, Geo: "UK", CrossGeoCompute: "Allowed"},
			{ResourceGroup: "rg-x", Name: "scu-not-configured", Units: 99},
		}},
	}
	return azuresim.Options{Tenants: []azuresim.Tenant{t, simTenant(1, "s3cret-value-for-tests", map[string]int{"default": 1})}, ARMPageSize: 2}
}

const capOtherID = "/subscriptions/" + capSubOther + "/resourceGroups/rg-x/providers/Microsoft.SecurityCopilot/capacities/scu-x"

// enableCapacity points the fixture at the simulated Resource Manager and
// gives tenant0 the capacity section.
func (f *fixture) enableCapacity() {
	f.t.Helper()
	f.cfg.Capacity.Endpoint = f.sim.ARMEndpoint()
	f.cfg.Tenants[0].Capacity = &config.TenantCapacity{
		Subscriptions: []string{capSubA, capSubDenied, capSubNone},
		Resources:     []string{capOtherID},
	}
	if err := f.cfg.Validate(); err != nil {
		f.t.Fatal(err)
	}
	if err := f.exp.Apply(f.cfg); err != nil {
		f.t.Fatal(err)
	}
}

// samples renders the families whose name starts with prefix as sorted
// "name{label="value",...} value" lines.
func samples(fams map[string]*dto.MetricFamily, prefix string) string {
	var lines []string
	for name, fam := range fams {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		for _, m := range fam.GetMetric() {
			var ls []string
			for _, lp := range m.GetLabel() {
				ls = append(ls, fmt.Sprintf("%s=%q", lp.GetName(), lp.GetValue()))
			}
			sort.Strings(ls)
			lines = append(lines, fmt.Sprintf("%s{%s} %v", name, strings.Join(ls, ","), m.GetGauge().GetValue()))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestCapacityExact(t *testing.T) {
	f := newFixture(t, capacityOptions(), 100)
	f.enableCapacity()
	// Every third Resource Manager request is throttled and retried.
	f.sim.SetARMFaults(azuresim.ARMFaults{ThrottleEvery: 3})
	fams := f.scrape()
	ts := fmt.Sprint(float64(testNow.Unix()))
	id := func(name, sub, group string) string {
		return `capacity="` + name + `",resource_group="` + group + `",subscription_id="` + sub + `",tenant="tenant0"`
	}
	want := strings.Join([]string{
		`securitycopilot_capacity_info{` + id("scu-lab", capSubA, "rg-lab") + `,cross_geo_compute="unknown",geo="unknown",overage_state="Unlimited"} 1`,
		`securitycopilot_capacity_info{` + id("scu-none", capSubA, "rg-prod") + `,cross_geo_compute="Allowed",geo="US",overage_state="None"} 1`,
		`securitycopilot_capacity_info{` + id("scu-prod", capSubA, "rg-prod") + `,cross_geo_compute="NotAllowed",geo="EU",overage_state="Limited"} 1`,
		`securitycopilot_capacity_info{` + id("scu-x", capSubOther, "rg-x") + `,cross_geo_compute="Allowed",geo="UK",overage_state="Limited"} 1`,
		`securitycopilot_capacity_last_success_timestamp_seconds{scope="/subscriptions/` + capSubA + `",tenant="tenant0"} ` + ts,
		`securitycopilot_capacity_last_success_timestamp_seconds{scope="/subscriptions/` + capSubNone + `",tenant="tenant0"} ` + ts,
		`securitycopilot_capacity_last_success_timestamp_seconds{scope="` + capOtherID + `",tenant="tenant0"} ` + ts,
		`securitycopilot_capacity_overage_units{` + id("scu-prod", capSubA, "rg-prod") + `} 5`,
		`securitycopilot_capacity_overage_units{` + id("scu-x", capSubOther, "rg-x") + `} 0`,
		`securitycopilot_capacity_units{` + id("scu-lab", capSubA, "rg-lab") + `} 2`,
		`securitycopilot_capacity_units{` + id("scu-none", capSubA, "rg-prod") + `} 1`,
		`securitycopilot_capacity_units{` + id("scu-prod", capSubA, "rg-prod") + `} 3`,
		`securitycopilot_capacity_units{` + id("scu-x", capSubOther, "rg-x") + `} 10`,
		`securitycopilot_capacity_up{scope="/subscriptions/` + capSubA + `",tenant="tenant0"} 1`,
		`securitycopilot_capacity_up{scope="/subscriptions/` + capSubDenied + `",tenant="tenant0"} 0`,
		`securitycopilot_capacity_up{scope="/subscriptions/` + capSubNone + `",tenant="tenant0"} 1`,
		`securitycopilot_capacity_up{scope="` + capOtherID + `",tenant="tenant0"} 1`,
	}, "\n")
	// The info line's labels sort by name; rebuild want in that order.
	if got := samples(fams, "securitycopilot_capacity_"); got != sortLabels(want) {
		t.Errorf("capacity metrics\ngot:\n%s\nwant:\n%s\nlogs:\n%s", got, sortLabels(want), f.logs.String())
	}
	if st := f.sim.ARMStats(); st.Throttled == 0 {
		t.Errorf("no request was throttled: %+v", st)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "AuthorizationFailed") || !strings.Contains(logs, "Reader role") {
		t.Errorf("the 403 is not logged with its fix:\n%s", logs)
	}
	// The workspaces are still exact beside capacity.
	f.assertExact(fams, "tenant0", f.opts.Tenants[0].Workspaces[0])
}

// sortLabels sorts the labels inside each line, as samples writes them.
func sortLabels(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		name, rest, _ := strings.Cut(l, "{")
		labels, value, _ := strings.Cut(rest, "} ")
		ls := strings.Split(labels, ",")
		sort.Strings(ls)
		lines[i] = name + "{" + strings.Join(ls, ",") + "} " + value
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// Without a capacity section nothing is read or exported: no Resource
// Manager request, no token for it, no series.
func TestCapacityOffCostsNothing(t *testing.T) {
	f := newFixture(t, capacityOptions(), 100)
	fams := f.scrape()
	if got := samples(fams, "securitycopilot_capacity_"); got != "" {
		t.Errorf("capacity metrics without the section:\n%s", got)
	}
	if st := f.sim.ARMStats(); st.Requests != 0 {
		t.Errorf("Resource Manager got %d requests", st.Requests)
	}
	if strings.Contains(f.logs.String(), "Resource Manager") {
		t.Errorf("logs mention Resource Manager:\n%s", f.logs.String())
	}
}

// Reads are reused for capacityTTL, by concurrent and later scrapes; a
// failed scope is asked again on the next scrape.
func TestCapacityCache(t *testing.T) {
	f := newFixture(t, capacityOptions(), 100)
	f.enableCapacity()
	var mu sync.Mutex
	now := testNow
	f.exp.opts.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }

	f.scrape()
	// 2 pages of capA, 1 denied, 1 without provider, 1 GET.
	if st := f.sim.ARMStats(); st.Requests != 5 {
		t.Fatalf("first scrape: %d requests, want 5", st.Requests)
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { f.scrape() })
	}
	wg.Wait()
	// Only the denied subscription is asked again, once per scrape.
	if st := f.sim.ARMStats(); st.Requests != 8 {
		t.Errorf("after 3 more scrapes within the TTL: %d requests, want 8", st.Requests)
	}
	advance(capacityTTL)
	fams := f.scrape()
	if st := f.sim.ARMStats(); st.Requests != 13 {
		t.Errorf("after the TTL: %d requests, want 13", st.Requests)
	}
	if v, _ := value(fams, "securitycopilot_capacity_last_success_timestamp_seconds", map[string]string{"tenant": "tenant0", "scope": capOtherID}); v != float64(testNow.Add(capacityTTL).Unix()) {
		t.Errorf("last success = %v, want the second read", v)
	}
}

// tokenLog records which bearer tokens each host and first path segment
// received: Graph's API is under /beta, Resource Manager's under
// /subscriptions, and Entra ID shares Graph's host in the simulator.
type tokenLog struct {
	inner policy.Transporter
	mu    sync.Mutex
	seen  map[string]map[string]bool // "host /segment" → tokens
}

func (l *tokenLog) Do(req *http.Request) (*http.Response, error) {
	segment, _, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/"), "/")
	key := req.URL.Host + " /" + segment
	l.mu.Lock()
	if l.seen[key] == nil {
		l.seen[key] = map[string]bool{}
	}
	if auth := req.Header.Get("Authorization"); auth != "" {
		l.seen[key][auth] = true
	}
	l.mu.Unlock()
	return l.inner.Do(req)
}

// The Graph token goes only to Graph and the Resource Manager token only to
// Resource Manager; Entra ID gets neither.
func TestCapacityTokensStayOnTheirHost(t *testing.T) {
	f := newFixture(t, capacityOptions(), 100)
	tl := &tokenLog{inner: &http.Client{Transport: f.sim.Transport()}, seen: map[string]map[string]bool{}}
	f.exp = New(Options{
		Logger: slog.New(slog.NewTextHandler(f.logs, nil)), Metrics: graphclient.NewMetrics(prometheus.NewRegistry()),
		Transport: tl, RetryDelay: time.Millisecond, Now: func() time.Time { return testNow },
	})
	f.enableCapacity()
	fams := f.scrape()
	if up, _ := value(fams, "securitycopilot_capacity_up", map[string]string{"tenant": "tenant0", "scope": capOtherID}); up != 1 {
		t.Fatalf("capacity not read; logs:\n%s", f.logs.String())
	}
	f.assertExact(fams, "tenant0", f.opts.Tenants[0].Workspaces[0])
	graph := hostOf(t, f.sim.GraphEndpoint()) + " /beta"
	arm := hostOf(t, f.sim.ARMEndpoint()) + " /subscriptions"
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if len(tl.seen[graph]) == 0 || len(tl.seen[arm]) == 0 {
		t.Fatalf("no tokens at %q or %q: %v", graph, arm, tl.seen)
	}
	for key, tokens := range tl.seen {
		if key != graph && key != arm && len(tokens) > 0 {
			t.Errorf("%s received a bearer token", key)
		}
	}
	for tok := range tl.seen[graph] {
		if tl.seen[arm][tok] {
			t.Error("one token went to both Graph and Resource Manager")
		}
	}
	if st := f.sim.ARMStats(); st.Unauthorized != 0 {
		t.Errorf("Resource Manager refused %d tokens", st.Unauthorized)
	}
	for _, r := range f.sim.Requests() {
		if r.Status == http.StatusUnauthorized {
			t.Errorf("Graph refused a token: %+v", r)
		}
	}
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// A workspace probe leaves capacity out; a tenant probe has it.
func TestCapacityProbe(t *testing.T) {
	f := newFixture(t, capacityOptions(), 100)
	f.enableCapacity()
	tenantProbe := f.probeFams("tenant=tenant0")
	if samples(tenantProbe, "securitycopilot_capacity_units") == "" {
		t.Error("tenant probe lacks capacity")
	}
	if got := samples(f.probeFams("tenant=tenant0&workspace=default"), "securitycopilot_capacity_"); got != "" {
		t.Errorf("workspace probe has capacity:\n%s", got)
	}
	if got := samples(f.probeFams("tenant=tenant1"), "securitycopilot_capacity_"); got != "" {
		t.Errorf("tenant1 has no capacity section but exports:\n%s", got)
	}
}

func (f *fixture) probeFams(query string) map[string]*dto.MetricFamily {
	f.t.Helper()
	rec := f.probe(query)
	if rec.Code != http.StatusOK {
		f.t.Fatalf("probe %s: HTTP %d: %s", query, rec.Code, rec.Body.String())
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		f.t.Fatalf("parse probe: %v", err)
	}
	return fams
}
