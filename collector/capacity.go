package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/armclient"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// capacityTTL is how long a capacity read is reused, as a discovered
// workspace list is: provisioned units change rarely, and Resource Manager
// limits the reads of each subscription.
const capacityTTL = discoveryTTL

// capacityReader reads a tenant's provisioned capacities from Azure
// Resource Manager and remembers the last successful read of each scope.
type capacityReader struct {
	client *armclient.Client
	global config.Capacity // the settings the client was built with
	scopes []capacityScope

	mu    sync.Mutex
	locks map[string]chan struct{} // one read of a scope at a time
	reads map[string]capacityRead  // last successful read, by scope name
}

// capacityScope is one configured subscription or capacity.
type capacityScope struct {
	name         string // the scope label: /subscriptions/{id} or the resource id
	subscription string // set for a subscription
	resource     config.CapacityID
}

type capacityRead struct {
	capacities []armclient.Capacity
	at         time.Time
}

// newCapacityReader returns nil for a tenant that reads no capacities, so
// that such a tenant costs nothing.
// Its Resource Manager client sends through the tenant's door, with the
// tenant's credential.
func newCapacityReader(cfg *config.Config, tc config.Tenant, door *azurehttp.Door) (*capacityReader, error) {
	if !tc.Capacity.Enabled() {
		return nil, nil
	}
	client, err := armclient.New(cfg.Capacity, door)
	if err != nil {
		return nil, fmt.Errorf("tenant %q: %w", tc.Name, err)
	}
	r := &capacityReader{client: client, global: cfg.Capacity, locks: map[string]chan struct{}{}, reads: map[string]capacityRead{}}
	for _, sub := range tc.Capacity.Subscriptions {
		r.scopes = append(r.scopes, capacityScope{name: "/subscriptions/" + sub, subscription: sub})
	}
	for _, res := range tc.Capacity.Resources {
		id, err := config.ParseCapacityID(res)
		if err != nil {
			return nil, fmt.Errorf("tenant %q: capacity %q: %w", tc.Name, res, err)
		}
		r.scopes = append(r.scopes, capacityScope{name: id.String(), resource: id})
	}
	for _, sc := range r.scopes {
		r.locks[sc.name] = make(chan struct{}, 1)
	}
	return r, nil
}

// readAll reads every scope side by side; a scope's error is its own.
func (r *capacityReader) readAll(ctx context.Context, now time.Time, logger *slog.Logger) ([]capacityRead, []error) {
	reads, errs := make([]capacityRead, len(r.scopes)), make([]error, len(r.scopes))
	var wg sync.WaitGroup
	for i, sc := range r.scopes {
		wg.Go(func() { reads[i], errs[i] = r.read(ctx, sc, now, logger) })
	}
	wg.Wait()
	return reads, errs
}

// read returns the scope's capacities, from the last read while it is
// younger than capacityTTL. Concurrent scrapes wait for one read rather
// than each asking Resource Manager; a failure is not remembered, so the
// next scrape asks again.
func (r *capacityReader) read(ctx context.Context, sc capacityScope, now time.Time, logger *slog.Logger) (capacityRead, error) {
	lock := r.locks[sc.name]
	select {
	case lock <- struct{}{}:
		defer func() { <-lock }()
	case <-ctx.Done():
		return capacityRead{}, fmt.Errorf("scrape ended while another read of %s was under way: %w", sc.name, ctx.Err())
	}
	r.mu.Lock()
	last, ok := r.reads[sc.name]
	r.mu.Unlock()
	if ok && now.Sub(last.at) < capacityTTL {
		return last, nil
	}
	start := time.Now()
	var caps []armclient.Capacity
	var err error
	if sc.subscription != "" {
		caps, err = r.client.ListSubscription(ctx, sc.subscription)
	} else {
		var c armclient.Capacity
		c, err = r.client.Get(ctx, sc.resource)
		caps = []armclient.Capacity{c}
	}
	if err != nil {
		logger.Error("Reading capacities from Azure Resource Manager failed", append(capacityErrorAttrs(err), "scope", sc.name, "duration", time.Since(start))...)
		return capacityRead{}, err
	}
	read := capacityRead{capacities: caps, at: now}
	r.mu.Lock()
	r.reads[sc.name] = read
	r.mu.Unlock()
	return read, nil
}

// lastSuccess is when the scope was last read successfully; zero if never.
func (r *capacityReader) lastSuccess(scope string) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reads[scope].at
}

