package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/signin"
)

// runLogin signs in the monitoring account of one device_code tenant and
// writes its token cache: the one interactive step of delegated access.
func runLogin(ctx context.Context, load func() (*config.Config, error), transport policy.Transporter, name string, timeout time.Duration) int {
	cfg, err := load()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: invalid configuration: %v\n", exporterName, err)
		return 1
	}
	t, err := loginTenant(cfg, name)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: --auth.login: %v\n", exporterName, err)
		return 1
	}
	scope, err := graphclient.GraphScope(cfg.Graph.Endpoint)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", exporterName, err)
		return 1
	}
	// The sign-in talks to Entra ID through a door of its own, with the
	// checks every token request of the exporter gets.
	door, err := azurehttp.New(azurehttp.Settings{AuthorityHost: cfg.Graph.AuthorityHost, Transport: transport})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", exporterName, err)
		return 1
	}
	res, err := signin.Login(ctx, signin.LoginOptions{
		Settings: graphclient.SignInSettings(t, cfg.Graph.AuthorityHost, door.IdentityClient()),
		Scope:    scope, Timeout: timeout, Prompt: os.Stderr,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: sign-in failed: %v\n", exporterName, err)
		if advice := signin.Advice(err); advice != "" {
			fmt.Fprintf(os.Stderr, "What to do: %s\n", advice)
		}
		return 1
	}
	fmt.Printf("%s: signed in as %s for tenant %s (scopes: %s); the token cache is %s\n",
		exporterName, res.Account, t.Name, strings.Join(res.Scopes, " "), t.TokenCacheFile)
	return 0
}

func loginTenant(cfg *config.Config, name string) (config.Tenant, error) {
	var names []string
	for _, t := range cfg.Tenants {
		if t.Name == name {
			if t.Auth != config.AuthDeviceCode {
				return t, fmt.Errorf("tenant %s uses auth %s; sign-in is for auth %s", name, t.Auth, config.AuthDeviceCode)
			}
			return t, nil
		}
		if t.Auth == config.AuthDeviceCode {
			names = append(names, t.Name)
		}
	}
	if len(names) == 0 {
		return config.Tenant{}, fmt.Errorf("no tenant %q in the configuration, and no tenant uses auth %s", name, config.AuthDeviceCode)
	}
	return config.Tenant{}, fmt.Errorf("no tenant %q in the configuration; tenants with auth %s: %s", name, config.AuthDeviceCode, strings.Join(names, ", "))
}
