package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

func windows(t *testing.T, labels ...string) []Window {
	t.Helper()
	ws := make([]Window, 0, len(labels))
	for _, l := range labels {
		w, err := ParseWindow(l)
		if err != nil {
			t.Fatalf("ParseWindow(%q): %v", l, err)
		}
		ws = append(ws, w)
	}
	return ws
}

func defaultGraph() Graph {
	return Graph{Endpoint: DefaultEndpoint, AuthorityHost: DefaultAuthorityHost, PageSize: DefaultPageSize, MaxPageBytes: DefaultMaxPageBytes}
}

func defaultCollection() Collection {
	return Collection{Timeout: DefaultTimeout, TimeoutOffset: DefaultTimeoutOffset, MaxConcurrencyPerTenant: DefaultMaxConcurrencyPerTenant, MaxWorkspacesPerTenant: DefaultMaxWorkspacesPerTenant, CacheTTL: DefaultCacheTTL}
}

func defaultActivity() Activity {
	return Activity{Lookback: DefaultActivityLookback, MaxSessions: DefaultActivityMaxSessions, Windows: DefaultActivityWindows()}
}

func TestLoadValid(t *testing.T) {
	tests := []struct {
		file string
		want *Config
	}{
		{
			file: "valid-sample.yml",
			want: &Config{
				Graph:      defaultGraph(),
				Windows:    windows(t, "1h", "1d", "7d", "30d"),
				Collection: defaultCollection(),
				Activity:   defaultActivity(),
				Tenants: []Tenant{{
					Name:             "contoso",
					TenantID:         "00000000-0000-0000-0000-000000000001",
					ClientID:         "00000000-0000-0000-0000-000000000002",
					Auth:             AuthClientSecret,
					ClientSecretFile: "/run/secrets/graph-client-secret",
					Workspaces:       []string{"default"},
				}},
			},
		},
		{
			file: "valid-minimal.yml",
			want: &Config{
				Graph:      defaultGraph(),
				Windows:    windows(t, "1h", "1d", "7d", "30d"),
				Collection: defaultCollection(),
				Activity:   defaultActivity(),
				Tenants: []Tenant{{
					Name:            "contoso",
					TenantID:        "00000000-0000-0000-0000-000000000001",
					ClientID:        "00000000-0000-0000-0000-000000000002",
					Auth:            AuthClientSecret,
					ClientSecretEnv: "GRAPH_CLIENT_SECRET",
				}},
			},
		},
		{
			file: "valid-full.yml",
			want: &Config{
				Graph: Graph{
					Endpoint:      "https://graph.microsoft.us/beta",   // trailing slash trimmed
					AuthorityHost: "https://login.microsoftonline.us/", // slash added
					PageSize:      250,
					MaxPageBytes:  8 << 20,
				},
				Windows: windows(t, "1h", "90m", "1w", "30d"), // sorted, labels kept
				Collection: Collection{
					Timeout:                 model.Duration(2 * time.Minute),
					TimeoutOffset:           model.Duration(time.Second),
					MaxConcurrencyPerTenant: 16,
					MaxWorkspacesPerTenant:  20,
					CacheTTL:                0,
				},
				Activity: Activity{
					Enabled:     true,
					Lookback:    model.Duration(48 * time.Hour),
					MaxSessions: 50,
					Windows:     windows(t, "30m", "6h", "2d"), // sorted, labels kept
				},
				Tenants: []Tenant{
					{
						Name:            "fabrikam.prod",
						TenantID:        "fabrikam.onmicrosoft.com",
						ClientID:        "00000000-0000-0000-0000-00000000000A",
						Auth:            AuthClientSecret,
						ClientSecretEnv: "FABRIKAM_SECRET",
						Workspaces:      []string{"default", "17aafe23-ab95-3b37-8b2f-6f3c4c1e0a11"},
						Activity:        &TenantActivity{Enabled: new(false), MaxSessions: new(500)},
					},
					{
						Name:             "fabrikam_lab",
						TenantID:         "FABRIKAM.onmicrosoft.com",
						ClientID:         "00000000-0000-0000-0000-00000000000b",
						Auth:             AuthClientSecret,
						ClientSecretFile: "/run/secrets/lab",
						Workspaces:       []string{"lab"},
					},
				},
			},
		},
		{
			file: "valid-auth-client-certificate.yml",
			want: &Config{
				Graph:      defaultGraph(),
				Windows:    windows(t, "1h", "1d", "7d", "30d"),
				Collection: defaultCollection(),
				Activity:   defaultActivity(),
				Tenants: []Tenant{{
					Name:                  "contoso",
					TenantID:              "00000000-0000-0000-0000-000000000001",
					ClientID:              "00000000-0000-0000-0000-000000000002",
					Auth:                  AuthClientCertificate,
					ClientCertificateFile: "/run/secrets/graph.pem",
				}},
			},
		},
		{
			file: "valid-auth-workload-identity.yml",
			want: &Config{
				Graph:      defaultGraph(),
				Windows:    windows(t, "1h", "1d", "7d", "30d"),
				Collection: defaultCollection(),
				Activity:   defaultActivity(),
				Tenants: []Tenant{
					{
						Name:               "aks",
						TenantID:           "00000000-0000-0000-0000-000000000001",
						ClientID:           "00000000-0000-0000-0000-000000000002",
						Auth:               AuthWorkloadIdentity,
						FederatedTokenFile: "/var/run/secrets/azure/tokens/azure-identity-token",
					},
					{
						Name:     "aks-env",
						TenantID: "00000000-0000-0000-0000-000000000003",
						Auth:     AuthWorkloadIdentity,
					},
				},
			},
		},
		{
			file: "valid-auth-managed-identity.yml",
			want: &Config{
				Graph:      defaultGraph(),
				Windows:    windows(t, "1h", "1d", "7d", "30d"),
				Collection: defaultCollection(),
				Activity:   defaultActivity(),
				Tenants: []Tenant{
					{Name: "system-assigned", TenantID: "00000000-0000-0000-0000-000000000001", Auth: AuthManagedIdentity},
					{Name: "user-assigned", TenantID: "00000000-0000-0000-0000-000000000003", ClientID: "00000000-0000-0000-0000-000000000004", Auth: AuthManagedIdentity},
				},
			},
		},
		{
			file: "valid-auth-azure-cli.yml",
			want: &Config{
				Graph:      defaultGraph(),
				Windows:    windows(t, "1h", "1d", "7d", "30d"),
				Collection: defaultCollection(),
				Activity:   defaultActivity(),
				Tenants: []Tenant{
					{Name: "dev", TenantID: "contoso.onmicrosoft.com", Auth: AuthAzureCLI, Workspaces: []string{"default"}},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if tt.want.Plugins == (Plugins{}) { // a file without a plugins section has the defaults
				tt.want.Plugins = Plugins{Interval: DefaultPluginsInterval}
			}
			got, err := Load(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Load mismatch\ngot:\n%s\nwant:\n%s", got, tt.want)
			}
			// A loaded config is already normalized: validating again must
			// neither fail nor change it.
			again := *got
			again.Windows = append([]Window(nil), got.Windows...)
			again.Tenants = append([]Tenant(nil), got.Tenants...)
			if err := again.Validate(); err != nil {
				t.Fatalf("Validate of loaded config: %v", err)
			}
			if !reflect.DeepEqual(&again, got) {
				t.Errorf("Validate changed a loaded config\ngot:\n%s\nwant:\n%s", &again, got)
			}
		})
	}
}

// Every valid file must come back unchanged through String and Parse, so the
// debug dump is a faithful, loadable configuration.
func TestStringRoundTrip(t *testing.T) {
	files, err := filepath.Glob("testdata/valid-*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no valid test files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Parse([]byte(cfg.String()), "dump.yml")
			if err != nil {
				t.Fatalf("Parse(String()): %v\n%s", err, cfg)
			}
			if !reflect.DeepEqual(again, cfg) {
				t.Errorf("round trip mismatch\ngot:\n%s\nwant:\n%s", again, cfg)
			}
		})
	}
}

