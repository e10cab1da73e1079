package azuresim

import (
	"errors"
	"reflect"
	"regexp"
	"testing"
	"time"
)

func TestGenerateSessionsDeterministic(t *testing.T) {
	now := time.Date(2025, 10, 15, 15, 54, 58, 486276899, time.FixedZone("CEST", 2*3600))
	a := GenerateSessions(42, 500, now)
	b := GenerateSessions(42, 500, now)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, n and now gave different sessions")
	}
	if c := GenerateSessions(43, 500, now); reflect.DeepEqual(a, c) {
		t.Fatal("another seed gave the same sessions")
	}
	if len(GenerateSessions(1, 0, now)) != 0 || len(GenerateSessions(1, -1, now)) != 0 {
		t.Fatal("n <= 0 must give no sessions")
	}
	if got := GenerateSessions(7, 10, now); len(got) != 10 {
		t.Fatalf("n=10 gave %d", len(got))
	}
}

func TestGenerateSessionsInvariants(t *testing.T) {
	now := time.Date(2025, 10, 15, 15, 54, 58, 486276899, time.UTC)
	sessions := GenerateSessions(1, 2000, now)
	if len(sessions) != 2000 {
		t.Fatalf("%d sessions", len(sessions))
	}
	guid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	var unnamed, equal, minutes, days int
	windows := map[time.Duration]int{time.Hour: 0, 24 * time.Hour: 0, 7 * 24 * time.Hour: 0, 30 * 24 * time.Hour: 0}
	for i, s := range sessions {
		if !guid.MatchString(s.ID) || seen[s.ID] {
			t.Fatalf("id %q not a unique GUID", s.ID)
		}
		seen[s.ID] = true
		if i > 0 && compareSessions(sessions[i-1], s) >= 0 {
			t.Fatalf("not sorted at %d", i)
		}
		for _, ts := range []time.Time{s.Created, s.LastModified} {
			if ts.Location() != time.UTC || ts.Nanosecond()%100 != 0 {
				t.Fatalf("time %v not UTC at 100ns", ts)
			}
		}
		if s.LastModified.Before(s.Created) || s.LastModified.After(now) || s.Created.Before(now.Add(-historySpan)) {
			t.Fatalf("bad times %+v", s)
		}
		if s.DisplayName == nil {
			unnamed++
		}
		switch d := s.LastModified.Sub(s.Created); {
		case d == 0:
			equal++
		case d < time.Hour:
			minutes++
		default:
			days++
		}
		for w := range windows {
			if now.Sub(s.Created) <= w {
				windows[w]++
			}
		}
	}
	if unnamed < 300 || unnamed > 500 {
		t.Errorf("%d of 2000 unnamed, want ~20%%", unnamed)
	}
	if equal < 400 || minutes < 400 || days < 100 {
		t.Errorf("LastModified spread: equal %d, minutes %d, days %d", equal, minutes, days)
	}
	// Every window the exporter uses has data and more than the smaller one.
	if windows[time.Hour] < 20 || windows[24*time.Hour] <= windows[time.Hour] ||
		windows[7*24*time.Hour] <= windows[24*time.Hour] || windows[30*24*time.Hour] <= windows[7*24*time.Hour] ||
		windows[30*24*time.Hour] >= 2000 {
		t.Errorf("windows %v", windows)
	}
}

func TestDeleteSession(t *testing.T) {
	now := time.Now()
	sim, err := New(Options{Tenants: []Tenant{{ID: "t1", ClientID: "c1", ClientSecret: "s", Workspaces: []Workspace{{ID: "w", Sessions: GenerateSessions(1, 3, now)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	before, _ := sim.Sessions("t1", "w")
	if err := sim.DeleteSession("t1", "w", before[1].ID); err != nil {
		t.Fatal(err)
	}
	after, _ := sim.Sessions("t1", "w")
	if len(after) != 2 || after[0].ID != before[0].ID || after[1].ID != before[2].ID {
		t.Fatalf("after deleting %s: %v", before[1].ID, after)
	}
	if err := sim.DeleteSession("t1", "w", before[1].ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleting twice: %v, want ErrNotFound", err)
	}
}
