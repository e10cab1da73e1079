package main

import (
	"context"
	"fmt"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"os"
	"path/filepath"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/signin"
)

// The demo's delegated tenant: a monitoring account signs in with the
// device code flow, and Graph shows it only its own sessions, one of the
// two ways Microsoft may treat a delegated listing.
const (
	northwindTenantID         = "00000000-0000-4000-8000-000000000021"
	northwindClientID         = "00000000-0000-4000-8000-000000000022"
	northwindDefaultWorkspace = "3c7d1a5f-02e4-4f6b-b8c9-d0e1f2a3b4c5"
	northwindMonitor          = "monitor@northwind.example"
)

// addDelegatedDemoTenant adds northwind to the simulator's tenants and to
// the config, its token cache in dir.
func addDelegatedDemoTenant(opts *azuresim.Options, cfg *config.Config, dir string, now time.Time) {
	sessions := azuresim.GenerateSessions(301, 120, now)
	for i := range sessions {
		sessions[i].Owner = "analyst@northwind.example"
		if i%4 == 0 {
			sessions[i].Owner = northwindMonitor
		}
	}
	opts.Tenants = append(opts.Tenants, azuresim.Tenant{
		ID: northwindTenantID, ClientID: northwindClientID,
		Users: []azuresim.User{
			{ObjectID: "00000000-0000-4000-8000-000000000023", UPN: northwindMonitor},
			{ObjectID: "00000000-0000-4000-8000-000000000024", UPN: "analyst@northwind.example"},
		},
		Workspaces: []azuresim.Workspace{{ID: northwindDefaultWorkspace, DisplayName: "SecurityCopilot_Workspace", Default: true,
			Sessions: sessions, Prompts: azuresim.GeneratePrompts(301, sessions, now)}},
	})
	cfg.Tenants = append(cfg.Tenants, config.Tenant{
		Name: "northwind", TenantID: northwindTenantID, ClientID: northwindClientID,
		Auth: config.AuthDeviceCode, TokenCacheFile: filepath.Join(dir, "northwind.json"),
		Workspaces: []string{azuresim.DefaultAlias},
	})
}

// signInDemo does what an administrator does once with --auth.login: the
// simulated user approves at once, and the cache is written to dir.
func signInDemo(ctx context.Context, sim *azuresim.Server, cfg *config.Config, transport policy.Transporter) error {
	for _, t := range cfg.Tenants {
		if t.Auth != config.AuthDeviceCode {
			continue
		}
		if err := sim.ApproveDeviceLogin(northwindTenantID, northwindMonitor); err != nil {
			return err
		}
		door, err := azurehttp.New(azurehttp.Settings{AuthorityHost: cfg.Graph.AuthorityHost, Transport: transport})
		if err != nil {
			return err
		}
		_, err = signin.Login(ctx, signin.LoginOptions{
			Settings: graphclient.SignInSettings(t, cfg.Graph.AuthorityHost, door.IdentityClient()),
			Scope:    sim.Scope(), Timeout: time.Minute,
		})
		if err != nil {
			return fmt.Errorf("sign in the demo's tenant %s: %w", t.Name, err)
		}
	}
	return nil
}

func demoCacheDir() (string, error) {
	dir, err := os.MkdirTemp("", "securitycopilot-demo-tokens-")
	if err != nil {
		return "", fmt.Errorf("token cache directory: %w", err)
	}
	return dir, nil
}
