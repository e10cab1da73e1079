package graphclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// fileSecretCredential reads the client secret from a file each time a token
// is needed (about once an hour) and rebuilds the azidentity credential when
// the file's content changed, so a rotated secret is picked up without a
// restart or reload.
type fileSecretCredential struct {
	tenant config.Tenant
	door   *azurehttp.Door

	mu     sync.Mutex
	digest [sha256.Size]byte
	cred   azcore.TokenCredential
}

func newFileSecretCredential(t config.Tenant, d *azurehttp.Door) (*fileSecretCredential, error) {
	c := &fileSecretCredential{tenant: t, door: d}
	if _, err := c.current(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *fileSecretCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	cred, err := c.current()
	if err != nil {
		return azcore.AccessToken{}, err
	}
	return cred.GetToken(ctx, opts)
}

func (c *fileSecretCredential) current() (azcore.TokenCredential, error) {
	data, err := config.ReadFile(c.tenant.ClientSecretFile)
	if err != nil {
		// os errors name the path only, never the content.
		return nil, fmt.Errorf("read client_secret_file: %w", err)
	}
	secret := bytes.TrimSpace(data)
	if len(secret) == 0 {
		return nil, fmt.Errorf("client_secret_file %s is empty", c.tenant.ClientSecretFile)
	}
	digest := sha256.Sum256(secret)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cred != nil && digest == c.digest {
		return c.cred, nil
	}
	cred, err := c.door.ClientSecret(c.tenant.TenantID, c.tenant.ClientID, string(secret))
	if err != nil {
		return nil, fmt.Errorf("client secret credential: %w", err)
	}
	c.cred, c.digest = cred, digest
	return cred, nil
}
