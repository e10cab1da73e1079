package graphclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// newCredential builds the credential for the tenant's auth method. Files
// and environment variables are read here, so a broken setup fails at load
// time, not at the first scrape. Every credential is built by the door, so
// that its requests to Entra ID go through the door's checks; a new auth
// method adds its case here and its constructor in azurehttp/identity.go.
func newCredential(t config.Tenant, d *azurehttp.Door, logger *slog.Logger) (azcore.TokenCredential, error) {
	switch t.Auth {
	case config.AuthClientSecret:
		if t.ClientSecretFile != "" {
			return newFileSecretCredential(t, d)
		}
		secret := os.Getenv(t.ClientSecretEnv)
		if strings.TrimSpace(secret) == "" {
			return nil, fmt.Errorf("environment variable %s (client_secret_env) is empty or unset", t.ClientSecretEnv)
		}
		return d.ClientSecret(t.TenantID, t.ClientID, strings.TrimSpace(secret))
	case config.AuthClientCertificate:
		return newCertificateCredential(t, d)
	case config.AuthWorkloadIdentity:
		// WorkloadIdentityCredential would read the token file without a
		// size limit; it is a client assertion read from that file, so the
		// assertion credential does the same with a capped read.
		// Unset fields fall back to the variables the Azure workload
		// identity webhook injects, as WorkloadIdentityCredential does.
		clientID, tokenFile := cmp.Or(t.ClientID, os.Getenv("AZURE_CLIENT_ID")), cmp.Or(t.FederatedTokenFile, os.Getenv("AZURE_FEDERATED_TOKEN_FILE"))
		if clientID == "" || tokenFile == "" {
			return nil, errors.New("workload identity needs client_id and federated_token_file, or AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE in the environment")
		}
		return d.ClientAssertion(cmp.Or(t.TenantID, os.Getenv("AZURE_TENANT_ID")), clientID, federatedToken(tokenFile))
	case config.AuthManagedIdentity:
		return d.ManagedIdentity(t.ClientID)
	case config.AuthAzureCLI:
		return d.AzureCLI(t.TenantID)
	case config.AuthDeviceCode:
		return newDeviceCodeCredential(t, d, logger)
	}
	return nil, fmt.Errorf("unknown auth method %q", t.Auth)
}

// federatedToken reads the projected service account token each time a
// token is needed: the kubelet rotates the file.
func federatedToken(path string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) {
		data, err := config.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("read federated_token_file: %w", err)
		}
		token := strings.TrimSpace(string(data))
		if token == "" {
			return "", fmt.Errorf("federated_token_file %s is empty", path)
		}
		return token, nil
	}
}

func newCertificateCredential(t config.Tenant, d *azurehttp.Door) (azcore.TokenCredential, error) {
	data, err := config.ReadFile(t.ClientCertificateFile)
	if err != nil {
		return nil, fmt.Errorf("read client_certificate_file: %w", err)
	}
	certs, key, err := azidentity.ParseCertificates(data, nil)
	if err != nil {
		// The parser's message never quotes the key material.
		return nil, fmt.Errorf("parse client_certificate_file %s: %w", t.ClientCertificateFile, err)
	}
	return d.ClientCertificate(t.TenantID, t.ClientID, certs, key)
}

// countingCredential counts token acquisitions and turns their failures
// into one-line TokenErrors.
type countingCredential struct {
	tenant   string
	host     string // the configured authority host, for errors
	attempts *attemptRecorder
	inner    azcore.TokenCredential
	metrics  *Metrics
}

// maxTokenMargin caps how long before the request's deadline a token
// attempt gives up.
const maxTokenMargin = 250 * time.Millisecond

func (c *countingCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	// A token attempt that runs out of time must fail before the request
	// does: azcore's retry policy turns any error at the request's
	// deadline into the bare deadline, which would hide that Entra ID, not
	// Graph, did not answer.
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-min(time.Until(deadline)/10, maxTokenMargin)))
		defer cancel()
	}
	c.attempts.take()
	tok, err := c.inner.GetToken(ctx, opts)
	if err != nil {
		c.metrics.tokenRequests.WithLabelValues(c.tenant, "error").Inc()
		return tok, newTokenError(c.tenant, c.host, err, c.attempts.take())
	}
	c.metrics.tokenRequests.WithLabelValues(c.tenant, "success").Inc()
	return tok, nil
}
