package main

import (
	"strings"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

func TestLoginTenantSaysWhichTenantsCanSignIn(t *testing.T) {
	cfg := &config.Config{Tenants: []config.Tenant{
		{Name: "contoso", Auth: config.AuthClientSecret},
		{Name: "northwind", Auth: config.AuthDeviceCode},
	}}
	for name, want := range map[string]string{
		"northwind": "",
		"contoso":   "tenant contoso uses auth client_secret; sign-in is for auth device_code",
		"fabrikam":  `no tenant "fabrikam" in the configuration; tenants with auth device_code: northwind`,
	} {
		_, err := loginTenant(cfg, name)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
}
