// The securitycopilot_exporter mixin: its Grafana dashboard, recording rules
// and alerts, under the names the monitoring-mixins convention uses.
//
// dashboards/ and rules/ are copies of the files deploy/grafana and
// deploy/prometheus ship, so that this directory stands alone when
// jsonnet-bundler vendors it; the tests beside this file keep them equal.
{
  grafanaDashboards+:: {
    'securitycopilot.json': import 'dashboards/securitycopilot.json',
  },

  // groups+: appends to the groups of other mixins rather than replacing
  // them.
  prometheusRules+:: {
    groups+: std.parseYaml(importstr 'rules/recording.yml').groups,
  },

  prometheusAlerts+:: {
    groups+: std.parseYaml(importstr 'rules/alerts.yml').groups,
  },
}
