package plan

import "time"

// odd makes a workspace hold what Graph may serve besides ordinary sessions:
// unset timestamps, future ones, and clumps sharing one timestamp.
type odd struct {
	unset, future, clump bool
	// crowdNewest and crowdOldest put more than a page of sessions (crowd
	// of them) on the tick of the newest or the oldest creation: a batch
	// of sessions created together, now or by an import.
	crowdNewest, crowdOldest bool
	crowd                    int
}

// at draws a time d before now, truncated to a grain drawn per workspace,
// so that some sessions share a timestamp.
func (m *model) at(d time.Duration, grain time.Duration) time.Time {
	return m.now.Add(-d).Truncate(grain)
}

func (m *model) dur(max time.Duration) time.Duration {
	return time.Duration(m.rng.Int64N(int64(max) + 1))
}

// populate fills the model with n sessions created over age.
func (m *model) populate(n int, age, grain time.Duration, o odd) {
	clump := m.at(m.dur(age), grain)
	for range n {
		created := m.at(m.dur(age), grain)
		modified := created
		if m.rng.IntN(3) == 0 {
			modified = m.at(m.dur(m.now.Sub(created)), grain)
		}
		switch r := m.rng.IntN(100); {
		case o.unset && r < 4:
			created = time.Time{}
		case o.unset && r < 8:
			modified = time.Time{}
		case o.future && r < 12:
			created = m.now.Add(m.dur(400 * 24 * time.Hour)).Truncate(grain)
			modified = created
		case o.clump && r < 30:
			created, modified = clump, clump
		}
		m.create(created, modified)
	}
	if o.crowdNewest || o.crowdOldest {
		tr := m.truth()
		t := tr.oldest
		if o.crowdNewest {
			t = later(tr.newest, m.now.Add(-m.dur(time.Second)).Truncate(grain)) // near now
		}
		if t.IsZero() {
			t = m.now.Add(-age).Truncate(grain)
		}
		for range o.crowd {
			m.create(t, t)
		}
	}
}

// change is one way the workspace changes.
type change int

const (
	creation change = iota
	deletion
	rename
	deleteNewest
	deleteOldest
	deleteModified
	changes
)

func (m *model) apply(c change, grain time.Duration) {
	if len(m.sessions) == 0 {
		c = creation
	}
	pick := m.rng.IntN(max(len(m.sessions), 1))
	switch c {
	case creation:
		t := m.now.Add(-m.dur(time.Minute)).Truncate(grain)
		m.create(t, t)
	case deletion:
		m.delete(pick)
	case rename:
		m.sessions[pick].LastModified = m.now.Truncate(grain)
		m.version++
	default:
		tr := m.truth()
		for i, s := range m.sessions {
			if (c == deleteNewest && s.Created.Equal(tr.newest)) || (c == deleteOldest && s.Created.Equal(tr.oldest)) ||
				(c == deleteModified && s.LastModified.Equal(tr.modified)) {
				m.delete(i)
				return
			}
		}
	}
}

// evolve moves time on and changes the workspace between two reads.
func (m *model) evolve(grain time.Duration) {
	m.now = m.now.Add(m.dur(6 * time.Hour))
	for range m.rng.IntN(4) {
		m.apply(change(m.rng.IntN(int(changes))), grain)
	}
}
