package config

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Plugins configures the read of each workspace's plugins. The counts per
// category and state are always exported; the series per plugin are
// opt-in, since a workspace can have hundreds of plugins.
type Plugins struct {
	// Interval is how long a workspace's plugin list is reused before it
	// is listed again: plugins change rarely.
	Interval model.Duration `yaml:"interval"`
	// PerPlugin exports one series per plugin, for every tenant that does
	// not say otherwise in its own plugins section.
	PerPlugin bool `yaml:"per_plugin"`
}

// TenantPlugins overrides the global plugin settings for one tenant; an
// absent key keeps the global value.
type TenantPlugins struct {
	Interval  *model.Duration `yaml:"interval,omitempty"`
	PerPlugin *bool           `yaml:"per_plugin,omitempty"`
}

// Plugin defaults and limits.
const (
	DefaultPluginsInterval = model.Duration(15 * time.Minute)
	// MinPluginsInterval keeps the plugin list from being read on every
	// scrape; MaxPluginsInterval keeps it from going stale unnoticed.
	MinPluginsInterval = model.Duration(time.Minute)
	MaxPluginsInterval = model.Duration(24 * time.Hour)
)

// PluginsFor returns the plugin settings that apply to t: the global ones
// with t's overrides.
func (c *Config) PluginsFor(t Tenant) Plugins {
	p := c.Plugins
	if t.Plugins == nil {
		return p
	}
	if t.Plugins.Interval != nil {
		p.Interval = *t.Plugins.Interval
	}
	if t.Plugins.PerPlugin != nil {
		p.PerPlugin = *t.Plugins.PerPlugin
	}
	return p
}

func (p *Plugins) validate() []error {
	return checkPluginsInterval("plugins.interval", p.Interval)
}

func (t *TenantPlugins) validate(path string) []error {
	if t == nil || t.Interval == nil {
		return nil
	}
	return checkPluginsInterval(path+".interval", *t.Interval)
}

func checkPluginsInterval(path string, d model.Duration) []error {
	if d < MinPluginsInterval || d > MaxPluginsInterval {
		return []error{fieldErr(path, "%s is out of range %s..%s", d, MinPluginsInterval, MaxPluginsInterval)}
	}
	return nil
}

// checkTenantPluginIntervals does for each tenant's plugins.interval what
// checkDurations does for the global keys: it names the key and the line
// of a malformed duration.
func checkTenantPluginIntervals(doc *yaml.Node) []error {
	tenants := lookup(doc, "tenants")
	if tenants == nil || tenants.Kind != yaml.SequenceNode {
		return nil
	}
	var errs []error
	for i, t := range tenants.Content {
		n := lookup(t, "plugins", "interval")
		if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
			continue
		}
		if _, err := parseNonNegativeDuration(n.Value); err != nil {
			errs = append(errs, fieldErr(fmt.Sprintf("tenants[%d].plugins.interval", i), "line %d: %w", n.Line, err))
			n.SetString("")
			n.Tag = "!!null"
		}
	}
	return errs
}
