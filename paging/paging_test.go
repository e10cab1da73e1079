package paging

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// site serves listings from a map of URL to page: the items a page holds
// and its next link.
type site map[string]struct {
	items int
	next  string
}

func (s site) fetch(read *[]string, items []int) Fetch {
	return func(_ context.Context, reqs []Request) []Answer {
		out := make([]Answer, len(reqs))
		for k, r := range reqs {
			*read = append(*read, r.URL)
			p, ok := s[r.URL]
			if !ok {
				out[k].Err = fmt.Errorf("no page %s", r.URL)
				continue
			}
			items[r.Listing] += p.items
			out[k].Next = p.next
		}
		return out
	}
}

func TestEachFollowsEmptyPages(t *testing.T) {
	s := site{
		"a":  {0, "a2"}, // empty first page with a next link
		"a2": {0, "a3"},
		"a3": {5, ""},
		"b":  {3, ""},
	}
	var read []string
	items := make([]int, 2)
	if err := Each(context.Background(), []string{"a", "b"}, nil, s.fetch(&read, items)); err != nil {
		t.Fatal(err)
	}
	if items[0] != 5 || items[1] != 3 || len(read) != 4 {
		t.Fatalf("items %v after reading %v, want [5 3] in 4 pages", items, read)
	}
}

func TestChainRules(t *testing.T) {
	refuse := func(link string) (string, error) {
		if strings.HasPrefix(link, "evil") {
			return "", errors.New("refusing the link")
		}
		return link + "&v=1", nil
	}
	for _, tc := range []struct {
		name  string
		links []string
		err   string
	}{
		{"ends", []string{"p2", "p3", ""}, ""},
		{"refused", []string{"p2", "evil"}, "refusing"},
		{"repeats", []string{"p2", "p3", "p2"}, "repeats an earlier page"},
		{"back to the first page", []string{"first"}, ""}, // completed by the check: a new link
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewChain("first", refuse)
			var err error
			for _, l := range tc.links {
				if _, err = c.Next(l); err != nil {
					break
				}
			}
			if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
		})
	}
	c := NewChain("first", nil)
	if _, err := c.Next("first"); !errors.Is(err, ErrRepeated) {
		t.Fatalf("a link back to the first page: err = %v", err)
	}
}

func TestChainStopsAtMaxPages(t *testing.T) {
	c := NewChain("p0", nil)
	for i := 1; i < MaxPages; i++ {
		if _, err := c.Next(fmt.Sprint("p", i)); err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
	}
	if _, err := c.Next("one more"); err == nil || c.Pages() != MaxPages {
		t.Fatalf("after %d pages: err = %v", c.Pages(), err)
	}
}

func TestEachStopsAtTheFirstError(t *testing.T) {
	s := site{"a": {1, "a"}}
	var read []string
	err := Each(context.Background(), []string{"a"}, nil, s.fetch(&read, make([]int, 1)))
	if !errors.Is(err, ErrRepeated) || len(read) != 1 {
		t.Fatalf("err = %v after %v", err, read)
	}
}
