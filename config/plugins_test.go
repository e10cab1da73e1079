package config

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

const pluginsTenants = `
tenants:
  - name: contoso
    tenant_id: contoso.onmicrosoft.com
    auth: azure_cli
    plugins: {per_plugin: true, interval: 30m}
  - name: fabrikam
    tenant_id: fabrikam.onmicrosoft.com
    auth: azure_cli
  - name: northwind
    tenant_id: northwind.onmicrosoft.com
    auth: azure_cli
    plugins: {per_plugin: false}
`

func TestPluginsForMergesTheTenantOverGlobal(t *testing.T) {
	cfg, err := Parse([]byte("plugins: {interval: 1h, per_plugin: true}\n"+pluginsTenants), "config.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Plugins{
		"contoso":   {Interval: model.Duration(30 * time.Minute), PerPlugin: true},
		"fabrikam":  {Interval: model.Duration(time.Hour), PerPlugin: true},
		"northwind": {Interval: model.Duration(time.Hour), PerPlugin: false},
	}
	for _, tc := range cfg.Tenants {
		if got := cfg.PluginsFor(tc); got != want[tc.Name] {
			t.Errorf("%s: %+v, want %+v", tc.Name, got, want[tc.Name])
		}
	}
	cfg, err = Parse([]byte(pluginsTenants), "config.yml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.PluginsFor(cfg.Tenants[1]); got != (Plugins{Interval: DefaultPluginsInterval}) {
		t.Errorf("defaults: %+v, want 15m and no series per plugin", got)
	}
}

func TestPluginsInvalid(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"plugins: {interval: 30s}\n" + pluginsTenants, "plugins.interval: 30s is out of range 1m..1d"},
		{"plugins: {interval: 2d}\n" + pluginsTenants, "plugins.interval: 2d is out of range 1m..1d"},
		{"plugins: {interval: 5}\n" + pluginsTenants, `plugins.interval: line 1: "5" is not a valid duration`},
		{"plugins: {per_plugin: maybe}\n" + pluginsTenants, "plugins.per_plugin: line 1: want true or false"},
		{"plugins: {per_tenant: true}\n" + pluginsTenants, "plugins.per_tenant: line 1: unknown key; the keys here are interval, per_plugin"},
		{strings.Replace(pluginsTenants, "interval: 30m", "interval: 10s", 1), "tenants[0].plugins.interval: 10s is out of range 1m..1d"},
		{strings.Replace(pluginsTenants, "interval: 30m", "interval: soon", 1), `tenants[0].plugins.interval: line 6: "soon" is not a valid duration`},
		{strings.Replace(pluginsTenants, "interval: 30m", "settings: true", 1), "tenants[0].plugins.settings: line 6: unknown key"},
	} {
		_, err := Parse([]byte(tc.file), "config.yml")
		if err == nil || !strings.Contains(err.Error(), "config.yml: "+tc.want) {
			t.Errorf("error %v\nwant one containing %q", err, tc.want)
		}
	}
}
