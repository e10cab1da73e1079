package graphclient

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// NewCredential builds the tenant's credential the way New does, its token
// requests counted in m, for clients of other Microsoft APIs that sign in
// as the same application (Azure Resource Manager). Each client asks it
// for a token of its own resource's scope.
func NewCredential(t config.Tenant, authorityHost string, transport policy.Transporter, m *Metrics) (azcore.TokenCredential, error) {
	return newCountedCredential(t, authorityHost, transport, m, nil)
}

// newCountedCredential builds the tenant's credential, its token requests
// counted in m and the cause of a failed attempt kept for the error.
func newCountedCredential(t config.Tenant, authorityHost string, transport policy.Transporter, m *Metrics, logger *slog.Logger) (*countingCredential, error) {
	attempts := &attemptRecorder{}
	cred, err := newCredential(t, credentialSettings{authorityHost: authorityHost, transport: transport, attempts: attempts, logger: logger})
	if err != nil {
		return nil, fmt.Errorf("tenant %q: %w", t.Name, err)
	}
	m.initTenant(t.Name)
	return &countingCredential{tenant: t.Name, host: hostOf(authorityHost), attempts: attempts, inner: cred, metrics: m}, nil
}

// RetryOptions are the retry settings of a client whose requests are not
// gathered into rounds (Azure Resource Manager's, which documents the same
// throttling answers as Graph): 429, 503, 504 and transport errors are
// retried in place, honouring Retry-After, unless the wait outlasts the
// request's deadline. Sleeping in place holds up nobody there; Graph's own
// pipeline leaves statuses to the Batcher instead.
func RetryOptions(delay time.Duration) policy.RetryOptions {
	return policy.RetryOptions{RetryDelay: delay, StatusCodes: retryStatuses, ShouldRetry: retryInPlace}
}

func retryInPlace(resp *http.Response, err error) bool {
	if err != nil {
		return retryTransportErrors(resp, err)
	}
	if !runtime.HasStatusCode(resp, retryStatuses...) {
		return false
	}
	wait := retryAfter(resp.Header.Get("Retry-After"), time.Now())
	if deadline, ok := resp.Request.Context().Deadline(); ok && wait > time.Until(deadline) {
		return false
	}
	return true
}
