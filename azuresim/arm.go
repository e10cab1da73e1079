package azuresim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Subscription is an Azure subscription of a tenant as Azure Resource
// Manager serves it: its Security Copilot capacities, and whether the
// application may read them.
type Subscription struct {
	ID         string // a GUID, matched without regard to case
	Capacities []Capacity
	// NoReader answers every request on the subscription 403
	// AuthorizationFailed, as for an application without the Reader role.
	NoReader bool
	// NoProvider answers the capacity listing 404, as for a subscription
	// where the Microsoft.SecurityCopilot provider is not registered.
	NoProvider bool
}

// Capacity is one Microsoft.SecurityCopilot/capacities resource. Empty
// strings and nil leave the property out of the answer, and values are
// served as given, undocumented ones included.
type Capacity struct {
	ResourceGroup, Name string
	Units               int
	OverageState        string
	OverageAmount       *int
	Geo                 string
	CrossGeoCompute     string
}

// ARMFaults are misbehaviours of the simulated Resource Manager.
type ARMFaults struct {
	// ThrottleEvery answers every Nth authenticated request 429
	// TooManyRequests, counted from 1 since the faults were set.
	ThrottleEvery int
	// RetryAfter is the Retry-After header of those answers; "" omits it.
	RetryAfter string
}

// ARMStats counts what the simulated Resource Manager answered.
type ARMStats struct {
	Requests  int // every HTTP request
	Throttled int // 429s from ThrottleEvery
	// Unauthorized counts 401s, among them tokens of another audience:
	// a Graph token sent to Resource Manager.
	Unauthorized int
}

// armAPIVersions are the api-versions the capacity resource type is known
// to have.
var armAPIVersions = []string{"2023-12-01-preview", "2024-11-01-preview"}

const defaultARMPageSize = 1000

// armServer is Resource Manager on its own loopback address, so that it
// is another host than Graph and a token sent to the wrong one shows.
type armServer struct {
	url      string
	pageSize int
	subs     map[string]*armSubscription // by lower-case id
	srv      *http.Server
	done     chan error

	mu     sync.Mutex
	faults ARMFaults
	n      int // authenticated requests since faults were set
	stats  ARMStats
}

type armSubscription struct {
	Subscription
	tenantKey string
}

// listenARM listens on [::1] where the machine has IPv6 loopback, else on
// another port of 127.0.0.1: another host in either case.
func listenARM() (net.Listener, error) {
	if ln, err := net.Listen("tcp", "[::1]:0"); err == nil {
		return ln, nil
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

func newARMSubscriptions(tenants []Tenant) (map[string]*armSubscription, error) {
	subs := map[string]*armSubscription{}
	for _, t := range tenants {
		for _, sub := range t.Subscriptions {
			key := strings.ToLower(sub.ID)
			if key == "" {
				return nil, fmt.Errorf("tenant %q: subscription with empty ID", t.ID)
			}
			if _, dup := subs[key]; dup {
				return nil, fmt.Errorf("subscription %q is configured twice", sub.ID)
			}
			subs[key] = &armSubscription{Subscription: sub, tenantKey: strings.ToLower(t.ID)}
		}
	}
	return subs, nil
}

// startARM starts Resource Manager with the same certificate as Graph.
func (s *Server) startARM(opts Options) (*armServer, error) {
	subs, err := newARMSubscriptions(opts.Tenants)
	if err != nil {
		return nil, err
	}
	ln, err := listenARM()
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	a := &armServer{url: "https://" + ln.Addr().String(), pageSize: opts.ARMPageSize, subs: subs, done: make(chan error, 1)}
	if a.pageSize == 0 {
		a.pageSize = defaultARMPageSize
	}
	a.srv = &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serveARM(a, w, r) }),
		TLSConfig:         s.cert.serverConfig(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          s.srv.ErrorLog,
		BaseContext:       func(net.Listener) context.Context { return s.life },
	}
	go func() { a.done <- a.srv.ServeTLS(ln, "", "") }()
	return a, nil
}

func (a *armServer) close() error {
	err := a.srv.Close()
	if serveErr := <-a.done; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	return err
}

// ARMEndpoint returns the Resource Manager base URL, on another host than
// URL(): "https://[::1]:PORT", or "https://127.0.0.1:PORT" without IPv6.
func (s *Server) ARMEndpoint() string { return s.arm.url }

// ARMScope returns the scope of Resource Manager tokens, ARMEndpoint()+"/.default".
func (s *Server) ARMScope() string { return s.arm.url + "/.default" }

// SetARMFaults replaces the Resource Manager faults and restarts their count.
func (s *Server) SetARMFaults(f ARMFaults) {
	s.arm.mu.Lock()
	defer s.arm.mu.Unlock()
	s.arm.faults, s.arm.n = f, 0
}

// ARMStats returns what Resource Manager answered since the start.
func (s *Server) ARMStats() ARMStats {
	s.arm.mu.Lock()
	defer s.arm.mu.Unlock()
	return s.arm.stats
}
