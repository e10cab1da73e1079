package collector

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// Tenants share one socket layer (and so its idle connections to Graph and
// Entra ID), never a token: every Graph request, from scrapes running at
// the same time, carries a token of the tenant whose workspace it reads.
func TestSharedSocketLayerKeepsTokensPerTenant(t *testing.T) {
	const n = 6
	opts := azuresim.Options{}
	for i := range n {
		opts.Tenants = append(opts.Tenants, simTenant(i, "s3cret-value-for-tests", map[string]int{fmt.Sprintf("ws-of-tenant%d", i): 5}))
	}
	f := newFixture(t, opts, 1000)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			f.exp.Handler(nil).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
			if rec.Code != http.StatusOK {
				t.Errorf("scrape: HTTP %d", rec.Code)
			}
		})
	}
	wg.Wait()
	fams := f.scrape()
	owner := map[string]string{}
	for i, st := range opts.Tenants {
		ws := st.Workspaces[0].ID
		owner[ws] = st.ID
		if v, ok := value(fams, "securitycopilot_up", map[string]string{"tenant": fmt.Sprintf("tenant%d", i), "workspace": ws}); !ok || v != 1 {
			t.Errorf("tenant%d's workspace is not up: %v %v", i, v, ok)
		}
	}
	checked := 0
	for _, r := range f.sim.Requests() {
		for ws, id := range owner {
			if strings.Contains(r.Path, "/"+ws+"/") || strings.HasSuffix(r.Path, "/"+ws) {
				checked++
				if !strings.EqualFold(r.Tenant, id) {
					t.Errorf("%s %s carried a token of tenant %q, not of %q", r.Method, r.Path, r.Tenant, id)
				}
			}
		}
	}
	if checked < 2*n {
		t.Fatalf("only %d Graph requests named a workspace", checked)
	}
	tokens := map[string]string{}
	for _, tn := range f.exp.state.Load().tenants {
		tok, err := tn.client.Door().Token(t.Context(), mustURL(t, f.cfg.Graph.Endpoint))
		if err != nil {
			t.Fatal(err)
		}
		if other, ok := tokens[tok.Token]; ok {
			t.Fatalf("%s and %s hold the same token", other, tn.cfg.Name)
		}
		tokens[tok.Token] = tn.cfg.Name
	}
}

// Without a transport of the caller, the exporter builds one socket layer
// that every tenant's door uses: a transport per tenant kept each tenant's
// idle connections open, most of the memory of 10,000 tenants.
func TestOneSocketLayerForAllTenants(t *testing.T) {
	if New(Options{}).opts.Transport == nil {
		t.Fatal("the exporter leaves each tenant to build its own transport")
	}
}

// A scrape of at least minTenants tenants gives its memory back when it
// ends; a smaller one leaves it to the runtime.
func TestMemoryGivenBackAfterLargeScrape(t *testing.T) {
	f := newFixture(t, matrixOptions(), 1000)
	freed := make(chan struct{}, 4)
	var calls atomic.Int32
	f.exp.release.free = func() { calls.Add(1); freed <- struct{}{} }
	f.exp.release.minTenants = len(matrixOptions().Tenants) + 1
	f.scrape()
	// Below the threshold after() returns without starting anything.
	if c := calls.Load(); c != 0 {
		t.Fatalf("a scrape of fewer tenants than the threshold freed memory %d times", c)
	}
	f.exp.release.minTenants = len(matrixOptions().Tenants)
	f.scrape()
	<-freed // a scrape that never frees hangs here until the test's deadline
	if c := calls.Load(); c != 1 {
		t.Fatalf("one scrape freed memory %d times", c)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
