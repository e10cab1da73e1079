package plan

import "time"

// axis is one extreme as a position on a line of 100 ns ticks where the
// count at x, of the sessions on the extreme's side of the time x stands
// for, grows with x. For the oldest value of prop that count is "prop set
// and le t(x)"; for the newest it is "prop ge t(-x)", mirrored.
type axis struct {
	prop   Prop
	newest bool
}

func (a axis) pos(t time.Time) int64 {
	if a.newest {
		return -ticksOf(t)
	}
	return ticksOf(t)
}

func (a axis) value(x int64) time.Time {
	if a.newest {
		return timeOf(-x)
	}
	return timeOf(x)
}

func (a axis) at(x int64) Filter {
	if a.newest {
		return since(a.prop, timeOf(-x))
	}
	return Filter{set(a.prop), {Prop: a.prop, Op: LE, Time: timeOf(x)}}
}

// lo and hi bound the positions: lo stands for the latest time, or the
// earliest set one; hi for every set value. Below lo the count is 0.
func (a axis) lo() int64 {
	if a.newest {
		return -ticksOf(maxTime)
	}
	return 1
}

func (a axis) hi() int64 {
	if a.newest {
		return -1
	}
	return ticksOf(maxTime)
}

// best is the extreme among the sessions of a complete answer.
func (a axis) best(ss []Session) time.Time {
	var out time.Time
	for _, s := range ss {
		out = a.better(out, s.Get(a.prop))
	}
	return out
}

// better returns the extreme of best and a set t.
func (a axis) better(best, t time.Time) time.Time {
	if !t.IsZero() && (best.IsZero() || (a.newest && t.After(best)) || (!a.newest && t.Before(best))) {
		return t
	}
	return best
}

// keep adds a set t to top, the up to k best values, best first.
func (a axis) keep(top []time.Time, t time.Time, k int) []time.Time {
	if t.IsZero() {
		return top
	}
	i := len(top)
	for i > 0 && a.better(top[i-1], t).Equal(t) && !top[i-1].Equal(t) {
		i--
	}
	if i >= k {
		return top
	}
	top = append(top[:i], append([]time.Time{t}, top[i:]...)...)
	return top[:min(len(top), k)]
}

// topK keeps the k best values of an axis, and counts the values equal to
// the k-th best it dropped: together they are the sessions at or beyond the
// k-th best, which a check from there holds.
type topK struct {
	ax    axis
	k     int
	top   []time.Time
	extra int
}

func (t *topK) add(v time.Time) {
	if v.IsZero() {
		return
	}
	full := len(t.top) == t.k
	var last time.Time
	if full {
		last = t.top[t.k-1]
	}
	t.top = t.ax.keep(t.top, v, t.k)
	switch {
	case !full, !v.Equal(last) && t.ax.better(last, v).Equal(last):
		// Nothing dropped, or v, beyond the k-th best.
	case t.top[t.k-1].Equal(last):
		t.extra++ // v, or the k-th best it pushed out, ties with the k-th best
	default:
		t.extra = 0 // a better k-th best: every value equal to it is kept
	}
}

// held is how many values lie at or beyond the k-th best.
func (t *topK) held() int { return len(t.top) + t.extra }
