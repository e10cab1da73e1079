package config

import (
	"cmp"
	"fmt"
	"time"

	"github.com/prometheus/common/model"
)

// TenantAudit turns on, for one tenant, the read of Security Copilot usage
// from the Microsoft Purview audit log (Graph's audit log query API, with
// the application permission AuditLogsQuery.Read.All). The section's
// presence opts in; every key has a default. The usage is counted over
// the session windows (the top-level windows), so the longest of them is
// how far the reader looks back.
type TenantAudit struct {
	// Enabled, when false, keeps the section but reads nothing.
	Enabled *bool `yaml:"enabled,omitempty"`
	// Version is the Graph version of the audit API: v1.0 answered 404 on
	// live tenants while beta answered.
	Version string `yaml:"version,omitempty"`
	// Interval is how often the reader wakes to query the hours that
	// closed since; a query covers whole hours, so an hour is the least.
	Interval model.Duration `yaml:"interval,omitempty"`
	// Delay is how long after an hour ends it is first queried: records
	// appear 60 to 90 minutes after the event, sometimes later.
	Delay model.Duration `yaml:"delay,omitempty"`
	// Overlap is how much of what was already read each query reads again,
	// for records that arrived late.
	Overlap model.Duration `yaml:"overlap,omitempty"`
	// QueryTimeout bounds one query from creation to its last page.
	QueryTimeout model.Duration `yaml:"query_timeout,omitempty"`
	// QueriesPerDay caps the query submissions in any 24 hours; Graph
	// promises at least 200 per tenant, shared with every other tool.
	QueriesPerDay int `yaml:"queries_per_day,omitempty"`
	// MaxSurfaces and MaxPlugins cap the label values of surfaces (app
	// hosts) and plugins; the rest are counted as "other".
	MaxSurfaces int `yaml:"max_surfaces,omitempty"`
	MaxPlugins  int `yaml:"max_plugins,omitempty"`
	// AdminOperations are the admin events counted; empty means the
	// plugin, workspace, promptbook and settings operations.
	AdminOperations []string `yaml:"admin_operations,omitempty"`
}

// Audit defaults and limits.
const (
	DefaultAuditVersion      = "beta"
	DefaultAuditInterval     = model.Duration(time.Hour)
	DefaultAuditDelay        = model.Duration(2 * time.Hour)
	DefaultAuditOverlap      = model.Duration(3 * time.Hour)
	DefaultAuditQueryTimeout = model.Duration(30 * time.Minute)
	// DefaultAuditQueriesPerDay is a quarter of the documented 200: one
	// query an hour, and as many again for retries and splits.
	DefaultAuditQueriesPerDay = 48
	MaxAuditQueriesPerDay     = 200
	DefaultAuditMaxSurfaces   = 10
	DefaultAuditMaxPlugins    = 20
	// MaxAuditLookback is the audit log's retention.
	MaxAuditLookback = 180 * 24 * time.Hour
)

// On reports whether the tenant reads its audit log.
func (a *TenantAudit) On() bool { return a != nil && (a.Enabled == nil || *a.Enabled) }

// Resolved returns the section with every default filled in.
func (a TenantAudit) Resolved() TenantAudit {
	a.Version = cmp.Or(a.Version, DefaultAuditVersion)
	a.Interval = cmp.Or(a.Interval, DefaultAuditInterval)
	a.Delay = cmp.Or(a.Delay, DefaultAuditDelay)
	a.Overlap = cmp.Or(a.Overlap, DefaultAuditOverlap)
	a.QueryTimeout = cmp.Or(a.QueryTimeout, DefaultAuditQueryTimeout)
	a.QueriesPerDay = cmp.Or(a.QueriesPerDay, DefaultAuditQueriesPerDay)
	a.MaxSurfaces = cmp.Or(a.MaxSurfaces, DefaultAuditMaxSurfaces)
	a.MaxPlugins = cmp.Or(a.MaxPlugins, DefaultAuditMaxPlugins)
	return a
}

func (a *TenantAudit) validate(path string, windows []Window) []error {
	if a == nil {
		return nil
	}
	var errs []error
	r := a.Resolved()
	if r.Version != "beta" && r.Version != "v1.0" {
		errs = append(errs, fieldErr(path+".version", "%q is neither beta nor v1.0", r.Version))
	}
	if time.Duration(r.Interval) < time.Hour || time.Duration(r.Interval) > 24*time.Hour {
		errs = append(errs, fieldErr(path+".interval", "%s is out of range 1h..1d: a query covers whole hours", r.Interval))
	}
	if r.Delay < 0 || time.Duration(r.Delay) > 48*time.Hour {
		errs = append(errs, fieldErr(path+".delay", "%s is out of range 0s..2d", r.Delay))
	}
	if r.Overlap < 0 || time.Duration(r.Overlap) > 48*time.Hour {
		errs = append(errs, fieldErr(path+".overlap", "%s is out of range 0s..2d", r.Overlap))
	}
	if time.Duration(r.QueryTimeout) < time.Minute || time.Duration(r.QueryTimeout) > 6*time.Hour {
		errs = append(errs, fieldErr(path+".query_timeout", "%s is out of range 1m..6h", r.QueryTimeout))
	}
	if r.QueriesPerDay < 1 || r.QueriesPerDay > MaxAuditQueriesPerDay {
		errs = append(errs, fieldErr(path+".queries_per_day", "%d is out of range 1..%d (Graph's documented limit per tenant)", r.QueriesPerDay, MaxAuditQueriesPerDay))
	}
	if r.MaxSurfaces < 1 || r.MaxSurfaces > 100 {
		errs = append(errs, fieldErr(path+".max_surfaces", "%d is out of range 1..100", r.MaxSurfaces))
	}
	if r.MaxPlugins < 1 || r.MaxPlugins > 200 {
		errs = append(errs, fieldErr(path+".max_plugins", "%d is out of range 1..200", r.MaxPlugins))
	}
	for _, w := range windows {
		if w.Duration > MaxAuditLookback {
			errs = append(errs, fieldErr(path, "window %q is longer than the audit log's retention of 180d", w.Label))
		}
	}
	for i, op := range a.AdminOperations {
		if op == "" || len(op) > 128 {
			errs = append(errs, fieldErr(path+".admin_operations", "entry %d is empty or longer than 128 bytes", i))
		}
	}
	return errs
}

func (c *Config) validateAudit() []error {
	var errs []error
	for i, t := range c.Tenants {
		errs = append(errs, t.Audit.validate(fmt.Sprintf("tenants[%d].audit", i), c.Windows)...)
	}
	return errs
}
