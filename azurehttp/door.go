package azurehttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// maxTransportTries bounds the tries of a request that got no answer (a
// connection reset, say); a failure no retry can mend is not retried.
const maxTransportTries = 3

// Settings configure a Door.
type Settings struct {
	// AuthorityHost is the Entra ID authority, an https URL: the only
	// place a client secret, a client assertion or a certificate's
	// signature is ever sent.
	AuthorityHost string
	// Transport is the socket layer (TLS, proxy, dialing); nil means
	// NewTransport(). An *http.Client gives its Transport only.
	Transport policy.Transporter
	// Schedule is the retry rule.
	Schedule Schedule
	// UserAgent is sent with every request to a resource.
	UserAgent string
	// IdentityPolicies run on each try of a request to Entra ID, inside
	// azidentity's pipeline (to keep the cause of a failed attempt).
	IdentityPolicies []policy.Policy
}

// Observer is told of every try sent to a resource.
type Observer interface {
	// ObserveTry is called once per HTTP try: status is 0 when no answer
	// came, retry is true for every try after a request's first.
	ObserveTry(req *http.Request, status int, took time.Duration, retry bool)
}

// Resource is an API the door sends bearer tokens to: its tokens go to
// its https host only.
type Resource struct {
	Endpoint *url.URL // scheme and host are what count
	Scope    string   // the scope its tokens are asked for
	Observer Observer // nil observes nothing
}

// Door is a tenant's one way to Azure. Its methods are safe for
// concurrent use.
type Door struct {
	authority        *url.URL
	client           *http.Client
	schedule         Schedule
	userAgent        string
	identityPolicies []policy.Policy
	tokens           *tokens

	mu            sync.Mutex
	resources     map[string]Resource // by lower-case host
	identityHosts map[string]bool     // managed identity endpoints
}

// New builds a door. It makes no network call.
func New(s Settings) (*Door, error) {
	authority, err := url.Parse(s.AuthorityHost)
	if err != nil || authority.Scheme != "https" || authority.Host == "" || authority.User != nil {
		return nil, fmt.Errorf("authority host %q is not an absolute https URL", Printable(s.AuthorityHost, 200))
	}
	return &Door{
		authority: authority, client: newHTTPClient(roundTripper(s.Transport)), schedule: s.Schedule,
		userAgent: s.UserAgent, identityPolicies: s.IdentityPolicies,
		resources: map[string]Resource{}, identityHosts: map[string]bool{},
	}, nil
}

// UseCredential sets how the tenant's credential is built. It is built
// once now, so that a broken setup fails at load time, and again after
// Azure refused one of its tokens.
func (d *Door) UseCredential(build func() (azcore.TokenCredential, error)) error {
	t, err := newTokens(build)
	if err != nil {
		return err
	}
	d.tokens = t
	return nil
}

// Allow lets the door send r's tokens to r's host.
func (d *Door) Allow(r Resource) error {
	if r.Endpoint == nil || r.Endpoint.Scheme != "https" || r.Endpoint.Host == "" {
		return errors.New("a resource's endpoint must be an absolute https URL")
	}
	host := strings.ToLower(r.Endpoint.Host)
	d.mu.Lock()
	defer d.mu.Unlock()
	if prev, ok := d.resources[host]; ok && prev.Scope != r.Scope {
		// One host, one kind of token: a host serving two resources would
		// receive the tokens of both.
		return fmt.Errorf("host %s already takes tokens of scope %s", Printable(host, 100), prev.Scope)
	}
	d.resources[host] = r
	return nil
}

func (d *Door) resource(u *url.URL) (Resource, error) {
	d.mu.Lock()
	r, ok := d.resources[strings.ToLower(u.Host)]
	d.mu.Unlock()
	switch {
	case u.Scheme != "https":
		return r, &RefusedError{URL: schemeHost(u), Reason: "tokens go over https only"}
	case !ok || u.User != nil:
		return r, &RefusedError{URL: schemeHost(u), Reason: "no token of this tenant goes to that host"}
	}
	return r, nil
}

// Token returns a token for the resource at endpoint, as Send would
// attach it.
func (d *Door) Token(ctx context.Context, endpoint *url.URL) (azcore.AccessToken, error) {
	r, err := d.resource(endpoint)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	if d.tokens == nil {
		return azcore.AccessToken{}, errors.New("the door has no credential")
	}
	return d.tokens.get(ctx, r.Scope)
}

// Wait is the door's schedule for a request answered transiently after
// tries tries: how long to wait, or why not to retry (see Schedule.Wait).
// A Batcher asks it, so that the rule lives in one place.
func (d *Door) Wait(ctx context.Context, tries int, retryAfter time.Duration) (time.Duration, error) {
	return d.schedule.Wait(ctx, tries, retryAfter)
}