// collectCapacity emits the tenant's capacity metrics. A probe of one
// workspace leaves them out: they belong to the tenant, and a tenant
// sharded by workspace would export them once per shard.
func (s *scrape) collectCapacity(t *tenant, ch chan<- prometheus.Metric) {
	r := t.capacity
	if r == nil || s.workspace != "" {
		return
	}
	d := s.e.descs.capacity
	reads, errs := r.readAll(s.ctx, s.e.opts.Now(), s.e.opts.Logger.With("tenant", t.cfg.Name))
	gauge := func(desc *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, append([]string{t.cfg.Name}, labels...)...)
	}
	for i, sc := range r.scopes {
		if last := r.lastSuccess(sc.name); !last.IsZero() {
			gauge(d.lastSuccess, unixSeconds(last), sc.name)
		}
		if errs[i] != nil {
			gauge(d.up, 0, sc.name)
			continue
		}
		gauge(d.up, 1, sc.name)
		for _, c := range reads[i].capacities {
			id := []string{c.ID.Name, c.ID.Subscription, strings.ToLower(c.ID.ResourceGroup)}
			gauge(d.units, c.Units, id...)
			if v, ok := c.OverageUnits(); ok {
				gauge(d.overage, v, id...)
			}
			gauge(d.info, 1, append(id, c.Geo, c.CrossGeoCompute, c.OverageState)...)
		}
	}
}

// capacityErrorAttrs gives the log attributes support needs: Resource
// Manager's status, code and correlation id, and what usually fixes it.
func capacityErrorAttrs(err error) []any {
	var ae *armclient.Error
	if errors.As(err, &ae) {
		attrs := []any{"err", err, "status", ae.Status, "code", ae.Code, "request_id", ae.RequestID, "correlation_id", ae.CorrelationID}
		if hint := ae.Hint(); hint != "" {
			attrs = append(attrs, "hint", hint)
		}
		return attrs
	}
	return errorAttrs(err)
}

type capacityDescs struct {
	up, lastSuccess, units, overage, info *prometheus.Desc
}

func newCapacityDescs() capacityDescs {
	ttl := model.Duration(capacityTTL).String()
	scope := []string{metricnames.Tenant, metricnames.Scope}
	id := []string{metricnames.Tenant, metricnames.Capacity, metricnames.SubscriptionID, metricnames.ResourceGroup}
	return capacityDescs{
		up: prometheus.NewDesc(metricnames.CapacityUp,
			"1 if the configured Azure Resource Manager scope (a subscription, or one capacity's resource id) was read, in this scrape or within the last "+ttl+"; 0 if the read failed, and then the scope's capacity metrics are absent. A subscription where Resource Manager knows no Microsoft.SecurityCopilot capacities reads as 1 with none.",
			scope, nil),
		lastSuccess: prometheus.NewDesc(metricnames.CapacityLastSuccessTime,
			"Unix time at which the scope's capacities were last read from Azure Resource Manager by this exporter process; reads are reused for "+ttl+". Absent until the first success.",
			scope, nil),
		units: prometheus.NewDesc(metricnames.CapacityUnits,
			"Security Compute Units provisioned in the capacity: properties.numberOfUnits of the Microsoft.SecurityCopilot/capacities resource in Azure Resource Manager, read at most every "+ttl+". What was provisioned, not what was used.",
			id, nil),
		overage: prometheus.NewDesc(metricnames.CapacityOverageUnits,
			"Security Compute Units the capacity may use beyond its provisioned units: properties.overageAmount from Azure Resource Manager. Present only when overageState is Limited; None allows no overage and Unlimited has no bound.",
			id, nil),
		info: prometheus.NewDesc(metricnames.CapacityInfo,
			"Always 1; the labels carry the capacity's settings from Azure Resource Manager: geo (US, EU, ANZ, UK), cross_geo_compute (Allowed, NotAllowed) and overage_state (None, Limited, Unlimited), each \"unknown\" when absent or undocumented.",
			append(id, metricnames.Geo, metricnames.CrossGeoCompute, metricnames.OverageState), nil),
	}
}

func (d capacityDescs) describe(ch chan<- *prometheus.Desc) {
	for _, desc := range []*prometheus.Desc{d.up, d.lastSuccess, d.units, d.overage, d.info} {
		ch <- desc
	}
}

// sameCapacitySettings reports whether t's capacity reader still follows
// cfg, so that a reload keeps it (with its cache) only then.
func (t *tenant) sameCapacitySettings(cfg *config.Config) bool {
	return t.capacity == nil || t.capacity.global == cfg.Capacity
}
