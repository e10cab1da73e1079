package azuresim

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

const pluginsPath = "/security/securityCopilot/workspaces/default/plugins"

func pluginOptions() Options {
	opts := twoTenants(nil)
	opts.Tenants[0].Workspaces[0].Plugins = GeneratePlugins(1, 8)
	return opts
}

func names(a answer) []string {
	var out []string
	for _, v := range a.values() {
		out = append(out, v["name"].(string))
	}
	return out
}

// listAll follows nextLinks from first and returns every name served.
func listAll(t *testing.T, c *client, first string) []string {
	t.Helper()
	var got []string
	for next, pages := first, 0; next != ""; pages++ {
		if pages > 20 {
			t.Fatal("paging does not end")
		}
		a := c.get(next)
		if a.status != http.StatusOK {
			t.Fatalf("%s: %d %s", next, a.status, a.raw)
		}
		got = append(got, names(a)...)
		next, _ = a.body["@odata.nextLink"].(string)
	}
	return got
}

func TestPluginListingPagesByNameWithSelect(t *testing.T) {
	opts := pluginOptions()
	opts.MaxPageSize = 3
	s := startServer(t, opts)
	c := newClient(t, s).login(tenantA, clientA, secretA)
	a := c.get(pluginsPath + "?$count=true&$select=name,category,isEnabled")
	if a.status != http.StatusOK || a.body["@odata.count"] != float64(8) || a.body["@odata.nextLink"] == nil {
		t.Fatalf("first page: %d %s", a.status, a.raw)
	}
	if a.body["@odata.context"] != s.GraphEndpoint()+"/$metadata#security/securityCopilot/workspaces('default')/plugins(name,category,isEnabled)" {
		t.Errorf("context %v", a.body["@odata.context"])
	}
	if v := a.values()[0]; len(v) != 3 || v["isEnabled"] != true {
		t.Errorf("selected item %v", v)
	}
	got := listAll(t, c, pluginsPath+"?$select=name")
	want := []string{"DefenderXDR", "Entra", "Intune", "KQLBook", "Purview", "ServiceNowConnector", "ThreatFeedCustom", "Web"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("names %v, want %v", got, want)
	}
	if b := c.get(pluginsPath + "/Entra"); b.status != http.StatusBadRequest {
		t.Errorf("plugins/Entra: %d, want 400: a plugin has no entity path", b.status)
	}
	if n := s.Stats().ByPath[PathPlugins]; n != 5 {
		t.Errorf("ByPath[plugins] = %d, want 5", n)
	}
}

func TestPluginSettingsServedWholeOnlyWithoutSelect(t *testing.T) {
	s := startServer(t, pluginOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	a := c.get(pluginsPath + "?$filter=name%20eq%20'ThreatFeedCustom'")
	if a.status != http.StatusOK || !strings.Contains(string(a.raw), `"settingValue":"secretString"`) ||
		!strings.Contains(string(a.raw), `"authorization":{"@odata.type":"#microsoft.graph.securityCopilot.pluginAuth","authType":"aPIKey"}`) {
		t.Fatalf("whole plugin: %s", a.raw)
	}
	b := c.get(pluginsPath + "?$select=name,displayName,category,catalogScope,previewState,isEnabled")
	if strings.Contains(string(b.raw), "sim-secret") || strings.Contains(string(b.raw), "settings") {
		t.Errorf("a $select without settings served them: %s", b.raw)
	}
}

func TestPluginFilters(t *testing.T) {
	s := startServer(t, pluginOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	cases := []struct {
		filter string
		want   []string // nil: 400
	}{
		{"name eq 'Entra'", []string{"Entra"}},
		{"contains(name,'Connector')", []string{"ServiceNowConnector"}},
		{"displayName eq 'Microsoft Intune'", []string{"Intune"}},
		{"isEnabled eq false", []string{"Intune", "ServiceNowConnector", "Web"}},
		{"isEnabled eq true and contains(name,'e')", []string{"DefenderXDR", "Purview", "ThreatFeedCustom"}},
		{"isEnabled ne true", nil},
		{"displayName ne 'x'", nil},
		{"contains(displayName,'Microsoft')", nil},
		{"category eq 'microsoft'", nil},
		{"isEnabled eq 'true'", nil},
		{"startswith(name,'E')", nil},
	}
	for _, tc := range cases {
		a := c.get(pluginsPath + "?$select=name&$filter=" + queryEscape(tc.filter))
		switch {
		case tc.want == nil && a.status != http.StatusBadRequest:
			t.Errorf("%s: %d, want 400", tc.filter, a.status)
		case tc.want != nil && (a.status != http.StatusOK || !reflect.DeepEqual(names(a), tc.want)):
			t.Errorf("%s: %d %v, want %v", tc.filter, a.status, names(a), tc.want)
		}
	}
}

func TestPluginListingQuirksAndFaults(t *testing.T) {
	opts := pluginOptions()
	opts.MaxPageSize = 3
	s := startServer(t, opts)
	c := newClient(t, s).login(tenantA, clientA, secretA)

	s.SetFaults(Faults{Listing: ListingQuirks{Order: OrderNewestFirst, OffsetPaging: true, IgnoreTop: true, IgnoreFilter: true}, OmitCount: true})
	got := listAll(t, c, pluginsPath+"?$top=1&$count=true&$filter="+queryEscape("name eq 'Entra'"))
	want := []string{"Web", "ThreatFeedCustom", "ServiceNowConnector", "Purview", "KQLBook", "Intune", "Entra", "DefenderXDR"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("quirky listing %v, want %v", got, want)
	}
	if a := c.get(pluginsPath + "?$count=true"); a.body["@odata.count"] != nil {
		t.Errorf("OmitCount served a count: %s", a.raw)
	}

	s.SetFaults(Faults{RejectFilter: true, PluginStatusFor: map[string]int{"second": 503}})
	if a := c.get(pluginsPath + "?$filter=" + queryEscape("isEnabled eq true")); a.status != http.StatusBadRequest {
		t.Errorf("RejectFilter: %d", a.status)
	}
	if a := c.get("/security/securityCopilot/workspaces/second/plugins"); a.status != http.StatusServiceUnavailable {
		t.Errorf("PluginStatusFor: %d", a.status)
	}
	if a := c.get("/security/securityCopilot/workspaces/second/sessions"); a.status != http.StatusOK {
		t.Errorf("PluginStatusFor broke sessions: %d", a.status)
	}
}

func TestSetPlugin(t *testing.T) {
	s := startServer(t, pluginOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	if err := s.SetPlugin(tenantA, "default", Plugin{Name: "Web", Category: "web", IsEnabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPlugin(tenantA, "default", Plugin{Name: "AAA", Category: "future", IsEnabled: true}); err != nil {
		t.Fatal(err)
	}
	a := c.get(pluginsPath + "?$select=name,category&$filter=" + queryEscape("isEnabled eq true and contains(name,'A')"))
	if got := names(a); !reflect.DeepEqual(got, []string{"AAA"}) || a.values()[0]["category"] != "future" {
		t.Errorf("after SetPlugin: %s", a.raw)
	}
	if a := c.get(pluginsPath + "?$filter=" + queryEscape("name eq 'Web' and isEnabled eq true")); len(names(a)) != 1 {
		t.Errorf("Web was not enabled: %s", a.raw)
	}
	if err := s.SetPlugin(tenantA, "default", Plugin{}); err == nil {
		t.Error("a plugin without a name was accepted")
	}
}
