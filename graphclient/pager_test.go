package graphclient

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

func simClientFor(t *testing.T, sessions int) *simClient {
	t.Helper()
	sc, err := newSimClient(t, startSim(t, sessions), config.Tenant{Auth: config.AuthClientSecret, ClientSecretFile: secretFile(t, testSecret+"\n")})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// tops returns the $top of every session listing the simulator answered
// since the last call, and the status of each, then forgets them.
func tops(sim *azuresim.Server) (asked []string, statuses []int) {
	for _, r := range sim.Requests() {
		if !strings.HasSuffix(r.Path, "/sessions") {
			continue
		}
		q, _ := url.ParseQuery(r.RawQuery)
		if q.Has("$skiptoken") {
			continue
		}
		asked, statuses = append(asked, q.Get("$top")), append(statuses, r.Status)
	}
	sim.ResetStats()
	return asked, statuses
}

func TestPagerFollowsEmptyPagesOfEveryCollection(t *testing.T) {
	sc := simClientFor(t, 123)
	sc.sim.SetFaults(azuresim.Faults{Listing: azuresim.ListingQuirks{EmptyPages: true}})
	res, n, err := listAll(context.Background(), sc.client)
	if err != nil || n != 123 || res.Count != 123 || res.Pages != 6 {
		t.Fatalf("sessions: %d in %d pages (count %d), %v; want 123 in 6", n, res.Pages, res.Count, err)
	}
	ws, err := sc.client.ListWorkspaces(context.Background())
	if err != nil || len(ws) != 1 {
		t.Fatalf("workspaces: %v, %v", ws, err)
	}
	refs, err := sc.client.Reader().ListSessionRefs(context.Background(), "default", []Filter{nil}, 1000)
	if err != nil || len(refs[0]) != 123 {
		t.Fatalf("session refs: %d, %v", len(refs[0]), err)
	}
}

func TestPagerLearnsTheLargestTop(t *testing.T) {
	for _, tc := range []struct {
		name  string
		named bool
		first []string // the $tops of the first listing's first pages
	}{
		// Named: the named maximum is tried, and answered.
		{"named in the message", true, []string{"1000", "20"}},
		// Unnamed: $top=1 shows the $top is at fault, halving finds a $top
		// answered (15), and narrowing the gap to 31 finds 20.
		{"by halving", false, []string{"1000", "1", "500", "250", "125", "62", "31", "15", "23", "19", "21", "20"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			sc := simClientFor(t, 123)
			sc.client.logger = slog.New(slog.NewTextHandler(&logs, nil))
			sc.sim.SetFaults(azuresim.Faults{Listing: azuresim.ListingQuirks{MaxTop: 20, MaxTopNamed: tc.named}})
			sc.sim.ResetStats()
			for i := range 2 {
				res, n, err := listAll(context.Background(), sc.client)
				if err != nil || n != 123 || res.Count != 123 {
					t.Fatalf("listing %d: %d sessions (count %d), %v", i+1, n, res.Count, err)
				}
				asked, _ := tops(sc.sim)
				want := tc.first
				if i > 0 {
					want = []string{"20"} // remembered
				}
				if strings.Join(asked, " ") != strings.Join(want, " ") {
					t.Errorf("listing %d asked $top %v, want %v", i+1, asked, want)
				}
			}
			if !strings.Contains(logs.String(), "top=20") || strings.Count(logs.String(), "\n") != 1 {
				t.Errorf("want one log line naming the learned $top, got:\n%s", logs.String())
			}
		})
	}
}

func TestPagerDoesNotMistakeARefusalForTop(t *testing.T) {
	sc := simClientFor(t, 123)
	sc.sim.SetFaults(azuresim.Faults{RejectFilter: true})
	sc.sim.ResetStats()
	filtered := Query{Count: true, Filter: Filter{{Property: PropCreated, Op: OpGE, Time: time.Now().Add(-time.Hour)}}, Top: 1000}
	_, err := sc.client.ListSessions(context.Background(), "default", filtered, func(SessionTimes) {})
	asked, _ := tops(sc.sim)
	if !IsStatus(err, 400) || strings.Join(asked, " ") != "1000 1" {
		t.Fatalf("before any $top was answered: %v after $top %v; want the 400 after 1000 and a probe at 1", err, asked)
	}
	if _, _, err := listAll(context.Background(), sc.client); err != nil {
		t.Fatal(err)
	}
	tops(sc.sim)
	_, err = sc.client.ListSessions(context.Background(), "default", filtered, func(SessionTimes) {})
	if asked, _ := tops(sc.sim); !IsStatus(err, 400) || strings.Join(asked, " ") != "1000" {
		t.Fatalf("once $top=1000 was answered: %v after $top %v; want the 400 at once", err, asked)
	}
}
