package azuresim

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

const (
	subA       = "aaaaaaaa-0000-4000-8000-000000000001"
	subDenied  = "aaaaaaaa-0000-4000-8000-000000000002"
	subNoProv  = "aaaaaaaa-0000-4000-8000-000000000003"
	subB       = "bbbbbbbb-0000-4000-8000-000000000001"
	apiVersion = "2024-11-01-preview"
)

func armOptions() Options {
	opts := twoTenants(nil)
	opts.ARMPageSize = 2
	five := 5
	opts.Tenants[0].Subscriptions = []Subscription{
		{ID: subA, Capacities: []Capacity{
			{ResourceGroup: "rg1", Name: "scu-a", Units: 3, OverageState: "Limited", OverageAmount: &five, Geo: "EU", CrossGeoCompute: "NotAllowed"},
			{ResourceGroup: "rg1", Name: "scu-b", Units: 1, OverageState: "None", Geo: "US", CrossGeoCompute: "Allowed"},
			{ResourceGroup: "rg2", Name: "scu-c", Units: 7},
		}},
		{ID: subDenied, NoReader: true},
		{ID: subNoProv, NoProvider: true},
	}
	opts.Tenants[1].Subscriptions = []Subscription{{ID: subB}}
	return opts
}

func listPath(sub string) string {
	return "/subscriptions/" + sub + "/providers/Microsoft.SecurityCopilot/capacities?api-version=" + apiVersion
}

// armLogin gets a Resource Manager token for tenant A.
func (c *client) armLogin() *client {
	c.t.Helper()
	status, body := c.postToken(tenantA, secretForm(clientA, secretA, c.s.ARMScope()))
	if status != http.StatusOK {
		c.t.Fatalf("token: %d %v", status, body)
	}
	c.token = body["access_token"].(string)
	return c
}

// Resource Manager is another host than Graph, and each accepts only the
// tokens of its own audience.
func TestARMTokenAudience(t *testing.T) {
	s := startServer(t, armOptions())
	arm, graph := mustParse(t, s.ARMEndpoint()), mustParse(t, s.GraphEndpoint())
	if arm.Host == graph.Host {
		t.Fatalf("Resource Manager and Graph share the host %s", arm.Host)
	}
	graphToken := newClient(t, s).login(tenantA, clientA, secretA).token
	armToken := newClient(t, s).armLogin().token

	c := newClient(t, s)
	c.token = graphToken
	if a := c.get(s.ARMEndpoint() + listPath(subA)); a.status != http.StatusUnauthorized || a.errorCode() != "InvalidAuthenticationTokenAudience" {
		t.Errorf("Graph token at Resource Manager: %d %s", a.status, a.raw)
	}
	c.token = armToken
	if a := c.get(sessionsPath); a.status != http.StatusUnauthorized || a.errorCode() != "InvalidAuthenticationToken" {
		t.Errorf("Resource Manager token at Graph: %d %s", a.status, a.raw)
	}
	if a := c.get(s.ARMEndpoint() + listPath(subA)); a.status != http.StatusOK {
		t.Errorf("Resource Manager token at Resource Manager: %d %s", a.status, a.raw)
	}
	if st := s.ARMStats(); st.Unauthorized != 1 || st.Requests != 2 {
		t.Errorf("stats = %+v, want 2 requests, 1 unauthorized", st)
	}
	// Both scopes at once name no single audience.
	if status, body := c.postToken(tenantA, secretForm(clientA, secretA, s.Scope()+" "+s.ARMScope())); status != http.StatusBadRequest || body["error"] != "invalid_scope" {
		t.Errorf("two scopes: %d %v", status, body)
	}
}

