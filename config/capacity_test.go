package config

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Each file under testdata/capacity breaks exactly one rule of the capacity
// sections and must fail with exactly this error.
func TestLoadInvalidCapacity(t *testing.T) {
	const (
		sub = "11111111-1111-1111-1111-111111111111"
		res = "/subscriptions/" + sub + "/resourceGroups/rg-scu/providers/Microsoft.SecurityCopilot/capacities/scu-prod"
	)
	tests := []struct {
		file string
		want string
	}{
		{"invalid-endpoint-http.yml", `capacity.endpoint: "http://management.azure.com" must be an absolute https URL: bearer tokens must never be sent over plain HTTP`},
		{"invalid-endpoint-path.yml", `capacity.endpoint: "https://management.azure.com/subscriptions" must be a bare host such as "https://management.azure.com", without a path`},
		{"invalid-api-version.yml", `capacity.api_version: "latest" is not an api-version such as "2024-11-01-preview"`},
		{"invalid-global-subscriptions.yml", "capacity.subscriptions: line 2: unknown key; the keys here are api_version, endpoint"},
		{"invalid-unknown-key.yml", "tenants[0].capacity.subscription: line 7: unknown key; the keys here are resources, subscriptions\ntestdata/capacity/invalid-unknown-key.yml: tenants[0].capacity: lists no subscriptions and no resources; list at least one, or remove the key"},
		{"invalid-empty.yml", "tenants[0].capacity: lists no subscriptions and no resources; list at least one, or remove the key"},
		{"invalid-subscription.yml", `tenants[0].capacity.subscriptions[0]: "my-subscription" is not a subscription id (a GUID)`},
		{"invalid-subscription-duplicate.yml", "tenants[0].capacity.subscriptions[1]: duplicate of subscriptions[0]"},
		{"invalid-resource-type.yml", "tenants[0].capacity.resources[0]: not a capacity resource id of the form /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.SecurityCopilot/capacities/{name}"},
		{"invalid-resource-name.yml", "tenants[0].capacity.resources[0]: the capacity name must match ^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$"},
		{"invalid-resource-in-subscription.yml", "tenants[0].capacity.resources[0]: already read through subscriptions[0]; remove one of them"},
		{"invalid-resource-duplicate.yml", "tenants[0].capacity.resources[1]: duplicate of resources[0]"},
		{"invalid-overlap.yml", `tenants[1].capacity: resource ` + res + ` is also read by tenants[0] ("contoso"), so its capacities would be exported twice`},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "capacity", tt.file)
			cfg, err := Load(path)
			if err == nil {
				t.Fatalf("Load succeeded, want %q; config:\n%s", tt.want, cfg)
			}
			if got, want := err.Error(), path+": "+tt.want; got != want {
				t.Fatalf("error mismatch\ngot:  %s\nwant: %s", got, want)
			}
		})
	}
	files, err := filepath.Glob("testdata/capacity/invalid-*.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("%s has no row in TestLoadInvalidCapacity", f)
		}
	}
}

// A valid file is normalized: the endpoint loses its slash, subscription ids
// are lower-cased, resource ids are kept as written; a tenant without the
// section stays without it.
func TestLoadCapacity(t *testing.T) {
	cfg, err := Load("testdata/capacity/valid.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := Capacity{Endpoint: "https://management.usgovcloudapi.net", APIVersion: "2023-12-01-preview"}
	if cfg.Capacity != want {
		t.Errorf("capacity = %+v, want %+v", cfg.Capacity, want)
	}
	wantTenant := &TenantCapacity{
		Subscriptions: []string{"aaaaaaaa-1111-1111-1111-111111111111"},
		Resources:     []string{"/subscriptions/22222222-2222-2222-2222-222222222222/resourcegroups/RG-scu/providers/microsoft.securitycopilot/capacities/scu-prod"},
	}
	if got := cfg.Tenants[0].Capacity; !reflect.DeepEqual(got, wantTenant) {
		t.Errorf("tenants[0].capacity = %+v, want %+v", got, wantTenant)
	}
	if cfg.Tenants[1].Capacity.Enabled() {
		t.Error("tenants[1] has no capacity section but reads capacities")
	}
}

// Without the section nothing changes: the defaults apply and no tenant
// reads capacities.
func TestCapacityDefaults(t *testing.T) {
	cfg, err := Load("testdata/valid-minimal.yml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Capacity.EndpointOrDefault(); got != "https://management.azure.com" {
		t.Errorf("endpoint = %q", got)
	}
	if got := cfg.Capacity.APIVersionOrDefault(); got != "2024-11-01-preview" {
		t.Errorf("api version = %q", got)
	}
	for _, tc := range cfg.Tenants {
		if tc.Capacity.Enabled() {
			t.Errorf("tenant %q reads capacities by default", tc.Name)
		}
	}
	if strings.Contains(cfg.String(), "capacity") {
		t.Errorf("the dump of a configuration without capacity mentions it:\n%s", cfg)
	}
}

func TestParseCapacityID(t *testing.T) {
	good := "/SUBSCRIPTIONS/AAAAAAAA-1111-1111-1111-111111111111/resourcegroups/Rg.(x)_1/PROVIDERS/microsoft.securitycopilot/CAPACITIES/Scu-1"
	id, err := ParseCapacityID(good)
	if err != nil {
		t.Fatal(err)
	}
	want := CapacityID{Subscription: "aaaaaaaa-1111-1111-1111-111111111111", ResourceGroup: "Rg.(x)_1", Name: "Scu-1"}
	if id != want {
		t.Errorf("id = %+v, want %+v", id, want)
	}
	if got := id.String(); got != "/subscriptions/aaaaaaaa-1111-1111-1111-111111111111/resourceGroups/Rg.(x)_1/providers/Microsoft.SecurityCopilot/capacities/Scu-1" {
		t.Errorf("String() = %q", got)
	}
	const prefix = "/subscriptions/aaaaaaaa-1111-1111-1111-111111111111/resourceGroups/"
	for _, bad := range []string{
		"", "/", good + "/", "subscriptions/x",
		"/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.SecurityCopilot/capacities/a",
		prefix + "rg./providers/Microsoft.SecurityCopilot/capacities/a",
		prefix + "/providers/Microsoft.SecurityCopilot/capacities/a",
		prefix + "rg/providers/Microsoft.SecurityCopilot/capacities/",
		prefix + "rg/providers/Microsoft.SecurityCopilot/capacities/a%2Fb",
		prefix + "rg/providers/Microsoft.SecurityCopilot/workspaces/a",
		prefix + "r g/providers/Microsoft.SecurityCopilot/capacities/a",
	} {
		if id, err := ParseCapacityID(bad); err == nil {
			t.Errorf("ParseCapacityID(%q) = %+v, want an error", bad, id)
		}
	}
}
