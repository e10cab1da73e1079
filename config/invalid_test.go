package config

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
)

// Each invalid file breaks exactly one rule and must fail with exactly this
// error text (after the "testdata/" directory the loader is given).
func TestLoadInvalid(t *testing.T) {
	const allowedAuth = "client_secret, client_certificate, workload_identity, managed_identity, azure_cli, device_code"
	tests := []struct {
		file string
		want string
	}{
		// Decoding.
		{"invalid-unknown-key.yml", "invalid-unknown-key.yml: graph.endpont: line 2: unknown key; the keys here are authority_host, endpoint, max_page_bytes, page_size"},
		{"invalid-unknown-tenant-key.yml", "invalid-unknown-tenant-key.yml: tenants[0].client_secret: line 6: unknown key; the keys here are activity, audit, auth, capacity, client_certificate_file, client_id, client_secret_env, client_secret_file, federated_token_file, name, plugins, tenant_id, token_cache_file, workspaces"},
		{"invalid-syntax.yml", "invalid-syntax.yml: yaml: line 1: did not find expected ',' or ']'"},
		{"invalid-duplicate-key.yml", "invalid-duplicate-key.yml: windows: line 2: the key is repeated (first at line 1)"},
		{"invalid-top-level-list.yml", "invalid-top-level-list.yml: line 1: the file holds a list, not a mapping of settings"},
		{"invalid-multiple-documents.yml", "invalid-multiple-documents.yml: the file holds more than one YAML document; put the whole configuration in one"},
		{"invalid-empty.yml", "invalid-empty.yml: tenants: no tenants configured: at least one tenant is required"},

		// graph.
		{"invalid-endpoint-http.yml", `invalid-endpoint-http.yml: graph.endpoint: "http://graph.microsoft.com/beta" must be an absolute https URL: bearer tokens must never be sent over plain HTTP`},
		{"invalid-endpoint-no-host.yml", `invalid-endpoint-no-host.yml: graph.endpoint: "https:///beta" has no host`},
		{"invalid-endpoint-query.yml", `invalid-endpoint-query.yml: graph.endpoint: "https://graph.microsoft.com/beta?x=1" must not have a query`},
		{"invalid-endpoint-empty.yml", `invalid-endpoint-empty.yml: graph.endpoint: required`},
		{"invalid-authority-http.yml", `invalid-authority-http.yml: graph.authority_host: "http://login.microsoftonline.com/" must be an absolute https URL`},
		{"invalid-authority-path.yml", `invalid-authority-path.yml: graph.authority_host: "https://login.microsoftonline.com/common/" must be a bare host such as "https://login.microsoftonline.com/", without a path`},
		{"invalid-page-size-negative.yml", "invalid-page-size-negative.yml: graph.page_size: -1 is out of range 1..10000"},
		{"invalid-page-size-too-large.yml", "invalid-page-size-too-large.yml: graph.page_size: 10001 is out of range 1..10000"},
		{"invalid-max-page-bytes-small.yml", "invalid-max-page-bytes-small.yml: graph.max_page_bytes: 1024 is out of range 65536..268435456"},
		{"invalid-max-page-bytes-fraction.yml", "invalid-max-page-bytes-fraction.yml: graph.max_page_bytes: line 2: want a whole number, got 33554432.5"},

		// windows.
		{"invalid-windows-empty.yml", "invalid-windows-empty.yml: windows: empty list: list at least one window, or remove the key to use the defaults [1h 1d 7d 30d]"},
		{"invalid-window-negative.yml", `invalid-window-negative.yml: windows[2]: "-5m" is not a positive duration`},
		{"invalid-window-zero.yml", `invalid-window-zero.yml: windows[0]: "0s" is not a positive duration`},
		{"invalid-window-syntax.yml", `invalid-window-syntax.yml: windows[0]: "7days" is not a valid duration (want Prometheus notation such as 90m, 1h, 7d): unknown unit "days" in duration "7days"`},
		{"invalid-window-too-long.yml", `invalid-window-too-long.yml: windows[0]: "11y" is longer than the maximum of 10y`},
		{"invalid-window-duplicate.yml", `invalid-window-duplicate.yml: windows[2]: "24h" is the same duration as windows[0] "1d"`},
		{"invalid-window-mapping.yml", `invalid-window-mapping.yml: windows[0]: line 1: each window must be a duration such as "7d", not a list or mapping`},

		// collection.
		{"invalid-timeout-zero.yml", "invalid-timeout-zero.yml: collection.timeout: 0s is not a positive duration"},
		{"invalid-timeout-too-long.yml", "invalid-timeout-too-long.yml: collection.timeout: 11m is longer than the maximum of 10m"},
		{"invalid-timeout-syntax.yml", `invalid-timeout-syntax.yml: collection.timeout: line 2: "30 seconds" is not a valid duration (want Prometheus notation such as 500ms, 30s, 1m): unknown unit " seconds" in duration "30 seconds"`},
		{"invalid-timeout-offset-negative.yml", `invalid-timeout-offset-negative.yml: collection.timeout_offset: line 2: "-1s" must not be negative`},
		{"invalid-timeout-offset.yml", "invalid-timeout-offset.yml: collection.timeout_offset: 30s must be less than collection.timeout (30s)"},
		{"invalid-concurrency-zero.yml", "invalid-concurrency-zero.yml: collection.max_concurrency_per_tenant: 0 is out of range 1..64"},
		{"invalid-cache-ttl-negative.yml", `invalid-cache-ttl-negative.yml: collection.cache_ttl: line 2: "-1s" must not be negative`},
		{"invalid-cache-ttl-too-long.yml", "invalid-cache-ttl-too-long.yml: collection.cache_ttl: 2h is longer than the maximum of 1h"},
		{"invalid-concurrency-too-large.yml", "invalid-concurrency-too-large.yml: collection.max_concurrency_per_tenant: 65 is out of range 1..64"},

		// activity.
		{"invalid-activity-window-beyond-lookback.yml", `invalid-activity-window-beyond-lookback.yml: activity.windows[1]: "1d" is longer than activity.lookback (1h): prompts of sessions older than the lookback are not read`},
		{"invalid-activity-lookback-too-long.yml", "invalid-activity-lookback-too-long.yml: activity.lookback: 60d is longer than the maximum of 30d"},
		{"invalid-activity-lookback-syntax.yml", `invalid-activity-lookback-syntax.yml: activity.lookback: line 2: "1 day" is not a valid duration (want Prometheus notation such as 500ms, 30s, 1m): unknown unit " day" in duration "1 day"`},
		{"invalid-activity-max-sessions-zero.yml", "invalid-activity-max-sessions-zero.yml: activity.max_sessions: 0 is out of range 1..10000"},
		{"invalid-activity-windows-empty.yml", "invalid-activity-windows-empty.yml: activity.windows: empty list: list at least one window, or remove the key to use the defaults [1h 1d]"},
		{"invalid-activity-tenant-max-sessions.yml", "invalid-activity-tenant-max-sessions.yml: tenants[0].activity.max_sessions: 20000 is out of range 1..10000"},
		{"invalid-activity-tenant-lookback.yml", "invalid-activity-tenant-lookback.yml: tenants[0].activity.lookback: line 7: unknown key; the keys here are enabled, max_sessions"},

		// tenants.
		{"invalid-no-tenants.yml", "invalid-no-tenants.yml: tenants: no tenants configured: at least one tenant is required"},
		{"invalid-tenant-name.yml", `invalid-tenant-name.yml: tenants[0].name: "-contoso" must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`},
		{"invalid-tenant-name-missing.yml", "invalid-tenant-name-missing.yml: tenants[0].name: required"},
		{"invalid-tenant-name-duplicate.yml", `invalid-tenant-name-duplicate.yml: tenants[2].name: duplicate of tenants[0].name "contoso"`},
		{"invalid-tenant-id.yml", `invalid-tenant-id.yml: tenants[1].tenant_id: "abc" is neither a GUID nor a domain name`},
		{"invalid-tenant-id-missing.yml", "invalid-tenant-id-missing.yml: tenants[0].tenant_id: required"},
		{"invalid-tenant-overlap-discover.yml", `invalid-tenant-overlap-discover.yml: tenants[1]: tenant_id "00000000-0000-0000-0000-000000000001" is also used by tenants[0] ("contoso") and at least one of them discovers all workspaces, so both would export the same sessions`},
		{"invalid-tenant-overlap-workspaces.yml", `invalid-tenant-overlap-workspaces.yml: tenants[1]: workspaces ["b"] are also collected by tenants[0] ("contoso") of the same tenant_id "00000000-0000-0000-0000-000000000001", so they would be exported twice`},
		{"invalid-client-id.yml", "invalid-client-id.yml: tenants[0].client_id: not a GUID"},
		{"invalid-client-id-missing.yml", "invalid-client-id-missing.yml: tenants[0].client_id: required by auth client_certificate"},
		{"invalid-client-id-azure-cli.yml", "invalid-client-id-azure-cli.yml: tenants[0].client_id: must be empty for auth azure_cli"},

		// auth.
		{"invalid-auth-unknown.yml", `invalid-auth-unknown.yml: tenants[0].auth: "password" is not supported; use one of ` + allowedAuth},
		{"invalid-auth-not-inferable.yml", "invalid-auth-not-inferable.yml: tenants[0].auth: not set and cannot be inferred: set auth to one of " + allowedAuth},
		{"invalid-auth-ambiguous.yml", "invalid-auth-ambiguous.yml: tenants[0].auth: cannot be inferred because client_secret_file and client_certificate_file are set together; set auth to one of " + allowedAuth},
		{"invalid-auth-secret-both.yml", "invalid-auth-secret-both.yml: tenants[0]: client_secret_file and client_secret_env are both set; auth client_secret needs exactly one"},
		{"invalid-auth-secret-missing.yml", "invalid-auth-secret-missing.yml: tenants[0]: auth client_secret needs client_secret_file or client_secret_env"},
		{"invalid-auth-foreign-field.yml", "invalid-auth-foreign-field.yml: tenants[0].client_certificate_file: not used by auth client_secret (it belongs to auth client_certificate); remove it"},
		{"invalid-auth-certificate-missing.yml", "invalid-auth-certificate-missing.yml: tenants[0].client_certificate_file: required by auth client_certificate"},
		{"invalid-auth-device-code-cache-missing.yml", "invalid-auth-device-code-cache-missing.yml: tenants[0].token_cache_file: required by auth device_code: the file (on a writable, persistent volume) where the sign-in keeps its refresh token"},
		{"invalid-auth-device-code-client-id-missing.yml", "invalid-auth-device-code-client-id-missing.yml: tenants[0].client_id: required by auth device_code"},
		{"invalid-auth-token-cache-foreign.yml", "invalid-auth-token-cache-foreign.yml: tenants[0].token_cache_file: not used by auth client_secret (it belongs to auth device_code); remove it"},
		{"invalid-auth-managed-identity-token-file.yml", "invalid-auth-managed-identity-token-file.yml: tenants[0].federated_token_file: not used by auth managed_identity (it belongs to auth workload_identity); remove it"},
		{"invalid-client-secret-env-name.yml", "invalid-client-secret-env-name.yml: tenants[0].client_secret_env: not a valid environment variable name (must match ^[A-Za-z_][A-Za-z0-9_]*$)"},

		// workspaces.
		{"invalid-workspace-empty.yml", "invalid-workspace-empty.yml: tenants[0].workspaces[1]: empty workspace id"},
		{"invalid-workspace-dotdot.yml", `invalid-workspace-dotdot.yml: tenants[0].workspaces[0]: ".." is not a workspace id: want "default" or the id Graph lists, a GUID (letters, digits, '-', '_' and '.', starting with a letter or digit)`},
		{"invalid-workspace-control.yml", `invalid-workspace-control.yml: tenants[0].workspaces[0]: "a\tb" is not a workspace id`},
		{"invalid-workspace-too-long.yml", "invalid-workspace-too-long.yml: tenants[0].workspaces[0]: workspace id is 257 bytes long, the maximum is 128"},
		{"invalid-workspace-path.yml", `invalid-workspace-path.yml: tenants[0].workspaces[0]: "team/a b?#%" is not a workspace id`},
		{"invalid-workspaces-too-many.yml", "invalid-workspaces-too-many.yml: tenants[0].workspaces: lists 3 workspaces, more than collection.max_workspaces_per_tenant (2)"},
		{"invalid-max-workspaces-zero.yml", "invalid-max-workspaces-zero.yml: collection.max_workspaces_per_tenant: 0 is out of range 1..1000"},

		// numbers: a count is a whole number; yaml would truncate 1.9 to 1.
		{"invalid-page-size-fraction.yml", "invalid-page-size-fraction.yml: graph.page_size: line 2: want a whole number, got 1.9"},
		{"invalid-concurrency-fraction.yml", "invalid-concurrency-fraction.yml: collection.max_concurrency_per_tenant: line 2: want a whole number, got 4.99"},
		{"invalid-activity-max-sessions-exponent.yml", "invalid-activity-max-sessions-exponent.yml: activity.max_sessions: line 2: want a whole number, got 1e3"},
		{"invalid-activity-tenant-max-sessions-fraction.yml", "invalid-activity-tenant-max-sessions-fraction.yml: tenants[0].activity.max_sessions: line 7: want a whole number, got 2.5"},

		// every error names its full key path.
		{"invalid-cache-ttl-mapping.yml", "invalid-cache-ttl-mapping.yml: collection.cache_ttl: line 2: want a string, got a mapping"},
		{"invalid-cache-ttl-flow-mapping.yml", "invalid-cache-ttl-flow-mapping.yml: collection.cache_ttl: line 1: want a string, got a mapping"},
		{"invalid-activity-window-mapping.yml", `invalid-activity-window-mapping.yml: activity.windows[1]: line 3: each window must be a duration such as "7d", not a list or mapping`},
		{"invalid-workspace-list.yml", "invalid-workspace-list.yml: tenants[0].workspaces[0]: line 6: want a string, got a list"},
		{"invalid-workspace-duplicate.yml", `invalid-workspace-duplicate.yml: tenants[0].workspaces[2]: duplicate of workspaces[0] "default"`},
	}

	covered := make(map[string]bool, len(tests))
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			cfg, err := Load(filepath.Join("testdata", tt.file))
			if err == nil {
				t.Fatalf("Load succeeded, want error containing %q; config:\n%s", tt.want, cfg)
			}
			if cfg != nil {
				t.Errorf("Load returned a config along with error %v", err)
			}
			got := err.Error()
			if !strings.Contains(got, tt.want) {
				t.Fatalf("error mismatch\ngot:  %s\nwant: %s", got, tt.want)
			}
			// One rule per file: the expected error must be the only one.
			if n := strings.Count(got, tt.file+":"); n != 1 {
				t.Errorf("want exactly one error, got %d:\n%s", n, got)
			}
		})
	}

	// Every invalid-*.yml must have a row, so none is silently untested.
	files, err := filepath.Glob("testdata/invalid-*.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("%s has no row in TestLoadInvalid", f)
		}
	}
}

