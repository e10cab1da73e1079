package collector

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// pluginDescs describe the plugin metrics: success, timestamp and counts
// for every workspace, the series per plugin only for tenants that opt in.
type pluginDescs struct {
	success, lastSuccess, count, enabled, info *prometheus.Desc
}

func newPluginDescs() pluginDescs {
	with := func(labels ...string) []string { return append(append([]string{}, workspaceLabels...), labels...) }
	return pluginDescs{
		success: prometheus.NewDesc(metricnames.PluginsSuccess,
			"1 if the workspace's plugins were listed from Microsoft Graph completely (GET /security/securityCopilot/workspaces/{id}/plugins), in this scrape or within plugins.interval (default 15m) before it; 0 if the last listing failed, and then the workspace's other plugin metrics are absent. Independent of securitycopilot_up: the sessions are read apart.",
			workspaceLabels, nil),
		lastSuccess: prometheus.NewDesc(metricnames.PluginsLastSuccessTime,
			"Unix time at which the workspace's plugins were last listed from Microsoft Graph successfully by this exporter process; a listing is reused for plugins.interval. Absent until the first success.",
			workspaceLabels, nil),
		count: prometheus.NewDesc(metricnames.Plugins,
			"Plugins the workspace knows, as Microsoft Graph lists them, by category and by isEnabled (enabled \"true\" or \"false\"): one series for each category the Graph metadata lists and each state, zeros included; a category the metadata does not list counts as unknownFutureValue. Listed at most every plugins.interval.",
			with(metricnames.Category, metricnames.Enabled), nil),
		enabled: prometheus.NewDesc(metricnames.PluginEnabled,
			"1 if the plugin is enabled in the workspace (isEnabled, as Microsoft Graph lists it), else 0; one series per plugin, plugin being its name (a plugin's key in Graph), with its category, catalogScope and previewState, unlisted values as unknownFutureValue. Only for tenants with plugins.per_plugin.",
			with(metricnames.Plugin, metricnames.Category, metricnames.CatalogScope, metricnames.PreviewState), nil),
		info: prometheus.NewDesc(metricnames.PluginInfo,
			"Always 1, per plugin of the workspace, with its displayName as Microsoft Graph lists it, so that tables can show names; join on tenant, workspace and plugin. Only for tenants with plugins.per_plugin.",
			with(metricnames.Plugin, metricnames.DisplayName), nil),
	}
}

func (d pluginDescs) describe(ch chan<- *prometheus.Desc) {
	for _, desc := range []*prometheus.Desc{d.success, d.lastSuccess, d.count, d.enabled, d.info} {
		ch <- desc
	}
}

// emitPlugins sends a workspace's plugin metrics. Every listed category is
// exported in both states, zeros included, so that an alert on a rise has
// a series from the first scrape on.
func (s *scrape) emitPlugins(ch chan<- prometheus.Metric, t *tenant, ws string, r pluginRead) {
	d := s.e.descs.plugins
	if !r.at.IsZero() {
		ch <- prometheus.MustNewConstMetric(d.lastSuccess, prometheus.GaugeValue, unixSeconds(r.at), t.cfg.Name, ws)
	}
	if r.err != nil {
		ch <- prometheus.MustNewConstMetric(d.success, prometheus.GaugeValue, 0, t.cfg.Name, ws)
		return
	}
	perPlugin := s.st.cfg.PluginsFor(t.cfg).PerPlugin
	build := func() []prometheus.Metric { return pluginSeries(d, t.cfg.Name, ws, r.plugins, perPlugin) }
	series := build
	if r.metrics != nil {
		series = func() []prometheus.Metric {
			return r.metrics.get(pluginMetricsKey{tenant: t.cfg.Name, workspace: ws, perPlugin: perPlugin, descs: d}, build)
		}
	}
	for _, m := range series() {
		ch <- m
	}
}

// pluginSeries are the series of a successful listing but its timestamp.
func pluginSeries(d pluginDescs, tenant, ws string, plugins []graphclient.Plugin, perPlugin bool) []prometheus.Metric {
	var out []prometheus.Metric
	gauge := func(desc *prometheus.Desc, v float64, extra ...string) {
		out = append(out, prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, append([]string{tenant, ws}, extra...)...))
	}
	gauge(d.success, 1)
	type key struct {
		category graphclient.PluginCategory
		enabled  bool
	}
	counts := map[key]int{}
	for _, p := range plugins {
		counts[key{p.Category, p.Enabled}]++
	}
	for _, c := range graphclient.PluginCategories() {
		for _, on := range []bool{false, true} {
			gauge(d.count, float64(counts[key{c, on}]), string(c), strconv.FormatBool(on))
		}
	}
	if !perPlugin {
		return out
	}
	// Names are unique in a listing; a bounded label could still make two
	// of them one series, and the second is then left out.
	seen := make(map[string]bool, len(plugins))
	for _, p := range plugins {
		name := displayNameLabel(p.Name)
		if seen[name] {
			continue
		}
		seen[name] = true
		v := 0.0
		if p.Enabled {
			v = 1
		}
		gauge(d.enabled, v, name, string(p.Category), string(p.CatalogScope), string(p.PreviewState))
		gauge(d.info, 1, name, displayNameLabel(p.DisplayName))
	}
	return out
}
