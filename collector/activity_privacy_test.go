package collector

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// bodySniffer keeps every response body the exporter reads, to check what
// reached the process, whatever the request log says was asked.
type bodySniffer struct {
	next http.RoundTripper
	mu   sync.Mutex
	all  bytes.Buffer
}

func (s *bodySniffer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	s.mu.Lock()
	s.all.Write(body)
	s.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, err
}

func (s *bodySniffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.all.String()
}

// The exporter must never ask for a prompt's content or an evaluation's
// result content: every activity request selects its properties, and none
// selects content, result or everything.
func TestActivityNeverRequestsContent(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults azuresim.Faults
	}{
		{name: "batched"},
		{name: "refuses $batch", faults: azuresim.Faults{BatchUnsupported: 400}},
		{name: "ignores $expand", faults: azuresim.Faults{Expand: azuresim.ExpandIgnored}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tenant := activityTenant(0, "s3cret-value-for-tests", map[string]int{"default": 800, "small": 20})
			f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
			f.enableActivity(nil)
			sniffer := &bodySniffer{next: f.sim.Transport()}
			f.useTransport(sniffer)
			f.sim.SetFaults(tc.faults)
			var exported strings.Builder
			for range 2 {
				fams := f.scrape()
				for _, ws := range tenant.Workspaces {
					f.assertActivity(fams, "tenant0", ws.ID, activityTruth(t, f.sim, tenant.ID, ws.ID, f.cfg.Activity))
				}
				for name, fam := range fams {
					exported.WriteString(name + fam.String())
				}
			}
			prompts, evaluations := 0, 0
			for _, r := range f.sim.Requests() {
				q, err := url.ParseQuery(r.RawQuery)
				if err != nil {
					t.Fatalf("%s: %v", r.RawQuery, err)
				}
				selected := q.Get("$select")
				if expand := q.Get("$expand"); expand != "" {
					// Prompts expanded in a session listing: the nested
					// $select is what keeps their content out.
					inner, ok := strings.CutPrefix(expand, "prompts($select=")
					selected, _, _ = strings.Cut(inner, ";")
					if !ok {
						t.Errorf("%s?%s expands without a nested $select", r.Path, r.RawQuery)
					}
				} else if !strings.Contains(r.Path, "/prompts") {
					continue
				}
				sel := strings.Split(selected, ",")
				if selected == "" {
					t.Errorf("%s?%s has no $select: the service would send every property", r.Path, r.RawQuery)
				}
				for _, forbidden := range []string{"content", "result", "result/content", "*"} {
					if slices.Contains(sel, forbidden) {
						t.Errorf("%s?%s selects %q", r.Path, r.RawQuery, forbidden)
					}
				}
				if strings.HasSuffix(r.Path, "/evaluations") {
					evaluations++
					if !slices.Contains(sel, "result/type") {
						t.Errorf("%s?%s does not select result/type", r.Path, r.RawQuery)
					}
				} else {
					prompts++
				}
			}
			if prompts == 0 || evaluations == 0 {
				t.Fatalf("saw %d prompt and %d evaluation requests: nothing was checked", prompts, evaluations)
			}
			for _, secret := range []string{"PROMPT-CONTENT-", "RESULT-CONTENT-"} {
				if strings.Contains(sniffer.String(), secret) {
					t.Errorf("a Graph answer the exporter read carried %s…", secret)
				}
				if strings.Contains(exported.String(), secret) || strings.Contains(f.logs.String(), secret) {
					t.Errorf("%s… appears in the metrics or the logs", secret)
				}
			}
		})
	}
}

// The sniffer must see content when it is served, or the test above would
// pass for the wrong reason.
func TestBodySnifferSeesContentWhenServed(t *testing.T) {
	tenant := activityTenant(0, "s3cret-value-for-tests", map[string]int{"default": 200})
	f := newFixture(t, azuresim.Options{Tenants: []azuresim.Tenant{tenant}}, 1000)
	sniffer := &bodySniffer{next: f.sim.Transport()}
	sessions, err := f.sim.Sessions(tenant.ID, "default")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sessions {
		prompts, _ := f.sim.Prompts(tenant.ID, "default", s.ID)
		if len(prompts) == 0 || len(prompts[0].Evaluations) == 0 || prompts[0].Evaluations[0].ResultType == "" {
			continue
		}
		base := f.sim.GraphEndpoint() + "/security/securityCopilot/workspaces/default/sessions/" + s.ID + "/prompts"
		for _, u := range []string{base, base + "/" + prompts[0].ID + "/evaluations"} {
			f.getWithToken(sniffer, u)
		}
		for _, secret := range []string{"PROMPT-CONTENT-", "RESULT-CONTENT-"} {
			if !strings.Contains(sniffer.String(), secret) {
				t.Errorf("without $select the sniffer saw no %s…", secret)
			}
		}
		return
	}
	t.Fatal("no session with a prompt and a result to read")
}

// getWithToken GETs u through rt with a token from the simulated Entra ID,
// asking for no $select at all.
func (f *fixture) getWithToken(rt http.RoundTripper, u string) {
	f.t.Helper()
	client := &http.Client{Transport: rt}
	tenant := f.opts.Tenants[0]
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {tenant.ClientID},
		"client_secret": {tenant.ClientSecret}, "scope": {f.sim.Scope()}}
	resp, err := client.PostForm(f.sim.AuthorityHost()+tenant.ID+"/oauth2/v2.0/token", form)
	if err != nil {
		f.t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	_ = resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		f.t.Fatalf("token: %v (HTTP %d)", err, resp.StatusCode)
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("GET %s: HTTP %d", u, resp.StatusCode)
	}
}
