package signin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// DefaultRetryAfterRefusal is how long a credential answers with Entra
// ID's refusal before it asks again: long enough not to ask on every
// scrape, short enough that a fixed Conditional Access policy shows soon.
const DefaultRetryAfterRefusal = 5 * time.Minute

// CredentialOptions tune a Credential.
type CredentialOptions struct {
	// Logger gets one line when delegated access stops and one when it
	// works again; nil discards them.
	Logger *slog.Logger
	// RetryAfterRefusal is how long a refusal is answered from memory; 0
	// means DefaultRetryAfterRefusal. A new sign-in (the cache file
	// changed) ends the wait at once.
	RetryAfterRefusal time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Credential is an azcore.TokenCredential that renews a signed-in
// account's access tokens from the refresh token in the cache file.
type Credential struct {
	s      Settings
	client public.Client
	cache  *fileCache
	logger *slog.Logger
	wait   time.Duration
	now    func() time.Time
	// sem admits one token request at a time: two scrapes that both find
	// the access token expired must not both redeem the refresh token.
	sem chan struct{}
	// signInRequired is set while only a new sign-in can help; read by
	// the exporter's metrics without waiting for a token request.
	signInRequired atomic.Bool
	// Guarded by sem: the refusal being answered from memory.
	refused      error
	refusedAt    time.Time
	refusedStamp string
}

var _ azcore.TokenCredential = (*Credential)(nil)

// NewCredential builds the credential. It reads nothing and calls nobody:
// a missing cache shows at the first token request as "sign in".
func NewCredential(s Settings, o CredentialOptions) (*Credential, error) {
	client, fc, err := newPublicClient(s)
	if err != nil {
		return nil, err
	}
	c := &Credential{s: s, client: client, cache: fc, logger: o.Logger, wait: o.RetryAfterRefusal, now: o.Now, sem: make(chan struct{}, 1)}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	c.logger = c.logger.With("tenant", s.Tenant)
	if c.wait <= 0 {
		c.wait = DefaultRetryAfterRefusal
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// GetToken returns an access token from the cache, or renews it with the
// refresh token. After a refusal it answers the same refusal, without
// asking Entra ID, until the wait is over or the cache file changed.
func (c *Credential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return azcore.AccessToken{}, ctx.Err()
	}
	defer func() { <-c.sem }()
	if c.refused != nil && c.now().Sub(c.refusedAt) < c.wait && c.cache.stamp() == c.refusedStamp {
		return azcore.AccessToken{}, c.refused
	}
	res, err := c.acquire(ctx, opts.Scopes)
	if err != nil {
		return azcore.AccessToken{}, c.fail(err)
	}
	if c.refused != nil {
		c.logger.Info("Delegated access works again", "token_cache_file", c.s.CacheFile)
		c.refused = nil
	}
	c.signInRequired.Store(false)
	return azcore.AccessToken{Token: res.AccessToken, ExpiresOn: res.ExpiresOn, RefreshOn: res.Metadata.RefreshOn}, nil
}

func (c *Credential) acquire(ctx context.Context, scopes []string) (public.AuthResult, error) {
	accounts, err := c.client.Accounts(ctx)
	if err != nil {
		return public.AuthResult{}, fmt.Errorf("tenant %q: %w", c.s.Tenant, err)
	}
	if len(accounts) == 0 {
		return public.AuthResult{}, &SignInError{Tenant: c.s.Tenant, Cause: fmt.Errorf("no signed-in account in the token cache %s", c.s.CacheFile)}
	}
	res, err := c.client.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(accounts[0]))
	if err == nil {
		return res, nil
	}
	err = fromMSAL(err)
	var ee *EntraError
	if errors.As(err, &ee) && ee.needsSignIn() {
		return public.AuthResult{}, &SignInError{Tenant: c.s.Tenant, Cause: fmt.Errorf("the refresh token in %s was refused: %w", c.s.CacheFile, err)}
	}
	return public.AuthResult{}, fmt.Errorf("renew the delegated token of tenant %q: %w", c.s.Tenant, err)
}

// fail remembers a refusal (a sign-in needed, or any answer of Entra ID
// that is an OAuth error) and logs it when it differs from the last one.
// A failure to reach Entra ID is returned as it is: the next scrape tries
// again, as with every other credential.
func (c *Credential) fail(err error) error {
	var ee *EntraError
	if !errors.Is(err, ErrSignInRequired) && !errors.As(err, &ee) {
		return err
	}
	if c.refused == nil || refusalKey(c.refused) != refusalKey(err) {
		c.logger.Error("Delegated access stopped; the tenant's workspaces are up 0 until it works again", "reason", err.Error(), "next_attempt_in", c.wait)
	}
	c.refused, c.refusedAt, c.refusedStamp = err, c.now(), c.cache.stamp()
	c.signInRequired.Store(errors.Is(err, ErrSignInRequired))
	return err
}

// refusalKey tells refusals apart for the log: by Entra ID's error and
// AADSTS code, since its description may carry times that change from one
// answer to the next.
func refusalKey(err error) string {
	var ee *EntraError
	if errors.As(err, &ee) {
		return ee.OAuthError + " " + ee.Code
	}
	return err.Error()
}

// SignInRequired reports whether the last token request found that only a
// new sign-in (--auth.login) can restore access.
func (c *Credential) SignInRequired() bool { return c.signInRequired.Load() }
