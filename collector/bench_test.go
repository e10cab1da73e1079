package collector

import (
	"fmt"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient/graphsim"
)

// BenchmarkScrapeGraphRequests reports the Graph requests one scrape of one
// workspace costs, for the exporter's plan and, in the same run, for the
// baseline of listing every page (what a Graph without $filter gets).
//
//	go test -run '^$' -bench ScrapeGraphRequests ./collector/
func BenchmarkScrapeGraphRequests(b *testing.B) {
	for _, size := range []int{1000, 20000, 100000} {
		for _, plan := range []string{"exporter", "listing"} {
			b.Run(fmt.Sprintf("sessions=%d/plan=%s", size, plan), func(b *testing.B) {
				opts := graphsim.Options{MaxPageSize: 1000, Tenants: []graphsim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": size})}}
				f := newFixture(b, opts, 1000)
				if plan == "listing" {
					f.sim.SetFaults(graphsim.Faults{RejectFilter: true})
				}
				f.scrape() // token, and the listing fallback is learnt
				f.sim.ResetStats()
				b.ResetTimer()
				for b.Loop() {
					f.scrape()
				}
				b.ReportMetric(float64(f.sim.Stats().GraphRequests)/float64(b.N), "graph-requests/scrape")
			})
		}
	}
}
