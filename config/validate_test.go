package config

import (
	"strings"
	"testing"
)

// A programmatic configuration (like the --demo one) built from Default gets
// the same checks and normalization as a file.
func TestValidateProgrammatic(t *testing.T) {
	cfg := Default()
	cfg.Graph.Endpoint = "https://graph.example.test/beta/"
	cfg.Windows = []Window{{Label: "7d"}, {Label: "1h"}}
	cfg.Tenants = []Tenant{{
		Name:            "demo",
		TenantID:        "00000000-0000-0000-0000-000000000001",
		ClientID:        "00000000-0000-0000-0000-000000000002",
		ClientSecretEnv: "DEMO_SECRET",
	}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Graph.Endpoint != "https://graph.example.test/beta" {
		t.Errorf("endpoint = %q", cfg.Graph.Endpoint)
	}
	if cfg.Tenants[0].Auth != AuthClientSecret {
		t.Errorf("auth = %q, want inferred client_secret", cfg.Tenants[0].Auth)
	}
	if got := labels(cfg.Windows); strings.Join(got, ",") != "1h,7d" {
		t.Errorf("windows = %v", got)
	}
	if !cfg.Tenants[0].Discover() {
		t.Error("tenant without workspaces must discover")
	}

	// A zero Config is not silently defaulted: every missing value is named.
	err := (&Config{}).Validate()
	if err == nil {
		t.Fatal("zero Config validated")
	}
	for _, want := range []string{"graph.endpoint: required", "graph.authority_host: required", "graph.page_size: 0", "windows: empty list", "collection.timeout: 0s", "collection.max_concurrency_per_tenant: 0", "tenants: no tenants"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("zero Config error lacks %q:\n%v", want, err)
		}
	}
	if err := (*Config)(nil).Validate(); err == nil {
		t.Error("nil Config validated")
	}
}

func TestDiscover(t *testing.T) {
	if !(Tenant{}).Discover() || !(Tenant{Workspaces: []string{}}).Discover() {
		t.Error("absent or empty workspaces must discover")
	}
	if (Tenant{Workspaces: []string{"default"}}).Discover() {
		t.Error("listed workspaces must not discover")
	}
}

func TestGraphURLs(t *testing.T) {
	tests := []struct {
		endpoint, authority string
		wantEndpoint        string
		wantAuthority       string
		wantErr             string
	}{
		{endpoint: "https://graph.microsoft.com/beta", authority: "https://login.microsoftonline.com/", wantEndpoint: "https://graph.microsoft.com/beta", wantAuthority: "https://login.microsoftonline.com/"},
		{endpoint: "https://graph.microsoft.com/beta//", authority: "https://login.microsoftonline.com", wantEndpoint: "https://graph.microsoft.com/beta", wantAuthority: "https://login.microsoftonline.com/"},
		{endpoint: "https://localhost:8443/", authority: "https://127.0.0.1:9443", wantEndpoint: "https://localhost:8443", wantAuthority: "https://127.0.0.1:9443/"},
		{endpoint: "graph.microsoft.com/beta", wantErr: `graph.endpoint: "graph.microsoft.com/beta" must be an absolute https URL`},
		{endpoint: "https://graph.microsoft.com/beta#x", wantErr: "must not have a fragment"},
		{endpoint: "https://graph.microsoft.com/beta?", wantErr: "must not have a query"},
		{endpoint: "https://user:hunter2@graph.microsoft.com/beta", wantErr: `graph.endpoint: "https://user:xxxxx@graph.microsoft.com/beta" must not contain user information`},
		{endpoint: "https://graph.microsoft.com/%zz", wantErr: "graph.endpoint: not a valid URL"},
		{endpoint: "mailto:graph@microsoft.com", wantErr: "must be an absolute https URL"},
		{authority: "https://login.microsoftonline.com/?x", wantErr: "graph.authority_host: \"https://login.microsoftonline.com/?x\" must not have a query"},
		{authority: "https://login.microsoftonline.com/tenant", wantErr: "graph.authority_host: \"https://login.microsoftonline.com/tenant\" must be a bare host"},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint+" "+tt.authority, func(t *testing.T) {
			g := defaultGraph()
			if tt.endpoint != "" {
				g.Endpoint = tt.endpoint
			}
			if tt.authority != "" {
				g.AuthorityHost = tt.authority
			}
			errs := g.validate()
			if tt.wantErr != "" {
				if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.wantErr) {
					t.Fatalf("errors = %v, want one containing %q", errs, tt.wantErr)
				}
				if strings.Contains(errs[0].Error(), "hunter2") {
					t.Errorf("error leaks the URL password: %v", errs[0])
				}
				return
			}
			if len(errs) != 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			if g.Endpoint != tt.wantEndpoint || g.AuthorityHost != tt.wantAuthority {
				t.Errorf("got %q %q, want %q %q", g.Endpoint, g.AuthorityHost, tt.wantEndpoint, tt.wantAuthority)
			}
		})
	}
}

