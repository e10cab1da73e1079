package graphclient

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Graph publishes no largest $top for these collections; collections
// elsewhere in Graph refuse a $top above their maximum with 400, which
// reads like a refused $count or $filter. So a 400 to a first page asked
// with a $top Graph never answered before is asked again with a smaller
// $top before it counts as a refusal:
//
//  1. at the largest number below the $top that the error's message names,
//     if it names one and speaks of top: a guess, tried, never trusted;
//     answered, it is the largest;
//  2. at $top=1, its items discarded: refused too, the 400 was about
//     something else, and stands as Graph's answer;
//  3. at half the smallest $top refused, until one is answered: that answer
//     is the page's;
//  4. then, items discarded, between the largest $top answered and the
//     smallest refused, halving the gap until they are one apart.
//
// The largest $top found is the collection's for this client (so per
// tenant) from then on: a first page never asks for more. Finding it costs
// at most about 2 × log2(page_size) requests, once per tenant and
// collection; a 400 about something else costs one request more, and only
// until Graph answered a first page of the collection once.

// topLimits is what a Client learned of the $top each collection accepts,
// by the last segment of its path ("sessions", "prompts", …).
type topLimits struct {
	mu       sync.Mutex
	accepted map[string]int // the largest $top Graph answered
	limit    map[string]int // the largest $top to send, after Graph refused one
}

func collectionOf(path string) string { return path[strings.LastIndexByte(path, '/')+1:] }

// clamp is the $top to ask a collection's first page with.
func (t *topLimits) clamp(path string, top int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if l := t.limit[collectionOf(path)]; l > 0 && top > l {
		return l
	}
	return top
}

// accept records a $top Graph answered.
func (t *topLimits) accept(path string, top int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c := collectionOf(path); top > t.accepted[c] {
		if t.accepted == nil {
			t.accepted = map[string]int{}
		}
		t.accepted[c] = top
	}
}

// learn makes top the collection's largest $top, and says whether that is
// news.
func (t *topLimits) learn(path string, top int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.limit == nil {
		t.limit, t.accepted = map[string]int{}, map[string]int{}
	}
	c := collectionOf(path)
	news := t.limit[c] != top
	t.limit[c], t.accepted[c] = top, top
	return news
}

// mayBeTop says whether a first page's error may be a refused $top: a 400
// to a $top above 1 that Graph never answered, or whose message names a
// smaller one.
func (t *topLimits) mayBeTop(path string, top int, err error) bool {
	if top <= 1 || !IsStatus(err, http.StatusBadRequest) {
		return false
	}
	t.mu.Lock()
	answered := t.accepted[collectionOf(path)]
	t.mu.Unlock()
	return top > answered || namedTop(err, top) > 0
}

var number = regexp.MustCompile(`[0-9]{1,9}`)

// namedTop is the largest number below top in the message of a Graph error
// that speaks of top ("The limit of '999' for Top query has been
// exceeded"), or 0. It is only ever a guess to try.
func namedTop(err error, top int) int {
	var ge *Error
	if !errors.As(err, &ge) || !strings.Contains(strings.ToLower(ge.Message), "top") {
		return 0
	}
	best := 0
	for _, m := range number.FindAllString(ge.Message, -1) {
		if n, _ := strconv.Atoi(m); n > 1 && n < top && n > best {
			best = n
		}
	}
	return best
}

// lowering is the search for the $top of one refused first page.
type lowering struct {
	i        int   // of the step's pages
	first    error // Graph's answer to the $top asked
	guess    int   // named in that answer; 0 once tried, or none
	refused  int   // the smallest $top refused
	fits     bool  // $top=1 was answered: the $top was at fault
	answered int   // the largest $top answered, once the page is read
}

// next is the $top to ask for next, and whether its answer is only a
// probe, its items discarded. Once the page is read at half a refused
// $top, probes narrow the gap between the two to the largest $top.
func (l *lowering) next() (top int, probe bool) {
	switch {
	case l.guess > 0:
		return l.guess, false
	case !l.fits:
		return 1, true
	case l.answered > 0:
		return l.answered + (l.refused-l.answered)/2, true
	}
	return max(l.refused/2, 1), false
}

// done says whether the search has what it came for.
func (l *lowering) done() bool { return l.answered > 0 && l.refused-l.answered <= 1 }

// lowerTop asks the refused first pages again with smaller $tops, side by
// side, until each is answered or known refused for another reason, and
// puts the outcome in out.
func (r Reader) lowerTop(ctx context.Context, reqs []pageReq, refused []int, tops []int, out []pageResult) {
	var open []*lowering
	for _, i := range refused {
		open = append(open, &lowering{i: i, first: out[i].err, guess: namedTop(out[i].err, tops[i]), refused: tops[i]})
	}
	for len(open) > 0 {
		calls := make([]*pageCall, len(open))
		for k, l := range open {
			p := reqs[l.i]
			top, probe := l.next()
			q := p.q
			q.Top = top
			item := p.item
			if probe {
				item = skipItem
			}
			calls[k] = &pageCall{url: r.c.url(p.path, q), item: item}
			if !probe {
				calls[k].done = p.done
			}
		}
		r.f.fetch(ctx, calls)
		var still []*lowering
		for k, l := range open {
			call, p := calls[k], reqs[l.i]
			top, probe := l.next()
			guessed := l.guess > 0
			l.guess = 0
			switch {
			case call.err == nil && probe && !l.fits: // $top=1 answered
				l.fits = true
			case call.err == nil && probe: // a narrowing probe answered
				l.answered = top
			case call.err == nil: // the page, read
				out[l.i] = pageResult{meta: call.meta}
				l.fits, l.answered = true, top
				if guessed {
					l.refused = top + 1 // named by Graph and answered: no need to narrow
				}
			case IsStatus(call.err, http.StatusBadRequest) && probe && !l.fits:
				out[l.i] = pageResult{err: l.first} // $top=1 refused too: not about $top
				continue
			case IsStatus(call.err, http.StatusBadRequest) && top > 1:
				l.refused = min(l.refused, top)
			case l.answered > 0: // the page is read; narrowing failed otherwise
				l.refused = l.answered + 1
			default:
				out[l.i] = pageResult{err: call.err}
				continue
			}
			if l.done() {
				r.learnTop(p.path, l.answered, tops[l.i])
				continue
			}
			still = append(still, l)
		}
		open = still
	}
}

func (r Reader) learnTop(path string, top, asked int) {
	if r.c.tops.learn(path, top) {
		r.c.logger.Info("graph refused a larger $top; pages of this collection are asked with the largest it accepted",
			"collection", collectionOf(path), "top", top, "refused", asked)
	}
}
