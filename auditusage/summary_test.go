package auditusage

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)

func at(h int, min int) time.Time {
	return t0.Add(time.Duration(h)*time.Hour + time.Duration(min)*time.Minute)
}

func hours(a, b int) Interval { return Interval{at(a, 0), at(b, 0)} }

func ia(id string, when time.Time, user, surface, session string, prompts int, plugins ...string) Record {
	return Record{ID: id, Time: when, Kind: Interaction, Operation: InteractionOperation, User: user, Surface: surface, Session: session, Prompts: prompts, Plugins: plugins}
}

var (
	w1h = Window{"1h", time.Hour}
	w1d = Window{"1d", 24 * time.Hour}
)

func TestSummarizeCountsAndDedupes(t *testing.T) {
	s := NewStore()
	s.Add(hours(0, 24), []Record{
		ia("a", at(23, 10), "Ann@x", "Copilot in Defender", "t1", 2, "Entra"),
		ia("b", at(23, 20), "ann@x", "Copilot in Defender", "t1", 1, "Entra", "Intune"),
		ia("c", at(5, 0), "bob@x", "Security Copilot standalone", "t2", 3),
		{ID: "d", Time: at(6, 0), Kind: Interaction, User: AgentPrefix + "1", Agent: true, Surface: "Logic App", Session: "t3", Prompts: 1},
		{ID: "e", Time: at(7, 0), Kind: Admin, Operation: "EnableCopilotPlugin"},
		{ID: "f", Time: at(7, 0), Kind: Other},
	})
	// The overlap re-query reads a and b again, and a late record g.
	s.Add(hours(22, 24), []Record{
		ia("a", at(23, 10), "Ann@x", "Copilot in Defender", "t1", 2, "Entra"),
		ia("g", at(22, 59), "carol@x", "Copilot in Defender", "t4", 1),
	})
	sum := s.Summarize([]Window{w1h, w1d}, Caps{Surfaces: 10, Plugins: 10, Operations: 10})
	if !sum.End.Equal(at(24, 0)) {
		t.Fatalf("end %v", sum.End)
	}
	h, d := sum.Windows[0], sum.Windows[1]
	if h.Stale || d.Stale {
		t.Fatal("stale")
	}
	check := func(name string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	check("1h interactions", h.Interactions, map[string]int{"Copilot in Defender": 2})
	check("1h prompts", h.Prompts, map[string]int{"Copilot in Defender": 3})
	check("1h users (case-insensitive)", h.Users, 1)
	check("1h sessions", h.Sessions, 1)
	check("1h plugins", h.Plugins, map[string]int{"Entra": 2, "Intune": 1})
	check("1d interactions", d.Interactions, map[string]int{"Copilot in Defender": 3, "Logic App": 1, "Security Copilot standalone": 1})
	check("1d users", d.Users, 4)
	check("1d sessions", d.Sessions, 4)
	check("1d agent", d.Agent, 1)
	check("1d admin", d.Admin, map[string]int{"EnableCopilotPlugin": 1})
	check("records kept", s.Len(), 6)
}

func TestSummarizeStaleWhenAnHourIsNotCovered(t *testing.T) {
	s := NewStore()
	if sum := s.Summarize([]Window{w1h}, Caps{}); !sum.Windows[0].Stale || !sum.End.IsZero() {
		t.Fatalf("empty store: %+v", sum)
	}
	s.Add(hours(20, 24), []Record{ia("a", at(23, 0), "u", "x", "t", 1)})
	sum := s.Summarize([]Window{w1h, w1d}, Caps{Surfaces: 1})
	if sum.Windows[0].Stale || !sum.Windows[1].Stale {
		t.Fatalf("1h stale %v, 1d stale %v; want false, true", sum.Windows[0].Stale, sum.Windows[1].Stale)
	}
	if sum.Windows[1].Interactions != nil {
		t.Fatal("a stale window carries numbers")
	}
}

func TestSummarizeCaps(t *testing.T) {
	s := NewStore()
	var recs []Record
	n := 0
	add := func(surface string, k int, plugin string) {
		for range k {
			n++
			recs = append(recs, ia(fmt.Sprint(n), at(23, 0), "u", surface, "t", 1, plugin))
		}
	}
	add("A", 5, "p1")
	add("B", 3, "p2")
	add("C", 3, "p3")
	add("other", 2, "p3")
	add("", 1, "")
	s.Add(hours(0, 24), recs)
	sum := s.Summarize([]Window{w1d}, Caps{Surfaces: 2, Plugins: 1, Operations: 1})
	w := sum.Windows[0]
	if fmt.Sprint(w.Interactions) != "map[A:5 B:3 other:6]" {
		t.Fatalf("surfaces %v", w.Interactions)
	}
	if fmt.Sprint(w.Plugins) != "map[other:9 p1:5]" {
		t.Fatalf("plugins %v", w.Plugins)
	}
	sum = s.Summarize([]Window{w1d}, Caps{Surfaces: 10})
	if fmt.Sprint(sum.Windows[0].Interactions) != "map[A:5 B:3 C:3 other:2 unknown:1]" {
		t.Fatalf("uncapped %v", sum.Windows[0].Interactions)
	}
}

// The label set is chosen on the longest window, so a surface that leads
// the last hour but not the day is "other" in both.
func TestSummarizeCapsAlikeInEveryWindow(t *testing.T) {
	s := NewStore()
	s.Add(hours(0, 24), []Record{
		ia("1", at(1, 0), "u", "A", "t", 1), ia("2", at(2, 0), "u", "A", "t", 1),
		ia("3", at(23, 0), "u", "B", "t", 1),
	})
	sum := s.Summarize([]Window{w1h, w1d}, Caps{Surfaces: 1})
	if fmt.Sprint(sum.Windows[0].Interactions) != "map[other:1]" || fmt.Sprint(sum.Windows[1].Interactions) != "map[A:2 other:1]" {
		t.Fatalf("got %v and %v", sum.Windows[0].Interactions, sum.Windows[1].Interactions)
	}
}

func TestLabelValue(t *testing.T) {
	long := strings.Repeat("é", 100)
	if v := labelValue(long); len(v) > MaxLabelBytes || !strings.HasPrefix(long, v) {
		t.Fatalf("cut %q", v)
	}
	if labelValue("  ") != UnknownLabel || labelValue("a\xffb") != "a\uFFFDb" {
		t.Fatal("label value not cleaned")
	}
}

func TestStorePrune(t *testing.T) {
	s := NewStore()
	s.Add(hours(0, 3), []Record{ia("a", at(0, 5), "u", "x", "t", 1), ia("b", at(2, 5), "u", "x", "t", 1)})
	s.Prune(at(1, 30))
	if s.Len() != 1 || s.Covered(hours(0, 1)) || !s.Covered(hours(1, 3)) {
		t.Fatalf("after prune: %d records", s.Len())
	}
}

// Prune forgets the names only pruned records used.
func TestStorePruneForgetsNames(t *testing.T) {
	s := NewStore()
	s.Add(hours(0, 3), []Record{ia("a", at(0, 5), "gone@x", "x", "t1", 1, "p1"), ia("b", at(2, 5), "kept@x", "x", "t2", 1)})
	s.Prune(at(1, 0))
	if _, ok := s.names["gone@x"]; ok || len(s.names) > 5 {
		t.Fatalf("names after prune: %v", s.names)
	}
	if _, ok := s.names["kept@x"]; !ok {
		t.Fatal("a kept record's name was forgotten")
	}
}

func TestIntervalSplit(t *testing.T) {
	got := hours(0, 5).Split()
	if len(got) != 2 || got[0] != hours(0, 2) || got[1] != hours(2, 5) {
		t.Fatalf("split %v", got)
	}
	if one := hours(3, 4).Split(); len(one) != 1 {
		t.Fatalf("an hour split into %v", one)
	}
	if (Interval{at(0, 30), at(2, 0)}).Valid() || !hours(0, 1).Valid() || hours(1, 1).Valid() {
		t.Fatal("Valid")
	}
}
