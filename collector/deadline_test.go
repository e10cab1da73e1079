package collector

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// A fetch never lies further ahead than collection.timeout, whatever
// deadline the scrape that started it announced.
func TestDetachedFetchEndsByCollectionTimeout(t *testing.T) {
	parent, stop := context.WithTimeout(context.Background(), time.Hour)
	defer stop()
	ctx, cancel := detach(parent, 2*time.Second)
	defer cancel()
	if d, _ := ctx.Deadline(); d.After(time.Now().Add(2 * time.Second)) {
		t.Fatalf("a fetch for a scrape of an hour has deadline %v from now, want at most collection.timeout (2s)", time.Until(d).Round(time.Second))
	}
}

// hangGraph holds every Graph request whose path contains hold, while on,
// until the request's context ends; it tells of each request it holds.
type hangGraph struct {
	next http.RoundTripper
	hold string
	on   atomic.Bool
	held chan string
}

func (h *hangGraph) RoundTrip(req *http.Request) (*http.Response, error) {
	if h.on.Load() && strings.Contains(req.URL.Path, h.hold) {
		select {
		case h.held <- req.URL.Path:
		default:
		}
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return h.next.RoundTrip(req)
}

// startScrape serves /metrics announcing timeout, in the background, until
// the returned cancel ends its request; done closes when it answered.
func (f *fixture) startScrape(timeout string) (cancel func(), done chan *httptest.ResponseRecorder) {
	ctx, cancel := context.WithCancel(context.Background())
	done = make(chan *httptest.ResponseRecorder, 1)
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil).WithContext(ctx)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", timeout)
	go func() {
		rec := httptest.NewRecorder()
		f.exp.Handler(prometheus.NewRegistry()).ServeHTTP(rec, req)
		done <- rec
	}()
	return cancel, done
}

func waitHeld(t *testing.T, h *hangGraph) {
	t.Helper()
	select {
	case <-h.held:
	case <-time.After(30 * time.Second):
		t.Fatal("no Graph request was held")
	}
}

// One scrape that announces an hour, against a Graph that does not answer,
// and then goes away, must not blind the tenant: the fetch it started ends
// by collection.timeout, and a scrape that joined it reads what it could
// not, in its own time.
func TestAnHourLongScrapeDoesNotBlindTheTenant(t *testing.T) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"lab": 3})}}
	f := newFixture(t, opts, 1000)
	hang := &hangGraph{next: f.sim.Transport(), hold: "/sessions", held: make(chan string, 1)}
	f.useTransport(hang)
	f.cfg.Collection.Timeout = model.Duration(time.Second)
	if err := f.exp.Apply(f.cfg); err != nil {
		t.Fatal(err)
	}
	f.scrape() // the token and the workspace names, read before Graph hangs

	hang.on.Store(true)
	cancelLong, longDone := f.startScrape("3600")
	defer cancelLong()
	waitHeld(t, hang)
	hang.on.Store(false) // Graph answers again, but the held requests stay held
	cancelLong()
	<-longDone

	fams, _ := f.scrapeTimed("10")
	labels := map[string]string{"tenant": "tenant0", "workspace": "lab"}
	if up, _ := value(fams, "securitycopilot_up", labels); up != 1 {
		t.Fatalf("after an hour-long scrape went away, the next scrape has up %v, want 1; logs:\n%s", up, f.logs.String())
	}
}

// A scrape that joins a discovery another scrape started waits no longer
// than its own deadline, however long the other scrape may wait.
func TestJoinedDiscoveryKeepsTheScrapesDeadline(t *testing.T) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"lab": 3})}}
	f := newFixture(t, opts, 1000, "tenant0")
	hang := &hangGraph{next: f.sim.Transport(), hold: "/securityCopilot/workspaces", held: make(chan string, 1)}
	f.useTransport(hang)
	hang.on.Store(true)
	cancelLong, longDone := f.startScrape("3600")
	defer func() {
		cancelLong()
		<-longDone
	}()
	waitHeld(t, hang)

	cancelShort, shortDone := f.startScrape("1")
	defer cancelShort()
	select {
	case rec := <-shortDone:
		if !strings.Contains(rec.Body.String(), `securitycopilot_workspace_discovery_success{tenant="tenant0"} 0`) {
			t.Errorf("the short scrape answered without the failed discovery:\n%s", rec.Body.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a scrape of 1 s still waits after 20 s for a discovery another scrape started")
	}
}
