package accesscheck

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/safetext"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/signin"
)

// maxLine bounds a line of the report; maxCell a cell of its table.
const (
	maxLine = 1024
	maxCell = 320
)

// Options are the wiring of a check.
type Options struct {
	Version string
	// Transport replaces the default HTTP client (the demo and the tests
	// trust the simulator's certificate through it).
	Transport policy.Transporter
	// TenantTimeout bounds the checks of one tenant; 0 means one minute.
	TenantTimeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// tenantReport is what the check found for one tenant.
type tenantReport struct {
	name  string
	lines []string // token, permission and fix, printed before the table
	rows  []row
	ok    bool
}

// Run checks every tenant of cfg, writes the report to out and returns
// whether every workspace to be collected can be read.
func Run(ctx context.Context, cfg *config.Config, opts Options, out io.Writer) bool {
	if opts.TenantTimeout <= 0 {
		opts.TenantTimeout = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ok := true
	var rows []row
	for _, t := range cfg.Tenants {
		r := checkTenant(ctx, cfg, t, opts)
		fmt.Fprintf(out, "tenant %s (tenant_id %s, auth %s)\n", t.Name, t.TenantID, t.Auth)
		// The lines hold roles, names and messages from Graph and Entra
		// ID: escaped, so that none drives the reader's terminal.
		for _, l := range r.lines {
			fmt.Fprintf(out, "  %s\n", safetext.Cut(l, maxLine))
		}
		rows = append(rows, r.rows...)
		ok = ok && r.ok
	}
	fmt.Fprintln(out)
	writeTable(out, rows)
	if ok {
		fmt.Fprintln(out, "\nEvery workspace can be read.")
	} else {
		fmt.Fprintln(out, "\nSome workspaces cannot be read; see above.")
	}
	return ok
}

func checkTenant(ctx context.Context, cfg *config.Config, t config.Tenant, opts Options) tenantReport {
	ctx, cancel := context.WithTimeout(ctx, opts.TenantTimeout)
	defer cancel()
	rep := tenantReport{name: t.Name}
	client, err := graphclient.New(cfg.Graph, t, graphclient.Options{
		Metrics:   graphclient.NewMetrics(prometheus.NewRegistry()),
		Version:   opts.Version,
		Transport: opts.Transport,
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		rep.lines = append(rep.lines, "credential: "+err.Error())
		rep.rows = append(rep.rows, row{tenant: t.Name, workspace: "-", read: "no credential"})
		return rep
	}
	token, err := client.AccessToken(ctx)
	if err != nil {
		rep.lines = append(rep.lines, "token: "+tokenFailure(err, cfg.Graph.AuthorityHost))
		if advice := signin.Advice(err); advice != "" {
			rep.lines = append(rep.lines, "fix: "+advice)
		}
		rep.rows = append(rep.rows, row{tenant: t.Name, workspace: "-", read: "no token"})
		return rep
	}
	rep.lines = append(rep.lines, permissionLines(token, t.ClientID)...)
	auditOK := true
	if t.Audit.On() {
		var lines []string
		lines, auditOK = auditLines(token, t.ClientID)
		rep.lines = append(rep.lines, lines...)
	}
	targets, lines, listed := workspaces(ctx, client, t, cfg.Collection.MaxWorkspacesPerTenant)
	rep.lines = append(rep.lines, lines...)
	rep.ok = listed && auditOK
	for _, w := range targets {
		r := checkWorkspace(ctx, client, t.Name, w, cfg.Graph.PageSize, opts.Now())
		rep.rows = append(rep.rows, r)
		rep.ok = rep.ok && r.readable
	}
	return rep
}

// permissionLines report the token's kind and permission, and how to fix
// a missing one.
func permissionLines(token, clientID string) []string {
	c, err := decodeClaims(token)
	if err != nil {
		return []string{"token: ok; its claims cannot be read (" + err.Error() + "), so the permission is not checked"}
	}
	if c.delegated() {
		return delegatedLines(c)
	}
	lines := []string{"token: ok; kind: application; roles: " + c.rolesText()}
	if c.granted() {
		return append(lines, "permission: "+ReadRole+" is granted")
	}
	lines = append(lines, "permission: "+ReadRole+" is NOT granted; Graph will answer 403.")
	return append(lines, fix(clientID)...)
}
