package paging

import (
	"errors"
	"fmt"
)

// MaxPages bounds one listing, so that a chain of next links that never
// ends fails instead of running until the deadline: 10,000 pages of 1,000
// sessions.
const MaxPages = 10_000

// ErrRepeated says a next link named a page the listing already read.
var ErrRepeated = errors.New("next link repeats an earlier page")

// Check vets a next link before anything, a token least of all, is sent to
// it, and returns the link to fetch: a Check may complete it (Resource
// Manager's links may lack the api-version). A nil Check accepts any link.
type Check func(link string) (string, error)

// Chain is one listing's walk along its next links.
type Chain struct {
	check Check
	pages int
	seen  map[string]struct{}
}

// NewChain starts a listing at the URL of its first page, which a next
// link may not lead back to either.
func NewChain(first string, check Check) *Chain {
	return &Chain{check: check, seen: map[string]struct{}{first: {}}}
}

// Next records that a page was read and returns the link to its next page,
// or "" when link is empty and the listing ended. Whether the page held
// items does not matter. It fails when the listing would pass MaxPages,
// when check refuses the link, or when the link repeats a page.
func (c *Chain) Next(link string) (string, error) {
	c.pages++
	if link == "" {
		return "", nil
	}
	if c.pages >= MaxPages {
		return "", fmt.Errorf("listing did not end after %d pages", MaxPages)
	}
	if c.check != nil {
		var err error
		if link, err = c.check(link); err != nil {
			return "", err
		}
	}
	if _, ok := c.seen[link]; ok {
		return "", ErrRepeated
	}
	c.seen[link] = struct{}{}
	return link, nil
}

// Pages is how many pages the listing has read.
func (c *Chain) Pages() int { return c.pages }
