package graphclient

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

func TestResolveWorkspaces(t *testing.T) {
	const guid = "17aafe23-ab95-3b37-8c4d-5e6f7a8b9c0d"
	for _, tc := range []struct {
		name           string
		ids            []string
		defaultID      string
		want           []string
		wantUnresolved bool
	}{
		{"default alone", []string{"default"}, guid, []string{guid}, false},
		{"default, then its id", []string{"default", guid}, guid, []string{guid}, false},
		{"its id, then default", []string{guid, "default"}, guid, []string{guid}, false},
		{"GUIDs differ in case only", []string{"17AAFE23-AB95-3B37-8C4D-5E6F7A8B9C0D", guid}, "", []string{"17AAFE23-AB95-3B37-8C4D-5E6F7A8B9C0D"}, false},
		{"names are not GUIDs: case matters", []string{"SOC", "soc"}, "", []string{"SOC", "soc"}, false},
		{"a listing repeats an item", []string{guid, "b", guid}, "", []string{guid, "b"}, false},
		{"unresolved default is left out", []string{"default", guid}, "", []string{guid}, true},
		{"a workspace really named default", []string{"default"}, "default", []string{"default"}, false},
		{"nothing", nil, guid, nil, false},
		{"Default is not the alias", []string{"Default"}, guid, []string{"Default"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, unresolved := ResolveWorkspaces(tc.ids, tc.defaultID)
			if !slices.Equal(got, tc.want) || unresolved != tc.wantUnresolved {
				t.Errorf("ResolveWorkspaces(%q, %q) = %q, %v; want %q, %v", tc.ids, tc.defaultID, got, unresolved, tc.want, tc.wantUnresolved)
			}
		})
	}
}

func TestGetWorkspaceResolvesTheAliasInOneRequest(t *testing.T) {
	const guid = "17aafe23-ab95-3b37-8c4d-5e6f7a8b9c0d"
	sim, err := azuresim.New(azuresim.Options{Tenants: []azuresim.Tenant{{
		ID: testTenantID, ClientID: testClientID, ClientSecret: testSecret,
		Workspaces: []azuresim.Workspace{{ID: guid, DisplayName: "SecurityCopilot_Workspace", Default: true}, {ID: "other"}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretFile: secretFile(t, testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	sim.ResetStats()
	w, err := sc.client.GetWorkspace(context.Background(), DefaultWorkspace)
	if err != nil || w.ID != guid || w.DisplayName != "SecurityCopilot_Workspace" {
		t.Fatalf("GetWorkspace(default) = %+v, %v", w, err)
	}
	if n := sim.Stats().GraphRequests; n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	_, err = sc.client.GetWorkspace(context.Background(), "missing")
	var ge *Error
	if !errors.As(err, &ge) || ge.Status != 404 {
		t.Errorf("missing workspace: %v", err)
	}
	if _, err := sc.client.GetWorkspace(context.Background(), ".."); err == nil {
		t.Error(`workspace ".." accepted`)
	}
}
