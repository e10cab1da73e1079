package graphclient

import (
	"fmt"
	"sync/atomic"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/signin"
)

// newDoor builds the tenant's door to Azure and its credential, whose
// token requests are counted in the metrics and whose failures become
// TokenErrors. The door is the tenant's one way to Azure: the Graph
// client sends through it, and so does the Resource Manager client
// (Client.Door).
//
// signedIn is given the credential of a delegated sign-in each time the
// door builds it, so that the client can tell whether only a new sign-in
// helps (Client.SignInRequired).
func newDoor(g config.Graph, t config.Tenant, opts Options, signedIn *atomic.Pointer[signin.Credential]) (*azurehttp.Door, error) {
	attempts := &attemptRecorder{}
	d, err := azurehttp.New(azurehttp.Settings{
		AuthorityHost:    g.AuthorityHost,
		Transport:        opts.Transport,
		Schedule:         azurehttp.Schedule{Delay: opts.RetryDelay},
		UserAgent:        userAgent(opts.Version),
		IdentityPolicies: []policy.Policy{attempts},
	})
	if err != nil {
		return nil, fmt.Errorf("tenant %q: %w", t.Name, err)
	}
	err = d.UseCredential(func() (azcore.TokenCredential, error) {
		cred, err := newCredential(t, d, opts.Logger)
		if err != nil {
			return nil, fmt.Errorf("tenant %q: %w", t.Name, err)
		}
		if s, ok := cred.(*signin.Credential); ok {
			signedIn.Store(s)
		}
		return &countingCredential{tenant: t.Name, host: hostOf(g.AuthorityHost), attempts: attempts, inner: cred, metrics: opts.Metrics}, nil
	})
	if err != nil {
		return nil, err
	}
	opts.Metrics.initTenant(t.Name)
	return d, nil
}

func userAgent(version string) string {
	if version == "" {
		return "securitycopilot_exporter"
	}
	return "securitycopilot_exporter/" + version
}