func TestARMListingPages(t *testing.T) {
	s := startServer(t, armOptions())
	c := newClient(t, s).armLogin()
	first := c.get(s.ARMEndpoint() + listPath(subA))
	if first.status != http.StatusOK {
		t.Fatalf("first page: %d %s", first.status, first.raw)
	}
	wantFirst := `{"value":[{"id":"/subscriptions/` + subA + `/resourceGroups/rg1/providers/Microsoft.SecurityCopilot/capacities/scu-a","name":"scu-a","type":"Microsoft.SecurityCopilot/capacities","location":"eastus","properties":{"numberOfUnits":3,"crossGeoCompute":"NotAllowed","geo":"EU","overageState":"Limited","overageAmount":5,"provisioningState":"Succeeded"}},` +
		`{"id":"/subscriptions/` + subA + `/resourceGroups/rg1/providers/Microsoft.SecurityCopilot/capacities/scu-b","name":"scu-b","type":"Microsoft.SecurityCopilot/capacities","location":"eastus","properties":{"numberOfUnits":1,"crossGeoCompute":"Allowed","geo":"US","overageState":"None","provisioningState":"Succeeded"}}],` +
		`"nextLink":"` + s.ARMEndpoint() + `/subscriptions/` + subA + `/providers/Microsoft.SecurityCopilot/capacities?%24skipToken=2&api-version=` + apiVersion + `"}`
	if got := strings.TrimSpace(string(first.raw)); got != wantFirst {
		t.Fatalf("first page\ngot:  %s\nwant: %s", got, wantFirst)
	}
	second := c.get(first.body["nextLink"].(string))
	if second.status != http.StatusOK || len(second.values()) != 1 || second.values()[0]["name"] != "scu-c" || second.body["nextLink"] != nil {
		t.Fatalf("second page: %d %s", second.status, second.raw)
	}
	if props := second.values()[0]["properties"].(map[string]any); len(props) != 2 {
		t.Errorf("unset properties are served: %v", props)
	}
	one := c.get(s.ARMEndpoint() + "/subscriptions/" + subA + "/resourcegroups/RG2/providers/microsoft.securitycopilot/capacities/SCU-C?api-version=" + apiVersion)
	if one.status != http.StatusOK || one.body["name"] != "scu-c" {
		t.Errorf("GET one: %d %s", one.status, one.raw)
	}
}

func TestARMErrors(t *testing.T) {
	s := startServer(t, armOptions())
	c := newClient(t, s).armLogin()
	base := s.ARMEndpoint()
	cases := []struct {
		name, url string
		status    int
		code      string
	}{
		{"no reader", base + listPath(subDenied), http.StatusForbidden, "AuthorizationFailed"},
		{"no provider", base + listPath(subNoProv), http.StatusNotFound, "NotFound"},
		{"unknown subscription", base + listPath("cccccccc-0000-4000-8000-000000000001"), http.StatusNotFound, "SubscriptionNotFound"},
		{"other tenant's subscription", base + listPath(subB), http.StatusUnauthorized, "InvalidAuthenticationTokenTenant"},
		{"no api-version", base + "/subscriptions/" + subA + "/providers/Microsoft.SecurityCopilot/capacities", http.StatusBadRequest, "MissingApiVersionParameter"},
		{"unknown api-version", base + "/subscriptions/" + subA + "/providers/Microsoft.SecurityCopilot/capacities?api-version=2020-01-01", http.StatusBadRequest, "NoRegisteredProviderFound"},
		{"bad skip token", base + listPath(subA) + "&$skipToken=9", http.StatusBadRequest, "InvalidSkipToken"},
		{"unknown capacity", base + "/subscriptions/" + subA + "/resourceGroups/rg1/providers/Microsoft.SecurityCopilot/capacities/nope?api-version=" + apiVersion, http.StatusNotFound, "ResourceNotFound"},
		{"unknown group", base + "/subscriptions/" + subA + "/resourceGroups/nope/providers/Microsoft.SecurityCopilot/capacities/scu-a?api-version=" + apiVersion, http.StatusNotFound, "ResourceGroupNotFound"},
	}
	for _, tc := range cases {
		if a := c.get(tc.url); a.status != tc.status || a.errorCode() != tc.code || a.header.Get("x-ms-correlation-request-id") == "" {
			t.Errorf("%s: %d %s, want %d %s", tc.name, a.status, a.raw, tc.status, tc.code)
		}
	}
	c.token = ""
	if a := c.get(base + listPath(subA)); a.status != http.StatusUnauthorized || a.errorCode() != "AuthenticationFailed" {
		t.Errorf("no token: %d %s", a.status, a.raw)
	}
}

func TestARMThrottling(t *testing.T) {
	s := startServer(t, armOptions())
	c := newClient(t, s).armLogin()
	s.SetARMFaults(ARMFaults{ThrottleEvery: 2, RetryAfter: "7"})
	var statuses []int
	for range 4 {
		a := c.get(s.ARMEndpoint() + listPath(subA))
		statuses = append(statuses, a.status)
		if a.status == http.StatusTooManyRequests && (a.header.Get("Retry-After") != "7" || a.errorCode() != "TooManyRequests") {
			t.Errorf("429 without Retry-After 7 or code: %v %s", a.header, a.raw)
		}
	}
	if want := []int{200, 429, 200, 429}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	if st := s.ARMStats(); st.Throttled != 2 {
		t.Errorf("throttled = %d, want 2", st.Throttled)
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
