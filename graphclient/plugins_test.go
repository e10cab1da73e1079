package graphclient

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

func TestPluginDecoding(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       Plugin
		err        string
	}{
		{name: "the docs' example", body: `{"name":"Entra","displayName":"Microsoft Entra","description":"…","category":"microsoft","catalogScope":"global","previewState":"ga","isEnabled":true,"authorization":null,"settings":[]}`,
			want: Plugin{Name: "Entra", DisplayName: "Microsoft Entra", Category: CategoryMicrosoft, CatalogScope: "global", PreviewState: "ga", Enabled: true}},
		{name: "unlisted values", body: `{"name":"x","category":"partner","catalogScope":"region","previewState":"beta","isEnabled":false}`,
			want: Plugin{Name: "x", Category: CategoryUnknownFutureValue, CatalogScope: ScopeUnknownFutureValue, PreviewState: PreviewUnknownFutureValue}},
		{name: "enum case differs", body: `{"name":"x","category":"Microsoft","isEnabled":true}`,
			want: Plugin{Name: "x", Category: CategoryUnknownFutureValue, CatalogScope: ScopeUnknownFutureValue, PreviewState: PreviewUnknownFutureValue, Enabled: true}},
		{name: "enums null", body: `{"name":"x","category":null,"catalogScope":null,"previewState":null,"isEnabled":true,"displayName":null}`,
			want: Plugin{Name: "x", Category: CategoryUnknownFutureValue, CatalogScope: ScopeUnknownFutureValue, PreviewState: PreviewUnknownFutureValue, Enabled: true}},
		{name: "settings served anyway are skipped", body: `{"name":"x","category":"plugin","isEnabled":true,"settings":[{"name":"apiKey","settingValue":"secretString","value":"hunter2"}]}`,
			want: Plugin{Name: "x", Category: CategoryPlugin, CatalogScope: ScopeUnknownFutureValue, PreviewState: PreviewUnknownFutureValue, Enabled: true}},
		{name: "no name", body: `{"category":"microsoft","isEnabled":true}`, err: "plugin without a name"},
		{name: "empty name", body: `{"name":"","isEnabled":true}`, err: "plugin without a name"},
		{name: "no isEnabled", body: `{"name":"x","isEnabled":null}`, err: `plugin "x" without isEnabled`},
		{name: "isEnabled not a Boolean", body: `{"name":"x","isEnabled":"true"}`, err: "cannot unmarshal string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodePlugin(json.NewDecoder(strings.NewReader(tc.body)))
			switch {
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
			case err != nil:
				t.Fatal(err)
			case got != tc.want:
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestLastByNameKeepsEachPluginOnce(t *testing.T) {
	got := lastByName([]Plugin{{Name: "a"}, {Name: "b"}, {Name: "a", Enabled: true}, {Name: "A"}})
	want := []Plugin{{Name: "a", Enabled: true}, {Name: "b"}, {Name: "A"}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	}
}

// The listing follows every page under a served page cap, and never asks
// for settings.
func TestListPluginsFollowsPagesAndSelectsNoSettings(t *testing.T) {
	sim, err := azuresim.New(azuresim.Options{MaxPageSize: 7, Tenants: []azuresim.Tenant{{
		ID: testTenantID, ClientID: testClientID, ClientSecret: testSecret,
		Workspaces: []azuresim.Workspace{{ID: "ws", Plugins: azuresim.GeneratePlugins(3, 40)}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	c, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretFile: secretFile(t, testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := c.client.Reader().ListPlugins(ctx, "ws", 1000)
	if err != nil {
		t.Fatal(err)
	}
	truth, _ := sim.Plugins(testTenantID, "ws")
	if len(got) != len(truth) {
		t.Fatalf("%d plugins, want %d", len(got), len(truth))
	}
	for i, p := range truth {
		if got[i].Name != p.Name || got[i].Enabled != p.IsEnabled || string(got[i].Category) != p.Category {
			t.Errorf("plugin %d: %+v, want %+v", i, got[i], p)
		}
	}
	var pages int
	for _, r := range sim.Requests() {
		if !strings.HasSuffix(r.Path, "/plugins") || r.Status != http.StatusOK {
			continue
		}
		pages++
		q, err := url.ParseQuery(r.RawQuery)
		if err != nil || strings.Contains(r.RawQuery, "settings") || q.Get("$select") != "name,displayName,category,catalogScope,previewState,isEnabled" {
			t.Errorf("query %q", r.RawQuery)
		}
	}
	if pages != 6 {
		t.Errorf("%d pages, want 6 (40 plugins, 7 a page)", pages)
	}
}
