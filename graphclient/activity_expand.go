package graphclient

import (
	"bytes"
	"context"
	"errors"
	"strings"
)

// PromptsExpand asks a session listing for each session's prompts inline,
// with the same $select as a prompt listing and their count. Microsoft
// does not document $expand on sessions: it is standard OData 4.0 on a
// containment navigation property, so an answer is believed only where it
// proves itself complete (see SessionPrompts.Complete).
var PromptsExpand = "prompts($select=" + strings.Join(PromptSelect, ",") + ";$count=true)"

// maxExpandedPrompts caps the prompts kept from one session's expansion; a
// session with more has its prompts listed instead.
const maxExpandedPrompts = 1000

// IsPageTooLarge says a listing failed because a page passed
// graph.max_page_bytes, as one with expanded prompts can where one without
// them would not.
func IsPageTooLarge(err error) bool { return errors.Is(err, errPageTooLarge) }

// SessionPrompts is a session's id and timestamps and, when the listing
// expanded them completely, its prompts.
type SessionPrompts struct {
	SessionRef
	// Prompts are the session's prompts; nil unless Complete.
	Prompts []PromptRef
	// Complete says the item carried its prompts with a
	// prompts@odata.count equal to their number, no
	// prompts@odata.nextLink, each prompt valid and listed once.
	// Anything else (the option ignored, no count, a cut, a nextLink, a
	// malformed member) leaves it false: the prompts must be listed.
	Complete bool
}

// SessionListing is one listing of session refs: those matching Filter,
// with their prompts expanded when Expand is set.
type SessionListing struct {
	Filter Filter
	Expand bool
}

// SessionListings is what ListSessionPrompts read, also when it failed.
type SessionListings struct {
	// Sessions holds each listing's sessions; only those of a Whole
	// listing are all there after a failure.
	Sessions [][]SessionPrompts
	// Answered says which listings' first pages were answered: after a
	// refusal it tells which listing Graph refused.
	Answered []bool
	// Whole says which listings were read whole, on one page, in the
	// first round.
	Whole []bool
}

// ListSessionPrompts lists, side by side, the ids and timestamps of the
// workspace's sessions each listing asks for, and the prompts of those
// whose listing expands them.
func (r Reader) ListSessionPrompts(ctx context.Context, workspaceID string, listings []SessionListing, pageSize int) (SessionListings, error) {
	path, err := sessionsPath(workspaceID)
	if err != nil {
		return SessionListings{}, err
	}
	out := SessionListings{Sessions: make([][]SessionPrompts, len(listings)), Answered: make([]bool, len(listings)), Whole: make([]bool, len(listings))}
	firsts := make([]pageReq, len(listings))
	first := make([]pageMeta, len(listings))
	for i, l := range listings {
		q := Query{Filter: l.Filter, Select: SessionRefSelect, Top: pageSize}
		if l.Expand {
			q.Expand = PromptsExpand
		}
		firsts[i] = pageReq{path: path, q: q, item: func(s *scanner) error {
			v, err := decodeSessionPrompts(s)
			if err == nil {
				out.Sessions[i] = append(out.Sessions[i], v)
			}
			return err
		}}
		first[i].Count = -1 // a page never decodes to a negative count: set only when answered
	}
	_, err = r.list(ctx, firsts, first)
	for i, m := range first {
		out.Answered[i] = m.Count >= 0
		out.Whole[i] = out.Answered[i] && m.NextLink == ""
	}
	return out, err
}

// decodeSessionPrompts reads a session ref and its expanded prompts.
func decodeSessionPrompts(s *scanner) (SessionPrompts, error) {
	var out SessionPrompts
	count := int64(-1)
	var seenPrompts, seenCount, broken bool
	r, err := readRefWith(s, true, func(key []byte) error {
		switch {
		case bytes.EqualFold(key, []byte("prompts")):
			ok := !seenPrompts
			seenPrompts = true
			prompts, whole, err := readExpandedPrompts(s)
			out.Prompts, broken = prompts, broken || !ok || !whole
			return err
		case bytes.EqualFold(key, []byte("prompts@odata.count")):
			ok := !seenCount
			seenCount = true
			n, err := readCount(s)
			if s.err != nil {
				return s.err
			}
			count, broken = n, broken || !ok || err != nil
		case bytes.EqualFold(key, []byte("prompts@odata.nextLink")):
			link, err := readOptString(s)
			if s.err != nil {
				return s.err
			}
			broken = broken || err != nil || link != ""
		default:
			return s.skipValue()
		}
		return nil
	})
	if err != nil {
		return SessionPrompts{}, err
	}
	if !r.hasID || r.id == "" {
		return SessionPrompts{}, errors.New("session without an id")
	}
	out.SessionRef = SessionRef{ID: r.id, SessionTimes: r.times}
	out.Complete = seenPrompts && !broken && count == int64(len(out.Prompts)) && distinct(out.Prompts)
	if !out.Complete {
		out.Prompts = nil
	}
	return out, nil
}

// readExpandedPrompts reads a prompts member; whole is false when it is
// not an array, holds an invalid prompt, or more than maxExpandedPrompts.
// The value is consumed either way, unless the stream itself is broken.
func readExpandedPrompts(s *scanner) (prompts []PromptRef, whole bool, err error) {
	if null, err := s.isNull(); null || err != nil {
		return nil, false, err
	}
	if c, err := s.peek(); err != nil || c != '[' {
		return nil, false, firstErr(err, s.skipValue())
	}
	whole = true
	err = s.array(func() error {
		if !whole {
			return s.skipValue()
		}
		id, times, err := decodeRef(s, "prompt")
		if s.err != nil {
			return s.err
		}
		if whole = err == nil && len(prompts) < maxExpandedPrompts; whole {
			prompts = append(prompts, PromptRef{ID: id, Created: times.Created, LastModified: times.LastModified})
		}
		return nil
	})
	return prompts, whole, err
}

func distinct(prompts []PromptRef) bool {
	seen := make(map[string]bool, len(prompts))
	for _, p := range prompts {
		if seen[p.ID] {
			return false
		}
		seen[p.ID] = true
	}
	return true
}