func TestTenantIDForms(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"00000000-0000-0000-0000-000000000001", true},
		{"ABCDEF01-2345-6789-ABCD-EF0123456789", true},
		{"abcdef01-2345-6789-abcd-ef0123456789", true},
		{"contoso.onmicrosoft.com", true},
		{"contoso.com.", true},
		{"sub-domain.contoso.co.uk", true},
		{"abc", false},
		{"common", false},
		{"organizations", false},
		{"10.0.0.1", false},
		{"-contoso.com", false},
		{"contoso-.com", false},
		{"contoso..com", false},
		{"contoso_x.com", false},
		{"{00000000-0000-0000-0000-000000000001}", false},
		{"00000000-0000-0000-0000-00000000000g", false},
		{"00000000000000000000000000000001", false},
		{strings.Repeat("a", 64) + ".com", false},
		{strings.Repeat("a.", 127) + "com", false}, // 257 bytes
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			tenant := Tenant{Name: "x", TenantID: tt.id, Auth: AuthAzureCLI}
			errs := tenant.validate("tenants[0]", DefaultMaxWorkspacesPerTenant)
			if ok := len(errs) == 0; ok != tt.ok {
				t.Errorf("tenant_id %q: errors %v, want ok=%v", tt.id, errs, tt.ok)
			}
		})
	}
}

func TestTenantNames(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"contoso", true},
		{"Contoso_2.prod-eu", true},
		{"0", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"_contoso", false},
		{".contoso", false},
		{"contoso prod", false},
		{"contosö", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenant := Tenant{Name: tt.name, TenantID: "contoso.com", Auth: AuthAzureCLI}
			errs := tenant.validate("tenants[0]", DefaultMaxWorkspacesPerTenant)
			if ok := len(errs) == 0; ok != tt.ok {
				t.Errorf("name %q: errors %v, want ok=%v", tt.name, errs, tt.ok)
			}
		})
	}
}

func TestWorkspaceNames(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string
	}{
		{name: "default"},
		{name: "17aafe23-ab95-3b37-8b2f-6f3c4c1e0a11"},
		{name: "lab_2.b-c"},
		{name: strings.Repeat("w", MaxWorkspaceIDBytes)},
		{name: strings.Repeat("w", MaxWorkspaceIDBytes+1), wantErr: "workspace id is 129 bytes long, the maximum is 128"},
		{name: "a/b c?d#e%f", wantErr: `"a/b c?d#e%f" is not a workspace id`},
		{name: "日本語", wantErr: "is not a workspace id"},
		{name: "...", wantErr: `"..." is not a workspace id`},
		{name: "a\xffb", wantErr: `"a\xffb" is not a workspace id`},
		{name: "a\nb", wantErr: `"a\nb" is not a workspace id`},
		{name: "a\u0085b", wantErr: "is not a workspace id"},
		{name: "a\x1b[31mb", wantErr: `"a\x1b[31mb" is not a workspace id`},
		{name: ".", wantErr: `"." is not a workspace id`},
		{name: "", wantErr: "empty workspace id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := validateWorkspaces("tenants[0].workspaces", []string{tt.name})
			if tt.wantErr == "" {
				if len(errs) != 0 {
					t.Errorf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "tenants[0].workspaces[0]: ") || !strings.Contains(errs[0].Error(), tt.wantErr) {
				t.Errorf("errors = %v, want one at tenants[0].workspaces[0] containing %q", errs, tt.wantErr)
			}
		})
	}
}

func TestTenantOverlap(t *testing.T) {
	tenant := func(name, id string, ws ...string) Tenant {
		return Tenant{Name: name, TenantID: id, Auth: AuthAzureCLI, Workspaces: ws}
	}
	const id = "00000000-0000-0000-0000-000000000001"
	tests := []struct {
		name    string
		tenants []Tenant
		wantErr string
	}{
		{name: "different tenants both discover", tenants: []Tenant{tenant("a", id), tenant("b", "contoso.com")}},
		{name: "same tenant disjoint workspaces", tenants: []Tenant{tenant("a", id, "x"), tenant("b", id, "y")}},
		{name: "same tenant both discover", tenants: []Tenant{tenant("a", id), tenant("b", id)}, wantErr: "tenants[1]: tenant_id"},
		{name: "same tenant first discovers", tenants: []Tenant{tenant("a", id), tenant("b", id, "x")}, wantErr: "at least one of them discovers"},
		{name: "same tenant id in other case", tenants: []Tenant{tenant("a", id, "x"), tenant("b", strings.ToUpper(id), "x")}, wantErr: `workspaces ["x"] are also collected by tenants[0] ("a")`},
		{name: "same domain in other case", tenants: []Tenant{tenant("a", "contoso.com"), tenant("b", "CONTOSO.com", "x")}, wantErr: "tenants[1]: tenant_id \"CONTOSO.com\" is also used by tenants[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := validateTenants(tt.tenants, DefaultMaxWorkspacesPerTenant)
			if tt.wantErr == "" {
				if len(errs) != 0 {
					t.Errorf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.wantErr) {
				t.Errorf("errors = %v, want one containing %q", errs, tt.wantErr)
			}
		})
	}
}

