package compose

import (
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// containerView lays out under a temporary root what a service sees:
// each bind mount's target links to its host path, so that relative paths
// inside mounted files resolve as they do in the container.
func containerView(t *testing.T, s service) string {
	t.Helper()
	root := t.TempDir()
	for _, m := range s.mounts(t) {
		if !m.bind {
			continue
		}
		src, err := filepath.Abs(hostPath(m.source))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(root, filepath.FromSlash(m.target))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(src, dst); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// containerPorts are the ports a service listens on inside the network,
// from its "host-ip:host-port:container-port" publications.
func containerPorts(s service) []string {
	var ports []string
	for _, p := range s.Ports {
		ports = append(ports, p[strings.LastIndex(p, ":")+1:])
	}
	return ports
}

// checkAddress fails unless hostport names a service of the file and a
// port that service listens on.
func checkAddress(t *testing.T, f composeFile, what, hostport string) {
	t.Helper()
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		t.Errorf("%s %q: %v", what, hostport, err)
		return
	}
	s, ok := f.Services[host]
	if !ok {
		t.Errorf("%s %s is not a service of %s", what, hostport, composePath)
		return
	}
	if !slices.Contains(containerPorts(s), port) {
		t.Errorf("%s %s: service %s listens on %v", what, hostport, host, containerPorts(s))
	}
}

func promtoolBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("PROMTOOL")
	switch {
	case bin != "":
		return bin
	case os.Getenv("CI") != "":
		t.Fatal("PROMTOOL is not set: CI must check the compose Prometheus configuration with promtool")
	default:
		t.Skip("PROMTOOL is not set; run tools/install.sh and set PROMTOOL=tools/bin/promtool")
	}
	return ""
}

func TestPrometheusConfigPassesPromtool(t *testing.T) {
	promtool := promtoolBinary(t)
	prom := loadCompose(t).Services["prometheus"]
	config := filepath.Join(containerView(t, prom), flagValue(prom.Command, "config.file", "/etc/prometheus/prometheus.yml"))
	out, err := exec.Command(promtool, "check", "config", config).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "SUCCESS") || !strings.Contains(string(out), "rules found") {
		t.Errorf("promtool checked no rule files:\n%s", out)
	}
}

func TestPrometheusScrapesTheExporterService(t *testing.T) {
	f := loadCompose(t)
	prom := f.Services["prometheus"]
	data, err := os.ReadFile(filepath.Join(containerView(t, prom), flagValue(prom.Command, "config.file", "/etc/prometheus/prometheus.yml")))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ScrapeConfigs []struct {
			JobName        string `yaml:"job_name"`
			RelabelConfigs []any  `yaml:"relabel_configs"`
			StaticConfigs  []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	targets := 0
	for _, job := range cfg.ScrapeConfigs {
		if len(job.RelabelConfigs) > 0 {
			t.Errorf("job %s relabels its targets; extend this test to follow the relabelling", job.JobName)
			continue
		}
		for _, sc := range job.StaticConfigs {
			for _, target := range sc.Targets {
				targets++
				checkAddress(t, f, "scrape target of job "+job.JobName, target)
			}
		}
	}
	if targets == 0 {
		t.Error("the Prometheus configuration has no static target")
	}
}

func TestGrafanaIsProvisionedFromTheMounts(t *testing.T) {
	f := loadCompose(t)
	root := containerView(t, f.Services["grafana"])
	var datasources struct {
		Datasources []struct {
			Name string `yaml:"name"`
			URL  string `yaml:"url"`
		} `yaml:"datasources"`
	}
	readYAML(t, filepath.Join(root, "etc/grafana/provisioning/datasources/prometheus.yml"), &datasources)
	if len(datasources.Datasources) == 0 {
		t.Error("no datasource is provisioned")
	}
	for _, ds := range datasources.Datasources {
		u, err := url.Parse(ds.URL)
		if err != nil {
			t.Errorf("datasource %s: %v", ds.Name, err)
			continue
		}
		checkAddress(t, f, "datasource "+ds.Name, u.Host)
	}
	var providers struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, filepath.Join(root, "etc/grafana/provisioning/dashboards/securitycopilot.yml"), &providers)
	if len(providers.Providers) == 0 {
		t.Fatal("no dashboard provider is provisioned")
	}
	for _, p := range providers.Providers {
		dashboards, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(p.Options.Path), "*.json"))
		if err != nil || len(dashboards) == 0 {
			t.Errorf("the dashboard provider reads %s, where the container has no dashboard (err %v)", p.Options.Path, err)
		}
	}
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the container has no %s: %v", path, err)
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
