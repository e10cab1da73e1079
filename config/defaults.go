package config

import (
	"time"

	"github.com/prometheus/common/model"
)

// Defaults and limits. They are exported so documentation and other packages
// can refer to them instead of repeating the numbers.
const (
	DefaultEndpoint      = "https://graph.microsoft.com/beta"
	DefaultAuthorityHost = "https://login.microsoftonline.com/"
	DefaultPageSize      = 1000
	// MaxPageSize is the largest $top Graph accepts for listings.
	MaxPageSize = 10000
	// DefaultMaxPageBytes caps one answer of Graph: a page of 1,000
	// sessions with every property is about 300 KB, so 32 MiB leaves room
	// for pages of larger items and still bounds what a hostile answer
	// costs. A $batch answer may be twice as long.
	DefaultMaxPageBytes = 32 << 20
	// MinMaxPageBytes and MaxMaxPageBytes bound graph.max_page_bytes.
	MinMaxPageBytes = 64 << 10
	MaxMaxPageBytes = 256 << 20

	DefaultTimeout       = model.Duration(30 * time.Second)
	DefaultTimeoutOffset = model.Duration(500 * time.Millisecond)
	// MaxTimeout bounds the fallback scrape deadline; a longer scrape is a
	// configuration mistake, not a need.
	MaxTimeout = model.Duration(10 * time.Minute)

	DefaultMaxConcurrencyPerTenant = 4

	// DefaultCacheTTL is Prometheus' default scrape interval: one Prometheus
	// at the default interval still sees every fetch, while an HA pair, or
	// a faster interval, costs Graph no more than one fetch a minute. A
	// minute-old number is well inside the shortest default window.
	DefaultCacheTTL = model.Duration(time.Minute)
	// MaxCacheTTL bounds cache_ttl: older numbers would hide outages.
	MaxCacheTTL = model.Duration(time.Hour)
	// MaxConcurrencyLimit bounds max_concurrency_per_tenant; more parallel
	// requests only earn throttling from Graph.
	MaxConcurrencyLimit = 64

	// MaxWindow is the longest trailing window (10y in Prometheus notation,
	// where a year is 365 days).
	MaxWindow = 10 * 365 * 24 * time.Hour

	// MaxWorkspaceIDBytes bounds a workspace id; a GUID has 36.
	MaxWorkspaceIDBytes = 128

	// DefaultMaxWorkspacesPerTenant is far above what a tenant has in
	// practice (one workspace, a handful at most) and keeps a tenant that
	// lists thousands from growing the exporter without bound.
	DefaultMaxWorkspacesPerTenant = 100
	// MaxWorkspacesLimit bounds max_workspaces_per_tenant.
	MaxWorkspacesLimit = 1000
)

// DefaultWindows returns a fresh copy of the default windows: 1h, 1d, 7d,
// 30d. A function rather than a variable so no caller can change the
// defaults for everyone.
func DefaultWindows() []Window {
	const day = 24 * time.Hour
	return []Window{
		{Label: "1h", Duration: time.Hour},
		{Label: "1d", Duration: day},
		{Label: "7d", Duration: 7 * day},
		{Label: "30d", Duration: 30 * day},
	}
}

// Default returns a configuration with every default set and no tenants.
// Parse decodes the file on top of it, so absent keys keep these values.
func Default() *Config {
	return &Config{
		Graph: Graph{
			Endpoint:      DefaultEndpoint,
			AuthorityHost: DefaultAuthorityHost,
			PageSize:      DefaultPageSize,
			MaxPageBytes:  DefaultMaxPageBytes,
		},
		Windows: DefaultWindows(),
		Collection: Collection{
			Timeout:                 DefaultTimeout,
			TimeoutOffset:           DefaultTimeoutOffset,
			MaxConcurrencyPerTenant: DefaultMaxConcurrencyPerTenant,
			MaxWorkspacesPerTenant:  DefaultMaxWorkspacesPerTenant,
			CacheTTL:                DefaultCacheTTL,
		},
		Activity: Activity{
			Lookback:    DefaultActivityLookback,
			MaxSessions: DefaultActivityMaxSessions,
			Windows:     DefaultActivityWindows(),
		},
		Plugins: Plugins{Interval: DefaultPluginsInterval},
	}
}
