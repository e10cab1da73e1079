package collector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/safetext"
)

// minScrapeTimeout keeps a tiny or odd header from leaving no time at all.
const minScrapeTimeout = 500 * time.Millisecond

// Handler serves the session metrics together with the metrics gathered by
// base (the exporter's own). Each request collects afresh, bound to the
// request's context and the scrape deadline Prometheus announces.
func (e *Exporter) Handler(base prometheus.Gatherer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := e.state.Load()
		if st == nil {
			http.Error(w, "no configuration loaded yet", http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := e.scrapeContext(r, st)
		defer cancel()
		e.serve(ctx, w, r, &scrape{e: e, st: st, tenants: st.tenants}, base)
		e.release.after(len(st.tenants))
	})
}

// ProbeHandler serves /probe?tenant=NAME[&workspace=ID]: the session metrics
// of one configured tenant, or of one of its workspaces, without the
// exporter's own metrics. It is the multi-target pattern of
// blackbox_exporter, so that Prometheus can spread many tenants over several
// exporter replicas. The parameters only select among configured targets:
// an unknown tenant or workspace is refused, so no scrape can create a
// series for a name the configuration does not hold.
func (e *Exporter) ProbeHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := e.state.Load()
		if st == nil {
			http.Error(w, "no configuration loaded yet", http.StatusServiceUnavailable)
			return
		}
		q := r.URL.Query()
		for _, param := range []string{"tenant", "workspace"} {
			if len(q[param]) > 1 {
				http.Error(w, fmt.Sprintf("the %s parameter is repeated: a probe reads one target", param), http.StatusBadRequest)
				return
			}
		}
		name := q.Get("tenant")
		if name == "" {
			http.Error(w, "the tenant parameter is missing: use /probe?tenant=NAME, NAME being a tenant name from the configuration", http.StatusBadRequest)
			return
		}
		t := st.named(name)
		if t == nil {
			http.Error(w, fmt.Sprintf("unknown tenant %s: the configuration has no tenant of that name", quoteParam(name)), http.StatusBadRequest)
			return
		}
		s := &scrape{e: e, st: st, tenants: []*tenant{t}}
		ctx, cancel := e.scrapeContext(r, st)
		defer cancel()
		if q.Has("workspace") {
			s.workspace = q.Get("workspace")
			// What is no workspace id goes no further: it would be sent to
			// Graph in a path and repeated in the log.
			if config.CheckWorkspaceID(s.workspace) != nil {
				http.Error(w, fmt.Sprintf("unknown workspace %s: not a workspace id", quoteParam(s.workspace)), http.StatusBadRequest)
				return
			}
			if !e.hasWorkspace(ctx, t, s.workspace) {
				http.Error(w, fmt.Sprintf("unknown workspace %s: tenant %s has no such workspace", quoteParam(s.workspace), quoteParam(name)), http.StatusBadRequest)
				return
			}
		}
		e.serve(ctx, w, r, s, nil)
	})
}

// hasWorkspace reports whether the tenant has the workspace: in its
// configuration, or among the workspaces it discovers. When discovery
// fails and the last known list lacks the workspace, the probe goes ahead,
// so that it reports the failed discovery instead of a bad request.
func (e *Exporter) hasWorkspace(ctx context.Context, t *tenant, ws string) bool {
	if !t.cfg.Discover() {
		return slices.Contains(t.cfg.Workspaces, ws)
	}
	ids, err := t.workspaces(ctx)
	// A cut list is a list all the same: what it left out is not read.
	var cut *discoveryCut
	if errors.As(err, &cut) {
		err = nil
	}
	if err != nil || slices.Contains(ids, ws) {
		return true
	}
	// An alias such as "default" names a discovered workspace by another id.
	resolved, failed := t.resolve(ctx, []string{ws})
	return len(failed) > 0 || (len(resolved) == 1 && slices.Contains(ids, resolved[0]))
}

// maxEchoedParam bounds how much of a request parameter an error answer
// repeats.
const maxEchoedParam = 64

// quoteParam quotes a request parameter for an error answer or a log
// line, cut short: neither may grow with whatever the request held.
func quoteParam(v string) string {
	return safetext.Quote(v, maxEchoedParam)
}

// scrapeContext bounds a scrape by the request and by the deadline
// Prometheus announced.
func (e *Exporter) scrapeContext(r *http.Request, st *state) (context.Context, context.CancelFunc) {
	collection := st.cfg.Collection
	return context.WithTimeout(r.Context(), scrapeTimeout(r, time.Duration(collection.Timeout), time.Duration(collection.TimeoutOffset)))
}

// serve runs one scrape within ctx, the scrape's context, and writes its
// metrics, followed by base's when base is not nil.
func (e *Exporter) serve(ctx context.Context, w http.ResponseWriter, r *http.Request, s *scrape, base prometheus.Gatherer) {
	s.ctx = ctx
	if len(s.tenants) > e.tenantsPerGather {
		e.serveInChunks(w, r.WithContext(ctx), s, base, e.metricsPerGather)
		return
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(s)
	// The scrape registry goes first: gathering it runs the Graph requests,
	// and the exporter's own counters must include them.
	gatherers := prometheus.Gatherers{reg}
	if base != nil {
		gatherers = append(gatherers, base)
	}
	promhttp.HandlerFor(gatherers, promhttp.HandlerOpts{
		ErrorLog:      &onceErrorLog{logger: e.opts.Logger},
		ErrorHandling: promhttp.ContinueOnError,
	}).ServeHTTP(w, r.WithContext(ctx))
}

// scrapeTimeout is Prometheus' announced timeout minus the offset, so the
// answer arrives before Prometheus gives up; without the header, fallback.
func scrapeTimeout(r *http.Request, fallback, offset time.Duration) time.Duration {
	v := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds")
	secs, err := strconv.ParseFloat(v, 64)
	// NaN fails every comparison, so the range is checked as a whole:
	// NaN and the infinities, which ParseFloat accepts, fall back too.
	if v == "" || err != nil || !(secs > 0 && secs <= 3600) {
		return fallback
	}
	return max(time.Duration(secs*float64(time.Second))-offset, minScrapeTimeout)
}

// onceErrorLog adapts slog to promhttp's error logger for one request. It
// logs each distinct message once: promhttp reports a write error for
// every metric family, so a client that went away would otherwise give a
// dozen identical lines.
type onceErrorLog struct {
	logger interface{ Error(string, ...any) }
	mu     sync.Mutex
	seen   map[string]bool
}

func (l *onceErrorLog) Println(v ...any) {
	msg := fmt.Sprint(v...)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen[msg] {
		return
	}
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	l.seen[msg] = true
	l.logger.Error("Serving metrics failed", "err", msg)
}
