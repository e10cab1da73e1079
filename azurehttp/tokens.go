package azurehttp

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// refreshMargin is how long before its expiry a cached token is replaced.
const refreshMargin = 5 * time.Minute

// tokens hands out one token per scope, cached until shortly before it
// expires. A token Azure refused is dropped, and with it the credential,
// whose own cache (MSAL's) would hand out the same token again: the next
// token comes from a credential built afresh.
type tokens struct {
	build func() (azcore.TokenCredential, error)
	lock  chan struct{} // one acquisition at a time, waitable with a context

	mu    sync.Mutex
	cred  azcore.TokenCredential
	cache map[string]cachedToken
}

type cachedToken struct {
	azcore.AccessToken
	got time.Time
}

// fresh reports whether a cached token is still to be used: until
// refreshMargin before it expires, or half its lifetime for a token that
// lives shorter than twice that, and not past Entra ID's refresh_in.
func (c cachedToken) fresh(now time.Time) bool {
	margin := min(refreshMargin, c.ExpiresOn.Sub(c.got)/2)
	return c.ExpiresOn.Sub(now) > margin && (c.RefreshOn.IsZero() || now.Before(c.RefreshOn))
}

func newTokens(build func() (azcore.TokenCredential, error)) (*tokens, error) {
	cred, err := build()
	if err != nil {
		return nil, err
	}
	return &tokens{build: build, lock: make(chan struct{}, 1), cred: cred, cache: map[string]cachedToken{}}, nil
}

func (t *tokens) cached(scope string) (azcore.AccessToken, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tok, ok := t.cache[scope]
	return tok.AccessToken, ok && tok.fresh(time.Now())
}

// get returns a token for scope, from the cache or from the credential.
func (t *tokens) get(ctx context.Context, scope string) (azcore.AccessToken, error) {
	if tok, ok := t.cached(scope); ok {
		return tok, nil
	}
	select {
	case t.lock <- struct{}{}:
		defer func() { <-t.lock }()
	case <-ctx.Done():
		return azcore.AccessToken{}, fmt.Errorf("wait for a token: %w", context.Cause(ctx))
	}
	if tok, ok := t.cached(scope); ok {
		return tok, nil // another request got it meanwhile
	}
	t.mu.Lock()
	cred := t.cred
	t.mu.Unlock()
	if cred == nil {
		var err error
		if cred, err = t.build(); err != nil {
			return azcore.AccessToken{}, err
		}
	}
	got := time.Now()
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		return azcore.AccessToken{}, err
	}
	t.mu.Lock()
	t.cred, t.cache[scope] = cred, cachedToken{tok, got}
	t.mu.Unlock()
	return tok, nil
}

// drop forgets token, if it is still the one cached for scope, and the
// credential that issued it. A token already replaced by another request
// is left alone, so that many requests refused at once renew it once.
func (t *tokens) drop(scope, token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if cur, ok := t.cache[scope]; ok && cur.Token == token {
		delete(t.cache, scope)
		t.cred = nil
	}
}
