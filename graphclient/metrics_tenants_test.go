package graphclient

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// A token a removed tenant's last scrape gets after the reload does not
// bring its series back; a tenant configured again starts them anew.
func TestTokenSeriesFollowTheConfiguredTenants(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.initTenant("a")
	m.initTenant("b")
	m.countToken("a", "success")
	m.KeepTenants([]string{"b"})
	m.countToken("a", "success")
	if n := testutil.CollectAndCount(m.tokenRequests); n != 2 {
		t.Errorf("%d token series, want the 2 of tenant b", n)
	}
	m.initTenant("a")
	if got := testutil.ToFloat64(m.tokenRequests.WithLabelValues("a", "success")); got != 0 {
		t.Errorf("tenant a configured again counts %v tokens, want 0", got)
	}
}
