package armclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/paging"
)

const (
	tenantID = "11111111-1111-4111-8111-111111111111"
	clientID = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	subA     = "aaaaaaaa-0000-4000-8000-000000000001"
	subNoRd  = "aaaaaaaa-0000-4000-8000-000000000002"
	subNoPv  = "aaaaaaaa-0000-4000-8000-000000000003"
)

func startSim(t *testing.T) *azuresim.Server {
	t.Helper()
	five := 5
	sim, err := azuresim.New(azuresim.Options{ARMPageSize: 2, Tenants: []azuresim.Tenant{{
		ID: tenantID, ClientID: clientID, ClientSecret: "secret",
		Subscriptions: []azuresim.Subscription{
			{ID: subA, Capacities: []azuresim.Capacity{
				{ResourceGroup: "rg1", Name: "scu-a", Units: 3, OverageState: "Limited", OverageAmount: &five, Geo: "EU", CrossGeoCompute: "NotAllowed"},
				{ResourceGroup: "rg1", Name: "scu-b", Units: 1, OverageState: "none", Geo: "Mars", CrossGeoCompute: "Allowed"},
				{ResourceGroup: "RG2", Name: "scu-c", Units: 7},
			}},
			{ID: subNoRd, NoReader: true},
			{ID: subNoPv, NoProvider: true},
		},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

func simClient(t *testing.T, sim *azuresim.Server) *Client {
	t.Helper()
	t.Setenv("ARM_TEST_SECRET", "secret")
	tr := &http.Client{Transport: sim.Transport()}
	tc := config.Tenant{Name: "contoso", TenantID: tenantID, ClientID: clientID, Auth: config.AuthClientSecret, ClientSecretEnv: "ARM_TEST_SECRET"}
	gc, err := graphclient.New(config.Graph{Endpoint: sim.GraphEndpoint(), AuthorityHost: sim.AuthorityHost()}, tc,
		graphclient.Options{Metrics: graphclient.NewMetrics(prometheus.NewRegistry()), Transport: tr, RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(config.Capacity{Endpoint: sim.ARMEndpoint()}, gc.Door())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr(v float64) *float64 { return &v }

func TestListSubscription(t *testing.T) {
	sim := startSim(t)
	c := simClient(t, sim)
	sim.SetARMFaults(azuresim.ARMFaults{ThrottleEvery: 2})
	got, err := c.ListSubscription(context.Background(), subA)
	if err != nil {
		t.Fatal(err)
	}
	want := []Capacity{
		{ID: config.CapacityID{Subscription: subA, ResourceGroup: "rg1", Name: "scu-a"}, Units: 3, OverageState: "Limited", OverageAmount: ptr(5), Geo: "EU", CrossGeoCompute: "NotAllowed"},
		{ID: config.CapacityID{Subscription: subA, ResourceGroup: "rg1", Name: "scu-b"}, Units: 1, OverageState: "None", Geo: Unknown, CrossGeoCompute: "Allowed"},
		{ID: config.CapacityID{Subscription: subA, ResourceGroup: "RG2", Name: "scu-c"}, Units: 7, OverageState: Unknown, Geo: Unknown, CrossGeoCompute: Unknown},
	}
	if !equalCapacities(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// Two pages, the second throttled once and retried.
	if st := sim.ARMStats(); st.Throttled != 1 || st.Requests != 3 {
		t.Errorf("stats %+v, want 3 requests, 1 throttled", st)
	}
	one, err := c.Get(context.Background(), want[2].ID)
	if err != nil || !equalCapacities([]Capacity{one}, want[2:]) {
		t.Errorf("Get = %+v, %v", one, err)
	}
}

func TestListSubscriptionFailures(t *testing.T) {
	sim := startSim(t)
	c := simClient(t, sim)
	ctx := context.Background()
	if got, err := c.ListSubscription(ctx, subNoPv); err != nil || len(got) != 0 {
		t.Errorf("subscription without the provider: %v, %v; want none and no error", got, err)
	}
	_, err := c.ListSubscription(ctx, subNoRd)
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusForbidden || e.Code != "AuthorizationFailed" || !strings.Contains(e.Hint(), "Reader") || e.CorrelationID == "" {
		t.Errorf("without Reader: %v", err)
	}
	_, err = c.ListSubscription(ctx, "cccccccc-0000-4000-8000-000000000009")
	if !errors.As(err, &e) || e.Code != "SubscriptionNotFound" {
		t.Errorf("unknown subscription: %v", err)
	}
	_, err = c.Get(ctx, config.CapacityID{Subscription: subA, ResourceGroup: "rg1", Name: "gone"})
	if !errors.As(err, &e) || e.Code != "ResourceNotFound" {
		t.Errorf("unknown capacity: %v", err)
	}
}

type staticToken struct{ calls atomic.Int32 }

func (s *staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	s.calls.Add(1)
	return azcore.AccessToken{Token: "arm-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// staticDoor is a door whose credential is cred, with no Entra ID behind it.
func staticDoor(t *testing.T, tr policy.Transporter, cred azcore.TokenCredential) *azurehttp.Door {
	t.Helper()
	d, err := azurehttp.New(azurehttp.Settings{AuthorityHost: "https://login.invalid/", Transport: tr, Schedule: azurehttp.Schedule{Delay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.UseCredential(func() (azcore.TokenCredential, error) { return cred, nil }); err != nil {
		t.Fatal(err)
	}
	return d
}

// A nextLink to another host is refused before any request goes there, so
// the token never reaches it.
func TestNextLinkOtherHostGetsNothing(t *testing.T) {
	var foreign atomic.Int32
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreign.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"value":[]}`))
	}))
	defer other.Close()
	arm := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"value":[],"nextLink":"` + other.URL + r.URL.Path + `?api-version=x"}`))
	}))
	defer arm.Close()
	c, err := New(config.Capacity{Endpoint: arm.URL}, staticDoor(t, arm.Client(), &staticToken{}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListSubscription(context.Background(), subA)
	if err == nil || !strings.Contains(err.Error(), "refusing nextLink outside "+arm.URL) {
		t.Errorf("err = %v", err)
	}
	if n := foreign.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
}

func TestNextLinkRules(t *testing.T) {
	c, err := New(config.Capacity{Endpoint: "https://arm.example"}, staticDoor(t, nil, &staticToken{}))
	if err != nil {
		t.Fatal(err)
	}
	chain := paging.NewChain("https://arm.example/subscriptions/x/providers/p?api-version=2024-11-01-preview", c.nextLink)
	got, err := chain.Next("https://ARM.example/subscriptions/x/providers/p?$skipToken=1")
	if err != nil || got != "https://ARM.example/subscriptions/x/providers/p?%24skipToken=1&api-version=2024-11-01-preview" {
		t.Errorf("link without api-version: %q, %v", got, err)
	}
	if _, err := chain.Next(got); err == nil {
		t.Error("a repeated link was followed")
	}
	for _, bad := range []string{
		"http://arm.example/subscriptions/x?api-version=1",
		"https://arm.example.evil/subscriptions/x?api-version=1",
		"https://arm.example:444/subscriptions/x?api-version=1",
		"https://user@arm.example/subscriptions/x?api-version=1",
		"//arm.example/x", "/subscriptions/x", "%zz",
		// The rule of Graph's links: no dot segment, escaped or not.
		"https://arm.example/subscriptions/x/../../tenants?api-version=1",
		"https://arm.example/subscriptions/%2e%2e/tenants?api-version=1",
		"https://arm.example/subscriptions/.\\tenants?api-version=1",
	} {
		if got, err := c.nextLink(bad); err == nil {
			t.Errorf("nextLink(%q) = %q, want refused", bad, got)
		}
	}
	if got, err := paging.NewChain("x", c.nextLink).Next(""); got != "" || err != nil {
		t.Errorf("empty link: %q, %v", got, err)
	}
}

func TestNewRefusesEndpoint(t *testing.T) {
	for _, ep := range []string{"http://arm.example", "https://arm.example/path", "https://"} {
		if _, err := New(config.Capacity{Endpoint: ep}, staticDoor(t, nil, &staticToken{})); err == nil {
			t.Errorf("New accepted endpoint %q", ep)
		}
	}
}

func equalCapacities(a, b []Capacity) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if (x.OverageAmount == nil) != (y.OverageAmount == nil) || (x.OverageAmount != nil && *x.OverageAmount != *y.OverageAmount) {
			return false
		}
		x.OverageAmount, y.OverageAmount = nil, nil
		if x != y {
			return false
		}
	}
	return true
}

// A page with no capacities but a nextLink is followed, as every listing
// follows one.
func TestEmptyPageWithNextLinkIsFollowed(t *testing.T) {
	var arm *httptest.Server
	arm = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("page") == "" {
			_, _ = w.Write([]byte(`{"value":[],"nextLink":"` + arm.URL + r.URL.Path + `?page=2"}`))
			return
		}
		id := "/subscriptions/" + subA + "/resourceGroups/rg/providers/" + config.CapacityProvider + "/scu"
		_, _ = w.Write([]byte(`{"value":[{"id":"` + id + `","properties":{"numberOfUnits":2}}]}`))
	}))
	defer arm.Close()
	c, err := New(config.Capacity{Endpoint: arm.URL}, staticDoor(t, arm.Client(), &staticToken{}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ListSubscription(context.Background(), subA)
	if err != nil || len(got) != 1 || got[0].Units != 2 {
		t.Fatalf("got %+v, %v; want the capacity of the second page", got, err)
	}
}
