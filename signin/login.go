package signin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// DefaultLoginTimeout bounds the wait for the user: Entra ID's device
// codes expire after 15 minutes.
const DefaultLoginTimeout = 15 * time.Minute

// LoginOptions configure one sign-in.
type LoginOptions struct {
	Settings
	// Scope is the Graph scope, https://<graph host>/.default; MSAL adds
	// openid, profile and offline_access, which brings the refresh token.
	Scope string
	// Timeout bounds the wait for the user; 0 means DefaultLoginTimeout.
	Timeout time.Duration
	// Prompt receives the verification URL and the code (stderr).
	Prompt io.Writer
}

// LoginResult is who signed in, never their tokens.
type LoginResult struct {
	Account string   // the account's user name (UPN)
	Scopes  []string // the scopes Entra ID granted
}

// Login runs the device code flow, writes the token cache and leaves in
// it only the account that signed in.
func Login(ctx context.Context, o LoginOptions) (LoginResult, error) {
	client, fc, err := newPublicClient(o.Settings)
	if err != nil {
		return LoginResult{}, err
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultLoginTimeout
	}
	if o.Prompt == nil {
		o.Prompt = io.Discard
	}
	// The cache usually lives on a volume mounted empty.
	if err := os.MkdirAll(filepath.Dir(fc.path), 0o700); err != nil {
		return LoginResult{}, fmt.Errorf("tenant %q: create the token cache's directory: %w", o.Tenant, err)
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	dc, err := client.AcquireTokenByDeviceCode(ctx, []string{o.Scope})
	if err != nil {
		return LoginResult{}, fmt.Errorf("start the device code sign-in for tenant %q: %w", o.Tenant, fromMSAL(err))
	}
	fmt.Fprintf(o.Prompt, "To sign in the monitoring account of tenant %s, open %s in a browser and enter the code %s (waiting up to %s).\n",
		o.Tenant, oneLine(dc.Result.VerificationURL, 200), oneLine(dc.Result.UserCode, 32), o.Timeout)
	res, err := dc.AuthenticationResult(ctx)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return LoginResult{}, fmt.Errorf("tenant %q: nobody completed the sign-in within %s", o.Tenant, o.Timeout)
	case err != nil:
		return LoginResult{}, fmt.Errorf("device code sign-in for tenant %q: %w", o.Tenant, fromMSAL(err))
	}
	if err := keepOnly(ctx, client, res.Account); err != nil {
		return LoginResult{}, err
	}
	info, err := os.Stat(fc.path)
	if err != nil {
		return LoginResult{}, fmt.Errorf("tenant %q: signed in, but the token cache was not written: %w", o.Tenant, err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return LoginResult{}, fmt.Errorf("tenant %q: the token cache %s has mode %s; it must be readable by its owner only", o.Tenant, fc.path, info.Mode().Perm())
	}
	return LoginResult{Account: res.Account.PreferredUsername, Scopes: res.GrantedScopes}, nil
}

// keepOnly removes every other account from the cache, so that the
// credential never renews the token of an account signed in earlier.
func keepOnly(ctx context.Context, client public.Client, keep public.Account) error {
	accounts, err := client.Accounts(ctx)
	if err != nil {
		return fmt.Errorf("read the token cache: %w", err)
	}
	for _, a := range accounts {
		if a.HomeAccountID == keep.HomeAccountID && a.Environment == keep.Environment {
			continue
		}
		if err := client.RemoveAccount(ctx, a); err != nil {
			return fmt.Errorf("remove an earlier account from the token cache: %w", err)
		}
	}
	return nil
}
