package auditusage

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// OtherLabel is the label value of the surfaces, plugins or operations
// beyond a cap; UnknownLabel that of a record that names none.
const (
	OtherLabel   = "other"
	UnknownLabel = "unknown"
	// MaxLabelBytes bounds a label value taken from a record: app hosts,
	// plugin names and operations are open sets written by others.
	MaxLabelBytes = 128
)

// Window is one trailing window, in whole hours.
type Window struct {
	Label    string
	Duration time.Duration
}

// Caps bound the label values of one summary.
type Caps struct {
	Surfaces, Plugins, Operations int
}

// WindowUsage is the usage within one window. Stale windows hold no
// number: some hour of the window was not covered by a finished query.
type WindowUsage struct {
	Window       Window
	Stale        bool
	Interactions map[string]int // by surface
	Prompts      map[string]int // by surface
	Users        int
	Sessions     int
	Plugins      map[string]int // interactions by plugin
	Agent        int            // interactions by autonomous agents
	Admin        map[string]int // admin events by operation
}

// Summary is the usage over every window, ending at End: the end of the
// newest covered hour. End is zero when nothing was covered yet.
type Summary struct {
	End     time.Time
	Windows []WindowUsage
}

// Summarize aggregates the windows, each ending at the newest covered hour.
// The label values kept under a cap are chosen on the longest window, so
// that a surface is named or counted as other alike in every window.
func (s *Store) Summarize(windows []Window, caps Caps) Summary {
	end := s.NewestEnd()
	out := Summary{End: end}
	if end.IsZero() {
		for _, w := range windows {
			out.Windows = append(out.Windows, WindowUsage{Window: w, Stale: true})
		}
		return out
	}
	var longest time.Duration
	for _, w := range windows {
		longest = max(longest, w.Duration)
	}
	all := s.records(Interval{end.Add(-hoursCeil(longest)), end})
	keepSurface := top(all, caps.Surfaces, func(r Record) []string { return surfaceOf(r) })
	keepPlugin := top(all, caps.Plugins, func(r Record) []string { return pluginsOf(r) })
	keepOp := top(all, caps.Operations, func(r Record) []string { return adminOf(r) })
	for _, w := range windows {
		iv := Interval{end.Add(-hoursCeil(w.Duration)), end}
		wu := WindowUsage{Window: w, Stale: !s.Covered(iv)}
		if !wu.Stale {
			wu.fill(s.records(iv), keepSurface, keepPlugin, keepOp)
		}
		out.Windows = append(out.Windows, wu)
	}
	return out
}

func (wu *WindowUsage) fill(recs []Record, keepSurface, keepPlugin, keepOp map[string]bool) {
	wu.Interactions, wu.Prompts = map[string]int{}, map[string]int{}
	wu.Plugins, wu.Admin = map[string]int{}, map[string]int{}
	users, sessions := map[string]bool{}, map[string]bool{}
	for _, r := range recs {
		switch r.Kind {
		case Interaction:
			sf := capped(surfaceOf(r)[0], keepSurface)
			wu.Interactions[sf]++
			wu.Prompts[sf] += r.Prompts
			if r.User != "" {
				users[strings.ToLower(r.User)] = true
			}
			if r.Session != "" {
				sessions[r.Session] = true
			}
			if r.Agent {
				wu.Agent++
			}
			seen := map[string]bool{}
			for _, p := range pluginsOf(r) {
				if l := capped(p, keepPlugin); !seen[l] {
					seen[l] = true
					wu.Plugins[l]++
				}
			}
		case Admin:
			wu.Admin[capped(adminOf(r)[0], keepOp)]++
		}
	}
	wu.Users, wu.Sessions = len(users), len(sessions)
}

func surfaceOf(r Record) []string {
	if r.Kind != Interaction {
		return nil
	}
	return []string{labelValue(r.Surface)}
}

func pluginsOf(r Record) []string {
	if r.Kind != Interaction {
		return nil
	}
	out := make([]string, 0, len(r.Plugins))
	for _, p := range r.Plugins {
		out = append(out, labelValue(p))
	}
	return out
}

func adminOf(r Record) []string {
	if r.Kind != Admin {
		return nil
	}
	return []string{labelValue(r.Operation)}
}

// top returns the n label values with the most records, ties broken by
// name. The value "other" is never kept under its own name, so that it
// means one thing.
func top(recs []Record, n int, values func(Record) []string) map[string]bool {
	counts := map[string]int{}
	for _, r := range recs {
		for _, v := range values(r) {
			counts[v]++
		}
	}
	delete(counts, OtherLabel)
	names := make([]string, 0, len(counts))
	for v := range counts {
		names = append(names, v)
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	keep := map[string]bool{}
	for _, v := range names[:min(max(n, 0), len(names))] {
		keep[v] = true
	}
	return keep
}

func capped(v string, keep map[string]bool) string {
	if keep[v] {
		return v
	}
	return OtherLabel
}

// labelValue makes a record's string a label value: empty becomes
// unknown, invalid UTF-8 is replaced, and it is cut to MaxLabelBytes.
func labelValue(s string) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	if s == "" {
		return UnknownLabel
	}
	if len(s) > MaxLabelBytes {
		cut := MaxLabelBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

func hoursCeil(d time.Duration) time.Duration {
	return ((d + time.Hour - 1) / time.Hour) * time.Hour
}
