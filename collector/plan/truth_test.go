package plan

import (
	"fmt"
	"time"
)

// truth is what an exact read returns, computed from the model's sessions
// by brute force, without any of the package's code.
type truth struct {
	sessions                 int64
	created, active          []int64
	newest, oldest, modified time.Time
}

func (m *model) truth() truth {
	tr := truth{created: make([]int64, len(m.ends)), active: make([]int64, len(m.ends))}
	for _, s := range m.sessions {
		tr.sessions++
		for i, d := range m.ends {
			start := m.now.Add(-d)
			if s.Created != (time.Time{}) && s.Created.Compare(start) >= 0 {
				tr.created[i]++
			}
			if s.LastModified != (time.Time{}) && s.LastModified.Compare(start) >= 0 {
				tr.active[i]++
			}
		}
		if s.Created != (time.Time{}) {
			if tr.newest == (time.Time{}) || s.Created.After(tr.newest) {
				tr.newest = s.Created
			}
			if tr.oldest == (time.Time{}) || s.Created.Before(tr.oldest) {
				tr.oldest = s.Created
			}
		}
		if s.LastModified != (time.Time{}) && (tr.modified == (time.Time{}) || s.LastModified.After(tr.modified)) {
			tr.modified = s.LastModified
		}
	}
	return tr
}

// exact checks that each number of res is the truth at one of the instants
// the read's answers saw: each count is exact at the instant Graph gave it.
func exact(res Result, seen []truth) error {
	some := func(name string, got any, want func(truth) any) error {
		var wants []any
		for _, tr := range seen {
			if w := want(tr); show(w) == show(got) {
				return nil
			} else {
				wants = append(wants, w)
			}
		}
		return fmt.Errorf("%s = %v, the truth was %v", name, got, wants)
	}
	checks := []error{
		some("sessions", res.Sessions, func(tr truth) any { return tr.sessions }),
		some("newest", res.Newest, func(tr truth) any { return tr.newest }),
		some("oldest", res.Oldest, func(tr truth) any { return tr.oldest }),
		some("last modified", res.LastModified, func(tr truth) any { return tr.modified }),
	}
	for i := range seen[0].created {
		checks = append(checks,
			some(fmt.Sprintf("created[%d]", i), at(res.Created, i), func(tr truth) any { return tr.created[i] }),
			some(fmt.Sprintf("active[%d]", i), at(res.Active, i), func(tr truth) any { return tr.active[i] }))
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}

func at(xs []int64, i int) any {
	if i < len(xs) {
		return xs[i]
	}
	return "missing"
}

func show(v any) string {
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}
