package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// demoSecretEnv carries the demo's random client secret from the simulator
// to the credential the way a real deployment would: by name, never as a
// flag.
const demoSecretEnv = "SECURITYCOPILOT_DEMO_CLIENT_SECRET"

type demoWorkspace struct {
	id       string
	sessions int
	plugins  int
}

// demoTenants: contoso lists its workspaces; fabrikam discovers them and has
// one workspace larger than a page, so both collection plans run.
var demoTenants = []struct {
	name, tenantID, clientID string
	discover                 bool
	workspaces               []demoWorkspace
}{
	{"contoso", "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", false,
		[]demoWorkspace{{contosoDefaultWorkspace, 300, 8}, {"soc-emea", 40, 20}}},
	{"fabrikam", "00000000-0000-4000-8000-000000000011", "00000000-0000-4000-8000-000000000012", true,
		[]demoWorkspace{{fabrikamDefaultWorkspace, 2500, 40}, {"tier1", 0, 0}}},
}

// The demo tenants' workspaces created at onboarding: as on Graph, their ids
// are GUIDs and "default" is an alias, which contoso's config uses.
const (
	contosoDefaultWorkspace  = "17aafe23-ab95-4b37-8c4d-5e6f7a8b9c0d"
	fabrikamDefaultWorkspace = "2b6c0f4e-91d3-4e5a-a7b8-c9d0e1f2a3b4"
)

type demo struct {
	sim       *azuresim.Server
	transport policy.Transporter
	cfg       *config.Config
	tokens    string // the delegated tenant's token cache directory
}

// startDemo runs the simulated Graph on loopback with sessions, prompts and
// evaluations arriving live, and builds the exporter config that points at
// it.
func startDemo(ctx context.Context, logger *slog.Logger) (*demo, error) {
	secret := rand.Text()
	if err := os.Setenv(demoSecretEnv, secret); err != nil {
		return nil, fmt.Errorf("set %s: %w", demoSecretEnv, err)
	}
	now := time.Now()
	// One capacity per page, so the demo follows Resource Manager's nextLink.
	opts := azuresim.Options{MaxPageSize: 1000, ARMPageSize: 1}
	cfg := config.Default()
	perPlugin := true
	for i, dt := range demoTenants {
		t := azuresim.Tenant{ID: dt.tenantID, ClientID: dt.clientID, ClientSecret: secret}
		ct := config.Tenant{Name: dt.name, TenantID: dt.tenantID, ClientID: dt.clientID, ClientSecretEnv: demoSecretEnv}
		for j, w := range dt.workspaces {
			sessions := azuresim.GenerateSessions(int64(100*i+j+1), w.sessions, now)
			onboarded := j == 0
			name := dt.name + " " + w.id
			if onboarded {
				name = "SecurityCopilot_Workspace"
			}
			t.Workspaces = append(t.Workspaces, azuresim.Workspace{
				ID: w.id, DisplayName: name, Default: onboarded,
				Sessions: sessions,
				Prompts:  azuresim.GeneratePrompts(int64(100*i+j+1), sessions, now),
				Plugins:  azuresim.GeneratePlugins(int64(100*i+j+1), w.plugins),
			})
			switch {
			case dt.discover:
			case onboarded:
				ct.Workspaces = append(ct.Workspaces, azuresim.DefaultAlias)
			default:
				ct.Workspaces = append(ct.Workspaces, w.id)
			}
		}
		sub := demoSubscription(i)
		t.Subscriptions = []azuresim.Subscription{sub}
		ct.Capacity = &config.TenantCapacity{Subscriptions: []string{sub.ID}}
		if i == 0 {
			// The series per plugin are opt-in per tenant: contoso shows
			// them, fabrikam only the counts.
			ct.Plugins = &config.TenantPlugins{PerPlugin: &perPlugin}
		}
		// Security Copilot usage from the audit log, read in the
		// background: the first query ends a few seconds after the start.
		// Records reach two days ahead, so later hours have usage too.
		ct.Audit = &config.TenantAudit{}
		opts.Tenants = append(opts.Tenants, t)
		cfg.Tenants = append(cfg.Tenants, ct)
	}
	// The delegated tenant's token cache needs a writable directory; a
	// container with a read-only root filesystem and no tmpfs has none,
	// and then the demo runs without that tenant.
	tokens, err := demoCacheDir()
	if err != nil {
		logger.Warn("Demo mode: no writable temporary directory, so the delegated tenant northwind is left out", "err", err)
	} else {
		addDelegatedDemoTenant(&opts, cfg, tokens, now)
	}
	sim, err := azuresim.New(opts)
	if err != nil {
		_ = os.RemoveAll(tokens)
		return nil, fmt.Errorf("start simulated Graph: %w", err)
	}
	d := &demo{sim: sim, transport: azurehttp.Socket(sim.Transport()), cfg: cfg, tokens: tokens}
	// The delegated tenant sees only its account's sessions.
	sim.SetFaults(azuresim.Faults{OwnSessionsOnly: true})
	for i, dt := range demoTenants {
		sim.AddAuditRecords(dt.tenantID, azuresim.GenerateAuditRecords(uint64(i+1), 4000, now.Add(-8*24*time.Hour), now.Add(2*24*time.Hour))...)
	}
	sim.StartLive(ctx, 3*time.Second, now.UnixNano())
	cfg.Graph.Endpoint, cfg.Graph.AuthorityHost = sim.GraphEndpoint(), sim.AuthorityHost()
	cfg.Collection.Timeout = model.Duration(20 * time.Second)
	// The demo shows every metric, so the opt-in activity and capacity
	// collectors are on.
	cfg.Activity.Enabled = true
	cfg.Capacity.Endpoint = sim.ARMEndpoint()
	if err := cfg.Validate(); err != nil {
		d.close()
		return nil, fmt.Errorf("demo config: %w", err)
	}
	if err := signInDemo(ctx, sim, cfg, d.transport); err != nil {
		d.close()
		return nil, err
	}
	logger.Info("Demo mode: serving a simulated Microsoft Graph and Azure Resource Manager on loopback", "graph", sim.GraphEndpoint(), "resource_manager", sim.ARMEndpoint(), "tenants", len(cfg.Tenants))
	return d, nil
}

// demoSubscription gives contoso a capacity that allows no overage and
// fabrikam two, one with a limited overage.
func demoSubscription(i int) azuresim.Subscription {
	sub := azuresim.Subscription{ID: fmt.Sprintf("00000000-0000-4000-9000-%012d", i+1)}
	if i == 0 {
		sub.Capacities = []azuresim.Capacity{{ResourceGroup: "rg-securitycopilot", Name: "scu-contoso", Units: 3, OverageState: "None", Geo: "EU", CrossGeoCompute: "NotAllowed"}}
		return sub
	}
	overage := 2
	sub.Capacities = []azuresim.Capacity{
		{ResourceGroup: "rg-securitycopilot", Name: "scu-fabrikam", Units: 5, OverageState: "Limited", OverageAmount: &overage, Geo: "US", CrossGeoCompute: "Allowed"},
		{ResourceGroup: "rg-lab", Name: "scu-lab", Units: 1, OverageState: "Unlimited", Geo: "US", CrossGeoCompute: "NotAllowed"},
	}
	return sub
}

func (d *demo) config() (*config.Config, error) { return d.cfg, nil }

func (d *demo) close() {
	_ = d.sim.Close()
	if d.tokens != "" {
		_ = os.RemoveAll(d.tokens)
	}
}