func TestStringRendersLabelsAsWritten(t *testing.T) {
	cfg, err := Load("testdata/valid-full.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.String()
	for _, want := range []string{"- 1w\n", "- 90m\n", "timeout: 2m\n", "client_secret_env: FABRIKAM_SECRET\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() lacks %q:\n%s", want, s)
		}
	}
	if (*Config)(nil).String() != "<nil>" {
		t.Error("nil Config String")
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.yml")
	_, err := Load(path)
	if err == nil || !os.IsNotExist(unwrapAll(err)) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Load(%q) = %v, want a not-exist error naming the file", path, err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		next := u.Unwrap()
		if next == nil {
			return err
		}
		err = next
	}
}

func TestParseNullSectionsKeepDefaults(t *testing.T) {
	data := []byte(`graph:
windows:
collection: ~
tenants:
  - name: contoso
    tenant_id: contoso.onmicrosoft.com
    auth: azure_cli
`)
	cfg, err := Parse(data, "null.yml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Graph != defaultGraph() || cfg.Collection != defaultCollection() {
		t.Errorf("null sections lost defaults: %+v %+v", cfg.Graph, cfg.Collection)
	}
	if !reflect.DeepEqual(cfg.Windows, DefaultWindows()) {
		t.Errorf("windows = %v, want defaults", cfg.Windows)
	}
}

func TestDefault(t *testing.T) {
	d := Default()
	if len(d.Tenants) != 0 {
		t.Errorf("Default has tenants: %v", d.Tenants)
	}
	if got := d.Windows; !reflect.DeepEqual(got, windows(t, "1h", "1d", "7d", "30d")) {
		t.Errorf("Default windows = %v", got)
	}
	// Each call is independent; changing one must not leak into the next.
	d.Windows[0].Label = "changed"
	d.Graph.PageSize = 1
	if e := Default(); e.Windows[0].Label != "1h" || e.Graph.PageSize != DefaultPageSize {
		t.Error("Default shares state between calls")
	}
	// Without tenants the defaults are the only thing wrong.
	err := Default().Validate()
	if err == nil || err.Error() != "tenants: no tenants configured: at least one tenant is required" {
		t.Errorf("Default().Validate() = %v", err)
	}
}

func TestDeviceCodeIsInferredFromTheTokenCache(t *testing.T) {
	cfg, err := Load("testdata/valid-device-code.yml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Tenants[0].Auth; got != AuthDeviceCode {
		t.Errorf("auth %q, want %q inferred from token_cache_file", got, AuthDeviceCode)
	}
}
