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

// Send sends req once to an allowed resource, with a token of that
// resource, and returns its answer, whatever the status, with the body
// capped at maxBytes. Within that one send, a request that got no answer
// is tried again, unless no retry can mend the failure (an untrusted
// certificate, say); and a plain 401 (no claims challenge) drops the
// token and tries once more with a new one, since a revoked token would
// otherwise be served from the cache until it expires. Transient statuses
// are the caller's, through Schedule and Transient: a Batcher schedules
// them on its own timers, a lone caller uses Call.
func (d *Door) Send(req *http.Request, maxBytes int64) (*http.Response, error) {
	res, err := d.resource(req.URL)
	if err != nil {
		return nil, err
	}
	if d.tokens == nil {
		return nil, errors.New("the door has no credential")
	}
	ctx := req.Context()
	var lastErr error
	renewed := false
	for tries := 1; ; tries++ {
		tok, err := d.tokens.get(ctx, res.Scope)
		if err != nil {
			return nil, err
		}
		resp, err := d.try(req, res, tok.Token, tries > 1)
		if err != nil {
			if lastErr != nil && ctx.Err() != nil {
				// The deadline hides why the tries before it failed.
				return nil, fmt.Errorf("%w (after %d tries; the one before: %w)", err, tries, lastErr)
			}
			lastErr = err
			if permanent(err) || ctx.Err() != nil || tries >= maxTransportTries {
				return nil, err
			}
			wait, werr := d.schedule.Wait(ctx, tries, 0)
			if werr != nil {
				return nil, fmt.Errorf("%w (%w)", err, werr)
			}
			if err := Sleep(ctx, wait); err != nil {
				return nil, fmt.Errorf("%w (then: %w)", lastErr, err)
			}
			continue
		}
		if resp.StatusCode == http.StatusUnauthorized && !renewed && !claimsChallenge(resp) {
			drain(resp)
			d.tokens.drop(res.Scope, tok.Token)
			renewed = true
			continue
		}
		resp.Body = capBody(resp.Body, Printable(req.URL.Host, 100), requestID(resp.Header), maxBytes)
		return resp, nil
	}
}

// try sends one HTTP request.
func (d *Door) try(req *http.Request, res Resource, token string, retry bool) (*http.Response, error) {
	r := req.Clone(req.Context())
	if req.GetBody != nil && req.Body != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("rewind request body: %w", err)
		}
		r.Body = body
	}
	r.Header.Set("Authorization", "Bearer "+token)
	if d.userAgent != "" {
		r.Header.Set("User-Agent", d.userAgent)
	}
	start := time.Now()
	resp, err := d.client.Do(r)
	status := 0
	if err == nil {
		status = resp.StatusCode
	}
	if res.Observer != nil {
		res.Observer.ObserveTry(req, status, time.Since(start), retry)
	}
	if err != nil {
		return nil, unwrapURLError(err)
	}
	return resp, nil
}

// unwrapURLError drops net/http's *url.Error, which quotes the whole URL
// with its query: the caller names the request itself.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// claimsChallenge reports whether a 401 asks for a token with more
// claims, which a new token of the same kind would not satisfy.
func claimsChallenge(resp *http.Response) bool {
	for _, v := range resp.Header.Values("WWW-Authenticate") {
		if strings.Contains(v, "claims=") {
			return true
		}
	}
	return false
}

// drain reads a little of an answer not needed, so that the connection
// can be reused, and closes it.
func drain(resp *http.Response) {
	buf := make([]byte, 4096)
	_, _ = resp.Body.Read(buf)
	resp.Body.Close()
}

// Call sends req for a lone caller, who holds up nobody while it sleeps:
// an answer with a Transient status is sent again after its Retry-After or
// a backoff, as long as the deadline allows. A 2xx answer is returned
// with its body unread; any other becomes fail(resp)'s error, with the
// reason when the schedule gave up.
func (d *Door) Call(req *http.Request, maxBytes int64, fail func(*http.Response) error) (*http.Response, error) {
	ctx := req.Context()
	for tries := 1; ; tries++ {
		resp, err := d.Send(req, maxBytes)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
			return resp, nil
		}
		answer := fail(resp)
		resp.Body.Close()
		if !Transient(resp.StatusCode) {
			return nil, answer
		}
		wait, giveUp := d.schedule.Wait(ctx, tries, RetryAfter(resp.Header.Get("Retry-After"), time.Now()))
		if giveUp != nil {
			return nil, fmt.Errorf("%w (%w)", answer, giveUp)
		}
		if err := Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%w (then: %w)", answer, err)
		}
	}
}

// Wait is the door's schedule for a request answered transiently after
// tries tries: how long to wait, or why not to retry (see Schedule.Wait).
// A Batcher asks it, so that the rule lives in one place.
func (d *Door) Wait(ctx context.Context, tries int, retryAfter time.Duration) (time.Duration, error) {
	return d.schedule.Wait(ctx, tries, retryAfter)
}
