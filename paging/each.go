package paging

import (
	"context"
	"fmt"
)

// Request is one page to read: the next page of listing Listing, at URL.
type Request struct {
	Listing int
	URL     string
}

// Answer is what reading a page gave: its next link, "" on the last page,
// or the error that kept it from being read.
type Answer struct {
	Next string
	Err  error
}

// Fetch reads the pages of one step, handing their items to whatever
// decodes them, and answers each request, in order.
type Fetch func(ctx context.Context, reqs []Request) []Answer

// Each reads the listings that start at firsts side by side: the first page
// of each in one Fetch, then the next page of each that has one in the
// next, and so on, so that a caller that sends the requests of one Fetch
// together reads them all in as many steps as the longest takes. Every
// listing follows the rules of a Chain. Each returns the first error.
func Each(ctx context.Context, firsts []string, check Check, fetch Fetch) error {
	chains := make([]*Chain, len(firsts))
	var reqs []Request
	for i, u := range firsts {
		chains[i] = NewChain(u, check)
		reqs = append(reqs, Request{Listing: i, URL: u})
	}
	for len(reqs) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		answers := fetch(ctx, reqs)
		if len(answers) != len(reqs) {
			return fmt.Errorf("paging: %d answers to %d requests", len(answers), len(reqs))
		}
		var next []Request
		for k, a := range answers {
			if a.Err != nil {
				return a.Err
			}
			i := reqs[k].Listing
			link, err := chains[i].Next(a.Next)
			if err != nil {
				return err
			}
			if link != "" {
				next = append(next, Request{Listing: i, URL: link})
			}
		}
		reqs = next
	}
	return nil
}