// All validation problems are reported at once, one per line, each naming
// the file and its key path.
func TestParseCollectsAllErrors(t *testing.T) {
	data := []byte(`graph:
  endpoint: http://graph.microsoft.com/beta
  page_size: -5
windows: [1h, -5m, 60m]
collection:
  timeout: 0s
tenants:
  - name: contoso
    tenant_id: abc
    client_id: 00000000-0000-0000-0000-000000000002
    client_secret_file: /run/secrets/s
  - name: contoso
    tenant_id: 00000000-0000-0000-0000-000000000001
`)
	_, err := Parse(data, "config.yml")
	if err == nil {
		t.Fatal("Parse succeeded")
	}
	want := []string{
		`config.yml: graph.endpoint: "http://graph.microsoft.com/beta" must be an absolute https URL: bearer tokens must never be sent over plain HTTP`,
		`config.yml: graph.page_size: -5 is out of range 1..10000`,
		`config.yml: windows[1]: "-5m" is not a positive duration`,
		`config.yml: windows[2]: "60m" is the same duration as windows[0] "1h"`,
		`config.yml: collection.timeout: 0s is not a positive duration`,
		`config.yml: tenants[0].tenant_id: "abc" is neither a GUID nor a domain name`,
		`config.yml: tenants[1].auth: not set and cannot be inferred: set auth to one of client_secret, client_certificate, workload_identity, managed_identity, azure_cli, device_code, or set one of client_secret_file, client_secret_env, client_certificate_file, federated_token_file, token_cache_file`,
		`config.yml: tenants[1].name: duplicate of tenants[0].name "contoso"`,
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors mismatch\ngot:\n%s\nwant:\n%s", err, strings.Join(want, "\n"))
	}
}

