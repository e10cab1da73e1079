package plan

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// summarizing is a script that, like the exporter's Source, answers a
// request carrying a Summarizer with a summary when the page has no next
// link.
type summarizing struct{ script }

func (s *summarizing) Fetch(ctx context.Context, reqs []Request) []Answer {
	out := s.script.Fetch(ctx, reqs)
	for i, req := range reqs {
		if p := &out[i].Page; req.Summary != nil && out[i].Err == nil && p.NextLink == "" {
			p.Summary, p.Sessions = req.Summary.Of(p.Sessions), nil
		}
	}
	return out
}

// TestSummarizedFirstPage: a first page that comes summarized reads as
// the same page with its sessions: the same numbers, the same errors, the
// same requests, repeats within the page caught by the count.
func TestSummarizedFirstPage(t *testing.T) {
	at := func(id string, created, modified int) Session {
		return Session{ID: IDOf(id), Created: day(created), LastModified: day(modified)}
	}
	page := func(count int64, next string, ss ...Session) Answer {
		return Answer{Page: Page{Sessions: ss, Count: count, HasCount: count >= 0, NextLink: next}}
	}
	guid := "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
	a, b, c, g := at("a", 1, 5), at("b", 9, 9), at("c", 15, 20), at(guid, 12, 12)
	unset := Session{ID: IDOf("u")}
	for _, tc := range []struct {
		name   string
		pages  []Answer
		errHas string // "" when the read succeeds
		asked  int
	}{
		{"one page", []Answer{page(5, "", a, b, c, g, unset)}, "", 1},
		{"without a count", []Answer{page(-1, "", a, b)}, "", 1},
		{"a repeat without a count counts once", []Answer{page(-1, "", a, b, a)}, "", 1},
		{"a repeat within the page: listed again", []Answer{page(3, "", a, b, b), page(3, "", a, b, c)}, "", 2},
		{"repeats twice: fails", []Answer{page(3, "", a, a, b), page(3, "", a, b, b)}, "changed", 2},
		{"a session without id fails", []Answer{page(2, "", a, at("", 1, 1))}, "no id", 1},
		{"a count above the sessions: listed again", []Answer{page(4, "", a, b, c), page(3, "", a, b, c)}, "", 2},
		{"listed again into several pages", []Answer{page(3, "", a, a, b), page(3, "n", a, b), page(3, "", c)}, "", 3},
		{"an empty workspace", []Answer{page(0, "")}, "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			settings := Settings{Now: day(20), WindowStarts: []time.Time{day(10), day(2)}, Top: 10}
			plain := &script{pages: tc.pages}
			want, _, wantErr := Read(context.Background(), plain, settings, Memory{})
			sum := &summarizing{script{pages: tc.pages}}
			got, _, err := Read(context.Background(), sum, settings, Memory{})
			if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
				t.Errorf("summarized: %+v, %v; with its sessions: %+v, %v", got, err, want, wantErr)
			}
			if tc.errHas == "" && err != nil || tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
				t.Errorf("err = %v, want one saying %q", err, tc.errHas)
			}
			if len(sum.asked) != tc.asked || len(plain.asked) != tc.asked {
				t.Errorf("%d and %d requests, want %d", len(sum.asked), len(plain.asked), tc.asked)
			}
			if sum.asked[0].Summary == nil {
				t.Errorf("the first page was asked without a Summarizer")
			}
		})
	}
}

// TestSummaryOfANextLinkIsRefused: a Source that summarizes a page with a
// next link leaves the read nothing to list from; it fails rather than
// counts the first page alone.
func TestSummaryOfANextLinkIsRefused(t *testing.T) {
	p := Page{Summary: (&Summarizer{}).Of(sess("a")), Count: 2, HasCount: true, NextLink: "more"}
	if _, err := p.listed(); err == nil {
		t.Fatal("a summarized page with a next link was taken")
	}
}