// The auth matrix: which credential fields and client_id each method takes.
func TestAuthRules(t *testing.T) {
	const cid = "00000000-0000-0000-0000-000000000002"
	tests := []struct {
		name     string
		tenant   Tenant
		wantAuth AuthMethod
		wantErr  string
	}{
		{name: "infer secret file", tenant: Tenant{ClientID: cid, ClientSecretFile: "/s"}, wantAuth: AuthClientSecret},
		{name: "infer secret env", tenant: Tenant{ClientID: cid, ClientSecretEnv: "S"}, wantAuth: AuthClientSecret},
		{name: "infer certificate", tenant: Tenant{ClientID: cid, ClientCertificateFile: "/c.pem"}, wantAuth: AuthClientCertificate},
		{name: "infer workload identity", tenant: Tenant{FederatedTokenFile: "/t"}, wantAuth: AuthWorkloadIdentity},
		{name: "explicit workload identity without fields", tenant: Tenant{Auth: AuthWorkloadIdentity}, wantAuth: AuthWorkloadIdentity},
		{name: "managed identity system-assigned", tenant: Tenant{Auth: AuthManagedIdentity}, wantAuth: AuthManagedIdentity},
		{name: "managed identity user-assigned", tenant: Tenant{Auth: AuthManagedIdentity, ClientID: cid}, wantAuth: AuthManagedIdentity},
		{name: "azure cli", tenant: Tenant{Auth: AuthAzureCLI}, wantAuth: AuthAzureCLI},

		{name: "secret without client id", tenant: Tenant{ClientSecretFile: "/s"}, wantErr: "tenants[0].client_id: required by auth client_secret"},
		{name: "workload identity bad client id", tenant: Tenant{Auth: AuthWorkloadIdentity, ClientID: "x"}, wantErr: "tenants[0].client_id: not a GUID"},
		{name: "managed identity bad client id", tenant: Tenant{Auth: AuthManagedIdentity, ClientID: "x"}, wantErr: "tenants[0].client_id: not a GUID"},
		{name: "azure cli with secret", tenant: Tenant{Auth: AuthAzureCLI, ClientSecretEnv: "S"}, wantErr: "tenants[0].client_secret_env: not used by auth azure_cli (it belongs to auth client_secret)"},
		{name: "certificate with token file", tenant: Tenant{Auth: AuthClientCertificate, ClientID: cid, ClientCertificateFile: "/c", FederatedTokenFile: "/t"}, wantErr: "tenants[0].federated_token_file: not used by auth client_certificate"},
		{name: "workload identity with secret", tenant: Tenant{Auth: AuthWorkloadIdentity, ClientSecretFile: "/s"}, wantErr: "tenants[0].client_secret_file: not used by auth workload_identity"},
		{name: "infer three methods", tenant: Tenant{ClientID: cid, ClientSecretEnv: "S", ClientCertificateFile: "/c", FederatedTokenFile: "/t"}, wantErr: "client_secret_env and client_certificate_file and federated_token_file are set together"},
		{name: "unknown auth case", tenant: Tenant{Auth: "Client_Secret", ClientID: cid, ClientSecretFile: "/s"}, wantErr: `tenants[0].auth: "Client_Secret" is not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenant := tt.tenant
			tenant.Name, tenant.TenantID = "x", "contoso.com"
			errs := tenant.validate("tenants[0]", DefaultMaxWorkspacesPerTenant)
			if tt.wantErr != "" {
				if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.wantErr) {
					t.Fatalf("errors = %v, want one containing %q", errs, tt.wantErr)
				}
				if tenant.Auth != tt.tenant.Auth {
					t.Errorf("invalid tenant got auth %q set", tenant.Auth)
				}
				return
			}
			if len(errs) != 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			if tenant.Auth != tt.wantAuth {
				t.Errorf("auth = %q, want %q", tenant.Auth, tt.wantAuth)
			}
		})
	}
}

func TestActivityForAppliesTenantOverrides(t *testing.T) {
	cfg := Default()
	cfg.Activity.Enabled = true
	cfg.Activity.MaxSessions = 30
	plain := Tenant{Name: "a"}
	off := Tenant{Name: "b", Activity: &TenantActivity{Enabled: new(false)}}
	bigger := Tenant{Name: "c", Activity: &TenantActivity{MaxSessions: new(900)}}
	if a := cfg.ActivityFor(plain); !a.Enabled || a.MaxSessions != 30 {
		t.Errorf("no override: got enabled %v, max_sessions %d; want the global true, 30", a.Enabled, a.MaxSessions)
	}
	if a := cfg.ActivityFor(off); a.Enabled || a.MaxSessions != 30 {
		t.Errorf("enabled: false: got enabled %v, max_sessions %d; want false, 30", a.Enabled, a.MaxSessions)
	}
	if a := cfg.ActivityFor(bigger); !a.Enabled || a.MaxSessions != 900 {
		t.Errorf("max_sessions: 900: got enabled %v, max_sessions %d; want true, 900", a.Enabled, a.MaxSessions)
	}
	if cfg.Activity.MaxSessions != 30 {
		t.Errorf("ActivityFor changed the global settings: max_sessions %d", cfg.Activity.MaxSessions)
	}
}
