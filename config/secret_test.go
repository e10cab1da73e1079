package config

import (
	"strings"
	"testing"
)

// Errors and dumps must never carry a secret: not the value of the variable
// client_secret_env names, and not a secret pasted into the wrong key.
func TestErrorsNeverContainSecrets(t *testing.T) {
	const secret = "Xq8~s3cr3t.value-that-must-not-leak_0123456789"
	t.Setenv("SECURITYCOPILOT_TEST_SECRET", secret)

	configs := map[string]string{
		// Valid secret reference, everything else around it wrong.
		"env name with other errors": `
graph: {endpoint: "http://graph.microsoft.com/beta", page_size: 0}
windows: [1d, 24h, -1h]
collection: {timeout: 0s, max_concurrency_per_tenant: 100}
tenants:
  - name: "bad name"
    tenant_id: abc
    client_id: nope
    client_secret_env: SECURITYCOPILOT_TEST_SECRET
    client_secret_file: /run/secrets/s
    client_certificate_file: /run/secrets/c.pem
    workspaces: ["", ".."]
  - name: "bad name"
    tenant_id: abc
    auth: client_secret
    client_secret_env: SECURITYCOPILOT_TEST_SECRET
`,
		// Auth set explicitly while the env var is given to another method.
		"env name with foreign auth": `
tenants:
  - name: contoso
    tenant_id: contoso.onmicrosoft.com
    auth: azure_cli
    client_id: 00000000-0000-0000-0000-000000000002
    client_secret_env: SECURITYCOPILOT_TEST_SECRET
`,
		// The secret itself pasted where the variable's name belongs.
		"secret as env name": `
tenants:
  - name: contoso
    tenant_id: 00000000-0000-0000-0000-000000000001
    client_id: 00000000-0000-0000-0000-000000000002
    client_secret_env: "` + secret + `"
`,
		// The secret pasted as client_id.
		"secret as client id": `
tenants:
  - name: contoso
    tenant_id: 00000000-0000-0000-0000-000000000001
    client_id: "` + secret + `"
    client_secret_env: SECURITYCOPILOT_TEST_SECRET
`,
		// A key that does not exist, holding the secret.
		"secret under unknown key": `
tenants:
  - name: contoso
    tenant_id: 00000000-0000-0000-0000-000000000001
    client_id: 00000000-0000-0000-0000-000000000002
    client_secret: "` + secret + `"
`,
	}
	for name, data := range configs {
		t.Run(name, func(t *testing.T) {
			cfg, err := Parse([]byte(data), "config.yml")
			if err == nil {
				t.Fatalf("Parse succeeded:\n%s", cfg)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error leaks the secret:\n%v", err)
			}
		})
	}

	// A valid config reading the secret from the environment never holds
	// or renders the value.
	cfg, err := Parse([]byte(`
tenants:
  - name: contoso
    tenant_id: 00000000-0000-0000-0000-000000000001
    client_id: 00000000-0000-0000-0000-000000000002
    client_secret_env: SECURITYCOPILOT_TEST_SECRET
`), "config.yml")
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.String(); strings.Contains(s, secret) || !strings.Contains(s, "client_secret_env: SECURITYCOPILOT_TEST_SECRET") {
		t.Errorf("String() must name the variable and never hold its value:\n%s", s)
	}
}
