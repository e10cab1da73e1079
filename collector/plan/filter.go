package plan

import "time"

// Matches reports whether s satisfies every condition of f, comparing as
// Graph does: an unset timestamp is 0001-01-01, before any other time.
func (f Filter) Matches(s Session) bool {
	for _, c := range f {
		if !c.holds(s) {
			return false
		}
	}
	return true
}

func (c Condition) holds(s Session) bool {
	v := s.Created
	if c.Prop == LastModified {
		v = s.LastModified
	}
	switch c.Op {
	case GE:
		return !v.Before(c.Time)
	case GT:
		return v.After(c.Time)
	case LE:
		return !v.After(c.Time)
	default:
		return v.Before(c.Time)
	}
}

// Get returns the session's value of p.
func (s Session) Get(p Prop) time.Time {
	if p == LastModified {
		return s.LastModified
	}
	return s.Created
}

// Positions on a search axis are ticks of 100 ns, Graph's precision,
// counted from 0001-01-01: every representable DateTimeOffset fits in an
// int64.
const tick = 100 * time.Nanosecond

var (
	unset   = time.Time{}
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC)
)

func ticksOf(t time.Time) int64 {
	return (t.Unix()-unset.Unix())*1e7 + int64(t.Nanosecond())/100
}

func timeOf(x int64) time.Time {
	return time.Unix(unset.Unix()+x/1e7, (x%1e7)*100).UTC()
}

func set(p Prop) Condition { return Condition{Prop: p, Op: GT, Time: unset} }

func since(p Prop, t time.Time) Filter { return Filter{{Prop: p, Op: GE, Time: t}} }

// nothing is a filter no session can match: Graph honouring $filter
// answers it with a count of 0, Graph ignoring it with the total.
var nothing = Filter{{Prop: Created, Op: LT, Time: unset}}