// Durations of model.Duration fields are reported with key path and line,
// all at once, including through YAML aliases.
func TestParseDurationErrors(t *testing.T) {
	data := []byte(`x-bad: &bad 5
collection:
  timeout: *bad
  timeout_offset: 1x
`)
	_, err := Parse(data, "config.yml")
	want := `config.yml: collection.timeout: line 1: "5" is not a valid duration (want Prometheus notation such as 500ms, 30s, 1m): not a valid duration string: "5"
config.yml: collection.timeout_offset: line 4: "1x" is not a valid duration (want Prometheus notation such as 500ms, 30s, 1m): unknown unit "x" in duration "1x"
config.yml: x-bad: line 1: unknown key; the keys here are activity, capacity, collection, graph, plugins, tenants, windows
config.yml: tenants: no tenants configured: at least one tenant is required`
	if err == nil || err.Error() != want {
		t.Fatalf("got:\n%v\nwant:\n%s", err, want)
	}
}

// durationKeys must cover every model.Duration field, or a bad value there
// would be reported without its key path.
func TestDurationKeysCoverAllDurationFields(t *testing.T) {
	var found [][]string
	var walk func(typ reflect.Type, path []string)
	walk = func(typ reflect.Type, path []string) {
		for f := range typ.Fields() {
			key := strings.Split(f.Tag.Get("yaml"), ",")[0]
			p := append(append([]string(nil), path...), key)
			switch {
			case f.Type == reflect.TypeFor[model.Duration]():
				found = append(found, p)
			case f.Type.Kind() == reflect.Struct:
				walk(f.Type, p)
			case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct:
				walk(f.Type.Elem(), p)
			}
		}
	}
	walk(reflect.TypeFor[Config](), nil)
	if !reflect.DeepEqual(found, durationKeys()) {
		t.Errorf("model.Duration fields %q, durationKeys %q", found, durationKeys())
	}
}

// Unknown keys, values of the wrong type and invalid values are reported
// together, each with its key path and line.
func TestParseReportsEveryDecodeError(t *testing.T) {
	data := []byte(`graph:
  page_size: many
windows: 1h
tenants:
  - name: contoso
    workspace: default
    tenant_id: 00000000-0000-4000-8000-000000000001
    client_id: 00000000-0000-4000-8000-000000000002
    client_secret_env: [A, B]
    activity:
      enabled: 3
`)
	_, err := Parse(data, "config.yml")
	want := `config.yml: tenants[0].workspace: line 6: unknown key; the keys here are activity, audit, auth, capacity, client_certificate_file, client_id, client_secret_env, client_secret_file, federated_token_file, name, plugins, tenant_id, token_cache_file, workspaces
config.yml: graph.page_size: line 2: want a whole number, got a string
config.yml: windows: line 3: want a list, got a string
config.yml: tenants[0].client_secret_env: line 9: want a string, got a list
config.yml: tenants[0].activity.enabled: line 11: want true or false, got a whole number`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got:\n%v\nwant first:\n%s", err, want)
	}
}
