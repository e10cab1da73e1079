package signin

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// endless answers every request 200 with a body that never ends.
type endless struct{}

func (endless) Do(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(infinite{}), Request: r}, nil
}

type infinite struct{}

func (infinite) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestEndlessAnswerIsCut(t *testing.T) {
	_, err := Login(context.Background(), LoginOptions{
		Settings: Settings{Tenant: "contoso", TenantID: "00000000-0000-4000-8000-000000000001", ClientID: "00000000-0000-4000-8000-000000000002",
			CacheFile: filepath.Join(t.TempDir(), "c.json"), AuthorityHost: "https://entra.invalid/", DisableInstanceDiscovery: true, Transport: endless{}},
		Scope: "https://graph.invalid/.default",
	})
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v, want the answer cut at the cap", err)
	}
}
