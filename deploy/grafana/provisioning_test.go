package grafana

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

const (
	datasourceFile = "provisioning/datasources/prometheus.yml"
	providerFile   = "provisioning/dashboards/securitycopilot.yml"
	// dashboardsMount is where the provider's comment asks to mount the
	// dashboards directory in the Grafana container.
	dashboardsMount = "/var/lib/grafana/dashboards"
)

// decodeYAMLStrictly fails on keys that v does not declare, so a typo in a
// provisioning file fails the test rather than Grafana's start.
func decodeYAMLStrictly(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

type datasourceProvisioning struct {
	APIVersion  int `yaml:"apiVersion"`
	Datasources []struct {
		Name      string `yaml:"name"`
		Type      string `yaml:"type"`
		UID       string `yaml:"uid"`
		Access    string `yaml:"access"`
		URL       string `yaml:"url"`
		IsDefault bool   `yaml:"isDefault"`
		Editable  bool   `yaml:"editable"`
		JSONData  struct {
			HTTPMethod     string `yaml:"httpMethod"`
			TimeInterval   string `yaml:"timeInterval"`
			PrometheusType string `yaml:"prometheusType"`
		} `yaml:"jsonData"`
	} `yaml:"datasources"`
}

func TestDatasourceProvisioning(t *testing.T) {
	var f datasourceProvisioning
	decodeYAMLStrictly(t, datasourceFile, &f)
	if f.APIVersion != 1 || len(f.Datasources) != 1 {
		t.Fatalf("apiVersion %d with %d datasources, want 1 and 1", f.APIVersion, len(f.Datasources))
	}
	ds := f.Datasources[0]
	if ds.Type != "prometheus" || ds.Access != "proxy" || ds.URL == "" || !ds.IsDefault {
		t.Errorf("datasource = %+v, want the default prometheus datasource, proxied, with a url", ds)
	}
	// The dashboard opens on its datasource variable's default: the
	// provisioned datasource must have that uid.
	if want := datasourceDefault(t, loadDashboard(t)); ds.UID != want {
		t.Errorf("datasource uid = %q, want the dashboard's default %q", ds.UID, want)
	}
	// $__rate_interval is four times the scrape interval Grafana assumes.
	if ds.JSONData.TimeInterval != "1m" {
		t.Errorf("jsonData.timeInterval = %q, want the scrape interval 1m", ds.JSONData.TimeInterval)
	}
}

type dashboardProvisioning struct {
	APIVersion int `yaml:"apiVersion"`
	Providers  []struct {
		Name                  string `yaml:"name"`
		OrgID                 int    `yaml:"orgId"`
		Folder                string `yaml:"folder"`
		Type                  string `yaml:"type"`
		DisableDeletion       bool   `yaml:"disableDeletion"`
		AllowUIUpdates        bool   `yaml:"allowUiUpdates"`
		UpdateIntervalSeconds int    `yaml:"updateIntervalSeconds"`
		Options               struct {
			Path                      string `yaml:"path"`
			FoldersFromFilesStructure bool   `yaml:"foldersFromFilesStructure"`
		} `yaml:"options"`
	} `yaml:"providers"`
}

func TestDashboardProvisioning(t *testing.T) {
	var f dashboardProvisioning
	decodeYAMLStrictly(t, providerFile, &f)
	if f.APIVersion != 1 || len(f.Providers) != 1 {
		t.Fatalf("apiVersion %d with %d providers, want 1 and 1", f.APIVersion, len(f.Providers))
	}
	p := f.Providers[0]
	if p.Name == "" || p.Type != "file" || p.Options.Path != dashboardsMount {
		t.Errorf("provider = %+v, want a file provider reading %s", p, dashboardsMount)
	}
	// The provider loads every JSON file of the mounted directory, which
	// must be the one holding the dashboard.
	matches, err := filepath.Glob(filepath.Join(filepath.Dir(DashboardFile), "*.json"))
	if err != nil || len(matches) != 1 || matches[0] != DashboardFile {
		t.Errorf("dashboards directory holds %v (%v), want only %s", matches, err, DashboardFile)
	}
}
