package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// prometheusReadyTimeout only stops a Prometheus that never starts.
const prometheusReadyTimeout = 5 * time.Minute

// generateConfig loads a shipped Prometheus configuration and changes only
// what the test must: the exporter addresses, the intervals (the pace's,
// so the test sees data within seconds on an idle machine and still on a
// loaded one), and the rule files' paths (made absolute, since the config
// is written elsewhere).
func generateConfig(t *testing.T, shipped string, addrs map[string]string, p pace) string {
	t.Helper()
	data, err := os.ReadFile(shipped)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("%s: %v", shipped, err)
	}
	replaced := map[string]bool{}
	replaceScalars(cfg, addrs, replaced)
	for from := range addrs {
		if !replaced[from] {
			t.Fatalf("%s does not name the exporter address %s any more; update the test", shipped, from)
		}
	}
	setIntervals(t, cfg, seconds(p.interval))
	absoluteRuleFiles(t, cfg, filepath.Dir(shipped))
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "prometheus.yml")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// replaceScalars replaces, anywhere in the tree, string values equal to a
// key of addrs, and records which keys it met.
func replaceScalars(node any, addrs map[string]string, replaced map[string]bool) any {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			n[k] = replaceScalars(v, addrs, replaced)
		}
	case []any:
		for i, v := range n {
			n[i] = replaceScalars(v, addrs, replaced)
		}
	case string:
		if to, ok := addrs[n]; ok {
			replaced[n] = true
			return to
		}
	}
	return node
}

func setIntervals(t *testing.T, cfg map[string]any, interval string) {
	t.Helper()
	global, _ := cfg["global"].(map[string]any)
	if global == nil {
		global = map[string]any{}
		cfg["global"] = global
	}
	global["scrape_interval"], global["evaluation_interval"] = interval, interval
	jobs, _ := cfg["scrape_configs"].([]any)
	if len(jobs) == 0 {
		t.Fatal("the shipped config has no scrape_configs")
	}
	for _, j := range jobs {
		job, ok := j.(map[string]any)
		if !ok {
			t.Fatalf("scrape config %v is not a mapping", j)
		}
		job["scrape_interval"], job["scrape_timeout"] = interval, interval
	}
}

func absoluteRuleFiles(t *testing.T, cfg map[string]any, dir string) {
	t.Helper()
	files, _ := cfg["rule_files"].([]any)
	if len(files) == 0 {
		t.Fatal("the shipped config loads no rule_files")
	}
	for i, f := range files {
		name, ok := f.(string)
		if !ok {
			t.Fatalf("rule_files[%d] = %v is not a path", i, f)
		}
		abs, err := filepath.Abs(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[i] = abs
	}
}

func startPrometheus(t *testing.T, bin, config string, p pace) *process {
	t.Helper()
	storage := t.TempDir()
	prom := startServer(t, "prometheus", bin, prometheusReadyTimeout, func(addr string) []string {
		return []string{"--config.file=" + config, "--storage.tsdb.path=" + storage, "--web.listen-address=" + addr}
	})
	prom.pace = p
	return prom
}

// sample is one series of an instant query's result.
type sample struct {
	labels map[string]string
	value  float64
}

// query runs an instant PromQL query at a fixed time, so that the queries
// of one check all see the same scrapes.
func query(ctx context.Context, prom *process, expr string, at time.Time) ([]sample, error) {
	u := url.URL{Scheme: "http", Host: prom.addr, Path: "/api/v1/query",
		RawQuery: url.Values{"query": {expr}, "time": {strconv.FormatInt(at.Unix(), 10)}}.Encode()}
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := getJSON(ctx, u.String(), &body); err != nil {
		return nil, fmt.Errorf("query %s: %w", expr, err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", expr, body.Error)
	}
	if body.Data.ResultType != "vector" {
		return nil, fmt.Errorf("query %s: result type %s, want vector", expr, body.Data.ResultType)
	}
	out := make([]sample, 0, len(body.Data.Result))
	for _, r := range body.Data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("query %s: value %v: %w", expr, r.Value[1], err)
		}
		out = append(out, sample{labels: r.Metric, value: v})
	}
	return out, nil
}

// activeTarget is one target of /api/v1/targets.
type activeTarget struct {
	ScrapePool string            `json:"scrapePool"`
	ScrapeURL  string            `json:"scrapeUrl"`
	Health     string            `json:"health"`
	LastError  string            `json:"lastError"`
	Labels     map[string]string `json:"labels"`
}

func activeTargets(ctx context.Context, prom *process) ([]activeTarget, error) {
	var body struct {
		Data struct {
			ActiveTargets []activeTarget `json:"activeTargets"`
		} `json:"data"`
	}
	if err := getJSON(ctx, "http://"+prom.addr+"/api/v1/targets?state=active", &body); err != nil {
		return nil, fmt.Errorf("list targets: %w", err)
	}
	return body.Data.ActiveTargets, nil
}

func getJSON(ctx context.Context, u string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		return fmt.Errorf("HTTP %d: decode: %w", resp.StatusCode, err)
	}
	return nil
}
