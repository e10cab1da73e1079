package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// shardJobPrefix names the jobs of prometheus-sharded.yml that scrape
// /probe, one job per exporter replica.
const shardJobPrefix = "securitycopilot-shard-"

// TestShardedConfigSplitsTenantsOverReplicas runs the shipped
// prometheus-sharded.yml against two demo replicas: each replica must be
// asked for its share of the tenants only, and together they must cover
// every workspace exactly once.
func TestShardedConfigSplitsTenantsOverReplicas(t *testing.T) {
	t.Parallel()
	promBin := prometheusBinary(t)
	// As prometheus-sharded.yml says, replicas serve tenants through /probe
	// only, so that scraping their /metrics reads no tenant.
	replicas := []*process{
		startDemoExporter(t, "exporter-0", "--no-web.telemetry-all-tenants"),
		startDemoExporter(t, "exporter-1", "--no-web.telemetry-all-tenants"),
	}
	t.Run("probe contract", func(t *testing.T) { checkProbeContract(t, replicas[0]) })

	var probes []string
	for _, r := range replicas {
		for _, tenant := range []string{"contoso", "fabrikam"} {
			probes = append(probes, "http://"+r.addr+"/probe?tenant="+tenant)
		}
	}
	p := measurePace(t, probes...)
	config := generateConfig(t, shardedConfig, map[string]string{
		"exporter-0:9929": replicas[0].addr,
		"exporter-1:9929": replicas[1].addr,
	}, p)
	prom := startPrometheus(t, promBin, config, p)
	t.Run("targets", func(t *testing.T) {
		eventually(t, prom, func(c *checker) {
			c.shardTargetsOnTheirReplica(c.targetsHealthy(), replicas)
			c.upIs1(exporterJob, len(replicas))
		})
	})
	t.Run("shards partition the tenants", func(t *testing.T) {
		eventually(t, prom, func(c *checker) {
			c.workspacesOf(fmt.Sprintf("securitycopilot_up{job=~%q}", shardJobPrefix+".*"), demoWorkspaces)
			c.tenantsInOneShard()
		})
	})
	t.Run("each workspace exactly once", func(t *testing.T) {
		eventually(t, prom, func(c *checker) { c.workspacesOf("securitycopilot_up", demoWorkspaces) })
	})
}

// shardTargetsOnTheirReplica checks that the job securitycopilot-shard-N
// sends all its /probe scrapes to replica N.
func (c *checker) shardTargetsOnTheirReplica(targets []activeTarget, replicas []*process) {
	shards := 0
	for _, tg := range targets {
		n, ok := strings.CutPrefix(tg.ScrapePool, shardJobPrefix)
		if !ok {
			continue
		}
		shards++
		u, err := url.Parse(tg.ScrapeURL)
		if err != nil {
			c.errorf("target of %s: %v", tg.ScrapePool, err)
			continue
		}
		i, err := strconv.Atoi(n)
		if err != nil || i >= len(replicas) {
			c.errorf("scrape pool %s names no replica of the test", tg.ScrapePool)
			continue
		}
		want := replicas[i].addr
		if u.Host != want || u.Path != "/probe" || u.Query().Get("tenant") == "" {
			c.errorf("%s scrapes %s, want /probe?tenant=NAME on replica %s (%s)", tg.ScrapePool, tg.ScrapeURL, n, want)
		}
	}
	if shards == 0 {
		c.errorf("no %s* job has a target", shardJobPrefix)
	}
}

// tenantsInOneShard checks that a tenant's workspaces are all read by the
// same shard job: the shards split tenants, not workspaces.
func (c *checker) tenantsInOneShard() {
	jobs := map[string]map[string]bool{}
	for _, s := range c.query(fmt.Sprintf("securitycopilot_up{job=~%q}", shardJobPrefix+".*")) {
		tenant := s.labels["tenant"]
		if jobs[tenant] == nil {
			jobs[tenant] = map[string]bool{}
		}
		jobs[tenant][s.labels["job"]] = true
	}
	for tenant, js := range jobs {
		if len(js) != 1 {
			c.errorf("tenant %s is read by the shard jobs %s, want one", tenant, sortedKeys(js))
		}
	}
}

// checkProbeContract checks /probe directly: one tenant's session
// metrics, and 400 for a missing or unknown tenant.
func checkProbeContract(t *testing.T, exporter *process) {
	for _, tc := range []struct {
		query    string
		code     int
		contains string
		excludes string
	}{
		{"tenant=contoso", http.StatusOK, `securitycopilot_up{tenant="contoso",workspace="soc-emea"} 1`, `tenant="fabrikam"`},
		{"tenant=fabrikam&workspace=tier1", http.StatusOK, `securitycopilot_up{tenant="fabrikam",workspace="tier1"} 1`, `workspace="default"`},
		{"", http.StatusBadRequest, "", ""},
		{"tenant=nobody", http.StatusBadRequest, "", ""},
	} {
		code, body, err := get(context.Background(), "http://"+exporter.addr+"/probe?"+tc.query)
		if err != nil {
			t.Errorf("/probe?%s: %v", tc.query, err)
			continue
		}
		if code != tc.code {
			t.Errorf("/probe?%s: HTTP %d, want %d: %s", tc.query, code, tc.code, body)
		}
		if !strings.Contains(body, tc.contains) {
			t.Errorf("/probe?%s lacks %s", tc.query, tc.contains)
		}
		if tc.excludes != "" && strings.Contains(body, tc.excludes) {
			t.Errorf("/probe?%s has series with %s", tc.query, tc.excludes)
		}
	}
}

func get(ctx context.Context, u string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}
