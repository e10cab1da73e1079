package graphclient

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// doneRecorder records, for one SessionRequest, the items Each got and
// each call of Done, with the items it had seen then.
type doneRecorder struct {
	items    int
	calls    []bool // last, per call
	atDone   []int
	returned *bool
	late     bool // Done came after Fetch returned
}

func (d *doneRecorder) request(q Query, next string) SessionRequest {
	return SessionRequest{Query: q, Next: next,
		Each: func(id []byte, _ SessionTimes, _ int) {
			if len(id) == 0 {
				panic("an empty id handed to Each")
			}
			d.items++
		},
		Done: func(last bool) {
			d.calls, d.atDone = append(d.calls, last), append(d.atDone, d.items)
			d.late = d.late || *d.returned
		},
	}
}

// TestSessionPagesDone: Done is called once per page read whole, before
// Fetch returns, with every item of the page already handed to Each and
// last telling whether the page has a next link; in a $batch and alone.
func TestSessionPagesDone(t *testing.T) {
	_, sc := readyClient(t) // 100 sessions, pages of at most 50
	pages, err := sc.client.Reader().Sessions("default")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var returned bool
	first, none := &doneRecorder{returned: &returned}, &doneRecorder{returned: &returned}
	nothing := Filter{{Property: PropCreated, Op: OpLT, Time: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}}
	got := pages.Fetch(ctx, []SessionRequest{
		first.request(Query{Count: true, Select: SessionRefSelect, Top: 50}, ""),
		none.request(Query{Count: true, Select: SessionRefSelect, Top: 50, Filter: nothing}, ""),
	})
	returned = true
	for i, p := range got {
		if p.Err != nil {
			t.Fatalf("request %d: %v", i, p.Err)
		}
	}
	if got[0].NextLink == "" || len(first.calls) != 1 || first.calls[0] || first.atDone[0] != 50 {
		t.Errorf("a page with a next link: Done %v after %v items, want [false] after [50]", first.calls, first.atDone)
	}
	if got[1].NextLink != "" || len(none.calls) != 1 || !none.calls[0] || none.atDone[0] != 0 {
		t.Errorf("an empty last page: Done %v after %v items, want [true] after [0]", none.calls, none.atDone)
	}
	// The rest of the listing, alone: a plain GET.
	returned = false
	rest := &doneRecorder{returned: &returned}
	got = pages.Fetch(ctx, []SessionRequest{rest.request(Query{}, got[0].NextLink)})
	returned = true
	if got[0].Err != nil || got[0].NextLink != "" || len(rest.calls) != 1 || !rest.calls[0] || rest.atDone[0] != 50 {
		t.Errorf("the last page alone: %v, Done %v after %v items, want [true] after [50]", got[0].Err, rest.calls, rest.atDone)
	}
	for _, d := range []*doneRecorder{first, none, rest} {
		if d.late {
			t.Errorf("Done was called after Fetch returned")
		}
	}
}

// TestSessionPagesDoneNotOnError: a page Graph did not answer well is not
// done, in a $batch and alone.
func TestSessionPagesDoneNotOnError(t *testing.T) {
	sim, sc := readyClient(t)
	pages, err := sc.client.Reader().Sessions("default")
	if err != nil {
		t.Fatal(err)
	}
	sim.SetFaults(azuresim.Faults{StatusFor: map[string]int{"default": http.StatusNotFound}})
	for _, n := range []int{1, 3} {
		var returned bool
		recs := make([]*doneRecorder, n)
		reqs := make([]SessionRequest, n)
		for i := range recs {
			recs[i] = &doneRecorder{returned: &returned}
			reqs[i] = recs[i].request(Query{Count: true, Select: SessionRefSelect, Top: 50}, "")
		}
		for i, p := range pages.Fetch(context.Background(), reqs) {
			if p.Err == nil || len(recs[i].calls) != 0 {
				t.Errorf("%d requests: request %d: err %v, Done called %d times", n, i, p.Err, len(recs[i].calls))
			}
		}
	}
}

// TestSessionPagesSizeHint: the size a caller is told to make room for is
// bounded by what the request's $top asks, not only by @odata.count: a
// count request for one session of a hundred must not have room made for
// a hundred in each of its pages.
func TestSessionPagesSizeHint(t *testing.T) {
	_, sc := readyClient(t) // 100 sessions, pages of at most 50
	pages, err := sc.client.Reader().Sessions("default")
	if err != nil {
		t.Fatal(err)
	}
	for _, top := range []int{1, 7, 50} {
		hints := map[int]bool{}
		got := pages.Fetch(context.Background(), []SessionRequest{{
			Query: Query{Count: true, Select: SessionRefSelect, Top: top},
			Each:  func(_ []byte, _ SessionTimes, hint int) { hints[hint] = true },
		}})
		if got[0].Err != nil || !got[0].HasCount || got[0].Count != 100 {
			t.Fatalf("$top=%d: %+v, want a page counting 100 sessions", top, got[0])
		}
		if len(hints) != 1 || !hints[top] {
			t.Errorf("$top=%d of 100 counted: size hints %v, want only %d", top, hints, top)
		}
	}
}
