package plan

import (
	"context"
	"errors"
	"time"
)

// Prop is a session timestamp property.
type Prop int

const (
	Created      Prop = iota // createdDateTime
	LastModified             // lastModifiedDateTime
)

// Op is a comparison of a timestamp with a point in time.
type Op int

const (
	GE Op = iota
	GT
	LE
	LT
)

// Condition compares one timestamp property with a point in time.
type Condition struct {
	Prop Prop
	Op   Op
	Time time.Time
}

// Filter is a conjunction of conditions; nil matches every session.
type Filter []Condition

// Session is what a listing says of one session. A zero time means Graph
// did not set the timestamp (0001-01-01 or null).
type Session struct {
	ID           ID
	Created      time.Time
	LastModified time.Time
}

// Request is one GET of a workspace's sessions collection, always selecting
// id, createdDateTime and lastModifiedDateTime, or the continuation of a
// listing.
type Request struct {
	// Next, when set, is an @odata.nextLink from an earlier Page, fetched as
	// given; the other fields are then ignored.
	Next   string
	Filter Filter
	Count  bool // $count=true
	Top    int  // $top; 0 leaves the page size to Graph
	// Summary, when set, lets the Source answer with a page that has no
	// next link as Page.Summary = Summary.Of(its sessions), and no
	// sessions, as soon as the page is read; a Source may ignore it.
	Summary *Summarizer
}

// Page is Graph's answer to one Request.
type Page struct {
	Sessions []Session
	Count    int64 // @odata.count; meaningful only with HasCount
	HasCount bool
	NextLink string // empty on the last page
	// Summary, when not nil, stands for the sessions of a page without a
	// next link, which are then left out; see Request.Summary.
	Summary *Summary
}

// Answer is a Page, or the error that kept it from being read.
type Answer struct {
	Page Page
	Err  error
}

// ErrRefused marks an error of a Source whose meaning is "Graph does not
// support this query" (it answered 400 to a $filter or $count). A plan may
// fall back to listing on it; any other error fails the workspace.
var ErrRefused = errors.New("graph refused the query")

// Source sends Requests. Fetch sends the requests of one call together (a
// plan asks for what it can in one round) and returns one Answer per
// Request, in order. It retries throttled requests itself; an Answer's Err
// is final.
type Source interface {
	Fetch(ctx context.Context, reqs []Request) []Answer
}

// Settings are what a plan needs from the configuration.
type Settings struct {
	Now          time.Time   // the instant the numbers are for
	WindowStarts []time.Time // start of each window, in config order
	Top          int         // the $top to ask for (graph.page_size)
	// Scratch, when not nil, lends memory across the reads that share it.
	Scratch *Scratch
}

// Result is what one read learns about one workspace.
type Result struct {
	Sessions int64
	Created  []int64 // per window, in config order: createdDateTime ge start
	Active   []int64 // per window: lastModifiedDateTime ge start
	// Zero when there is none: an empty workspace, or only unset times.
	Newest, Oldest, LastModified time.Time
	// Plan names the plan that produced the numbers, for logs and tests.
	Plan string
	// FellBack, when not empty, says why this read switched the workspace to
	// listing (for one log line); it is remembered in Memory.
	FellBack string
	// Requests and Rounds are what the read cost: Requests sent, in Rounds
	// calls of Source.Fetch.
	Requests, Rounds int
}

// Memory is what a plan keeps about a workspace between reads; the zero
// value is a workspace never read. The caller stores it and hands it back.
type Memory struct {
	// Page is the page size Graph serves, learned from the items on a page
	// that has a next one; 0 until a listing had two pages.
	Page int
	// Counted says the workspace is too large to list: Graph counts it.
	Counted bool
	// ListingUntil: Graph refused or ignored $filter, so the workspace is
	// listed until then; the first read after it asks again, with one
	// request beside the listing's first page.
	ListingUntil time.Time
	// NoCount: Graph refused $count=true itself, so listings go without it.
	NoCount bool
	// Honours: Graph answered a $filter as asked, so a counted read may
	// rely on it; a read that would switch a listed workspace to counting
	// asks first, with one request, while this is not known.
	Honours bool
	// Failed: the last read failed. The next one asks for the first page
	// alone before it counts, as listing would, so that a workspace Graph
	// keeps failing (404 once deleted, 403) costs one request a read.
	Failed bool
	// Where the next counted read checks the extremes from: those the last
	// read found, or a few sessions short of them, so that deleting the
	// newest or the oldest session does not cost the next read a search.
	Newest, Oldest, LastModified time.Time
	// Tied marks, for the newest, the oldest and the last modified in that
	// order, a check that holds more than a page of sessions sharing its
	// tick: the next read also counts one tick beyond it, which pins the
	// extreme in the same round.
	Tied [3]bool
	// parts is the partition a listed workspace of a few pages is read
	// with next, learned from this read's sessions; nil lists it.
	parts *partition
	// unparted: Graph answered a partition with fewer sessions than it
	// counted, so the workspace is not partitioned until then.
	unparted time.Time
}
