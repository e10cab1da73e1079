package collector

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// Token kinds of securitycopilot_tenant_access_info.
const (
	tokenDelegated   = "delegated"
	tokenApplication = "application"
)

func newTenantAccessDesc() *prometheus.Desc {
	return prometheus.NewDesc(metricnames.TenantAccessInfo,
		"Always 1, per tenant, with its auth method and the kind of token it reads Graph with: application (app-only) or delegated (a signed-in account's). Microsoft does not say whether a delegated listing covers every session of a workspace or only the signed-in account's, so a delegated tenant's counts may be the account's own sessions only.",
		[]string{metricnames.Tenant, metricnames.Auth, metricnames.TokenKind}, nil)
}

// tokenKind is the kind of token an auth method gets: a signed-in user's
// for device_code and azure_cli (the CLI's account, normally a person), an
// app-only token for the others.
func tokenKind(m config.AuthMethod) string {
	switch m {
	case config.AuthDeviceCode, config.AuthAzureCLI:
		return tokenDelegated
	}
	return tokenApplication
}

func newSignInDesc() *prometheus.Desc {
	return prometheus.NewDesc(metricnames.SignInRequired,
		"1 while a delegated tenant's sign-in has ended (the refresh token in token_cache_file expired or was revoked, or MFA or Conditional Access now demand the user) and only a new sign-in with --auth.login=TENANT restores access; its workspaces are then up 0. 0 otherwise. Only for tenants with auth device_code.",
		[]string{metricnames.Tenant}, nil)
}

func (s *scrape) emitTenantAccess(ch chan<- prometheus.Metric, t *tenant) {
	ch <- prometheus.MustNewConstMetric(s.e.descs.tenantAccess, prometheus.GaugeValue, 1,
		t.cfg.Name, string(t.cfg.Auth), tokenKind(t.cfg.Auth))
	if required, ok := t.client.SignInRequired(); ok {
		v := 0.0
		if required {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(s.e.descs.signIn, prometheus.GaugeValue, v, t.cfg.Name)
	}
}
