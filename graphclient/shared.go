package graphclient

import (
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// NewCredential builds the tenant's credential the way New does, its token
// requests counted in m, for clients of other Microsoft APIs that sign in
// as the same application (Azure Resource Manager). Each client asks it
// for a token of its own resource's scope.
func NewCredential(t config.Tenant, authorityHost string, transport policy.Transporter, m *Metrics) (azcore.TokenCredential, error) {
	cred, err := newCredential(t, credentialSettings{authorityHost: authorityHost, transport: transport})
	if err != nil {
		return nil, fmt.Errorf("tenant %q: %w", t.Name, err)
	}
	m.initTenant(t.Name)
	return &countingCredential{tenant: t.Name, inner: cred, metrics: m}, nil
}

// RetryOptions are the retry settings of Graph requests: 429, 503, 504 and
// transport errors are retried, honouring Retry-After unless the wait
// outlasts the request's deadline. Azure Resource Manager documents the
// same throttling answers, so its client retries alike.
func RetryOptions(delay time.Duration) policy.RetryOptions {
	return policy.RetryOptions{RetryDelay: delay, ShouldRetry: shouldRetry}
}
