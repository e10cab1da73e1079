package prometheus

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/relabel"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// scrapeFile is the part of a Prometheus configuration these tests read;
// promtool check config validates the whole.
type scrapeFile struct {
	RuleFiles     []string `yaml:"rule_files"`
	ScrapeConfigs []struct {
		JobName        string `yaml:"job_name"`
		ScrapeInterval string `yaml:"scrape_interval"`
		ScrapeTimeout  string `yaml:"scrape_timeout"`
		MetricsPath    string `yaml:"metrics_path"`
		HonorLabels    bool   `yaml:"honor_labels"`
		StaticConfigs  []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
		RelabelConfigs []*relabel.Config `yaml:"relabel_configs"`
	} `yaml:"scrape_configs"`
}

func loadScrapeFile(t *testing.T, path string) scrapeFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f scrapeFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(f.ScrapeConfigs) == 0 {
		t.Fatalf("%s has no scrape_configs", path)
	}
	return f
}

// exporterDownJobs returns the matcher on job of SecurityCopilotExporterDown,
// which every scrape job must satisfy to be watched.
func exporterDownJobs(t *testing.T) *labels.Matcher {
	t.Helper()
	for _, rule := range loadRules(t, "rules/alerts.yml") {
		if rule.Alert != "SecurityCopilotExporterDown" {
			continue
		}
		vs, ok := parseExpr(t, rule.Alert, strings.TrimSuffix(strings.TrimSpace(rule.Expr), " == 0")).(*parser.VectorSelector)
		if !ok {
			t.Fatalf("%s: expression is not `up{job=…} == 0`", rule.Alert)
		}
		for _, m := range vs.LabelMatchers {
			if m.Name == "job" {
				return m
			}
		}
	}
	t.Fatal("SecurityCopilotExporterDown with a job matcher not found")
	return nil
}

func TestScrapeJobs(t *testing.T) {
	watched := exporterDownJobs(t)
	for _, path := range configFiles {
		f := loadScrapeFile(t, path)
		if !slices.Equal(f.RuleFiles, ruleFiles) {
			t.Errorf("%s: rule_files %v, want %v", path, f.RuleFiles, ruleFiles)
		}
		for _, job := range f.ScrapeConfigs {
			where := path + ": " + job.JobName
			if job.ScrapeInterval != "1m" || job.ScrapeTimeout != "50s" {
				t.Errorf("%s: scrape_interval %q, scrape_timeout %q, want 1m and 50s", where, job.ScrapeInterval, job.ScrapeTimeout)
			}
			if !watched.Matches(job.JobName) {
				t.Errorf("%s: SecurityCopilotExporterDown (job%s%q) does not watch this job", where, watched.Type, watched.Value)
			}
		}
	}
}

func TestShardedProbeJobsSplitTheTenants(t *testing.T) {
	f := loadScrapeFile(t, "prometheus-sharded.yml")
	replicas := map[string]bool{}  // addresses of the plain /metrics job
	shardOf := map[string]string{} // tenant → job that probes it
	probed := map[string]string{}  // replica address → job that probes through it
	var tenants []string
	for _, job := range f.ScrapeConfigs {
		if job.MetricsPath != "/probe" {
			for _, sc := range job.StaticConfigs {
				for _, target := range sc.Targets {
					replicas[target] = true
				}
			}
			continue
		}
		if !job.HonorLabels {
			t.Errorf("%s: honor_labels is false, so the exporter's tenant label would become exported_tenant", job.JobName)
		}
		for _, sc := range job.StaticConfigs {
			for _, tenant := range sc.Targets {
				if !slices.Contains(tenants, tenant) {
					tenants = append(tenants, tenant)
				}
				target, keep := relabelTarget(t, job.JobName, tenant, job.RelabelConfigs)
				if !keep {
					continue
				}
				if other, dup := shardOf[tenant]; dup {
					t.Errorf("tenant %s is probed by %s and %s", tenant, other, job.JobName)
				}
				shardOf[tenant] = job.JobName
				checkProbeTarget(t, job.JobName, tenant, target)
				address := target.Get(model.AddressLabel)
				if other, dup := probed[address]; dup && other != job.JobName {
					t.Errorf("%s and %s both probe through %s", other, job.JobName, address)
				}
				probed[address] = job.JobName
			}
		}
	}
	for _, tenant := range tenants {
		if shardOf[tenant] == "" {
			t.Errorf("no shard job keeps tenant %s", tenant)
		}
	}
	if len(probed) < 2 {
		t.Errorf("the example tenants reach %d replicas, want every shard used", len(probed))
	}
	for address := range probed {
		if !replicas[address] {
			t.Errorf("replica %s is probed, but its /metrics is not scraped", address)
		}
	}
}

// relabelTarget applies a job's relabelling to a static target, as
// Prometheus does before scraping it.
func relabelTarget(t *testing.T, job, address string, cfgs []*relabel.Config) (labels.Labels, bool) {
	t.Helper()
	for _, cfg := range cfgs {
		if err := cfg.Validate(model.LegacyValidation); err != nil {
			t.Fatalf("%s: %v", job, err)
		}
	}
	lb := labels.NewBuilder(labels.FromStrings(model.AddressLabel, address, model.JobLabel, job, model.MetricsPathLabel, "/probe"))
	keep := relabel.ProcessBuilder(lb, cfgs...)
	return lb.Labels(), keep
}

func checkProbeTarget(t *testing.T, job, tenant string, target labels.Labels) {
	t.Helper()
	for name, want := range map[string]string{
		model.ParamLabelPrefix + "tenant": tenant,
		"tenant":                          tenant,
		model.InstanceLabel:               tenant,
	} {
		if got := target.Get(name); got != want {
			t.Errorf("%s: tenant %s gets %s=%q, want %q", job, tenant, name, got, want)
		}
	}
}
