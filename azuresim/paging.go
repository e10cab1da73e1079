package azuresim

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// pageKey is the position of an item in serving order. Paging by key rather
// than by offset keeps later pages right when sessions are added meanwhile.
type pageKey struct {
	t  time.Time
	id string
}

func (k pageKey) compare(o pageKey) int {
	if c := k.t.Compare(o.t); c != 0 {
		return c
	}
	return strings.Compare(k.id, o.id)
}

// record is an item of a served collection.
type record interface {
	key() pageKey
	timeValue(prop string) time.Time
	// stringValue reports ok=false for null.
	stringValue(prop string) (v string, ok bool)
}

// recordPtr lets collect take a []T of values and use *T as a record
// without copying each item into an interface.
type recordPtr[T any] interface {
	*T
	record
}

// collect scans items, which are in key order, and returns the page of at
// most size matching items after the key, the number of all matching items
// and whether more matching items follow the page.
func collect[T any, P recordPtr[T]](items []T, match predicate, after *pageKey, size int) (page []T, total int, more bool) {
	for i := range items {
		p := P(&items[i])
		if match != nil && !match(p) {
			continue
		}
		total++
		if after != nil && p.key().compare(*after) <= 0 {
			continue
		}
		if len(page) < size {
			page = append(page, items[i])
		} else {
			more = true
		}
	}
	return page, total, more
}

func (s *Session) key() pageKey { return pageKey{t: s.Created, id: s.ID} }

func (s *Session) timeValue(prop string) time.Time {
	switch prop {
	case "createdDateTime":
		return s.Created
	case "lastModifiedDateTime":
		return s.LastModified
	}
	return time.Time{}
}

func (s *Session) stringValue(prop string) (string, bool) {
	switch prop {
	case "id":
		return s.ID, true
	case "displayName":
		if s.DisplayName != nil {
			return *s.DisplayName, true
		}
	}
	return "", false
}

func (w *Workspace) key() pageKey               { return pageKey{id: w.ID} }
func (w *Workspace) timeValue(string) time.Time { return time.Time{} }

func (w *Workspace) stringValue(prop string) (string, bool) {
	switch prop {
	case "id":
		return w.ID, true
	case "displayName":
		return w.DisplayName, true
	}
	return "", false
}

// skipToken is what an opaque $skiptoken carries: where the next page
// starts and the request it continues, so that it cannot be replayed against
// another collection or with other options.
type skipToken struct {
	Route string    `json:"r"`
	Query string    `json:"q"`
	After time.Time `json:"t"`
	ID    string    `json:"i"`
	// Offset, with ListingQuirks.OffsetPaging, is where the next page
	// starts among the matching items.
	Offset int `json:"o,omitempty"`
	// Start says the page starts at the first item (After and ID unset),
	// and Empty that the empty page of ListingQuirks.EmptyPages was served
	// there already.
	Start bool `json:"s,omitempty"`
	Empty bool `json:"e,omitempty"`
}

func encodeSkipToken(t skipToken) (string, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("encode $skiptoken: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func decodeSkipToken(s string) (skipToken, error) {
	var t skipToken
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return t, fmt.Errorf("decode $skiptoken: %w", err)
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return t, fmt.Errorf("decode $skiptoken: %w", err)
	}
	if t.Route == "" {
		return t, errors.New("decode $skiptoken: no route")
	}
	return t, nil
}

// resumeAfter checks a $skiptoken against the request it arrived with and
// returns the key after which the page starts.
func resumeAfter(q queryOptions, route string) (*pageKey, error) {
	if !q.hasSkipToken {
		return nil, nil
	}
	t, err := decodeSkipToken(q.skipToken)
	if err != nil {
		return nil, badRequest("The $skiptoken '%s' is not valid.", q.skipToken)
	}
	if t.Route != route || t.Query != q.canonical {
		return nil, badRequest("The $skiptoken does not belong to this request: follow @odata.nextLink as given.")
	}
	if t.Start {
		return nil, nil
	}
	return &pageKey{t: t.After, id: t.ID}, nil
}

// emptyServed says the $skiptoken that resumeAfter accepted continues
// from an empty page of ListingQuirks.EmptyPages.
func emptyServed(q queryOptions) bool {
	if !q.hasSkipToken {
		return false
	}
	t, _ := decodeSkipToken(q.skipToken)
	return t.Empty
}

// emptyPageLink is the @odata.nextLink of the empty page ListingQuirks.
// EmptyPages serves where l starts: the same position, marked served.
func (s *Server) emptyPageLink(escapedPath string, l *listing) (string, error) {
	t := skipToken{Route: l.route, Query: l.q.canonical, Offset: resumeOffset(l.q), Empty: true, Start: l.after == nil}
	if l.after != nil {
		t.After, t.ID = l.after.t, l.after.id
	}
	return s.nextLinkToken(escapedPath, l.q, t)
}

// resumeOffset is the offset a $skiptoken that resumeAfter accepted
// carries.
func resumeOffset(q queryOptions) int {
	if !q.hasSkipToken {
		return 0
	}
	t, _ := decodeSkipToken(q.skipToken)
	return t.Offset
}

// nextLink builds an absolute @odata.nextLink on the path the request used.
func (s *Server) nextLink(escapedPath string, q queryOptions, route string, last pageKey) (string, error) {
	return s.nextLinkToken(escapedPath, q, skipToken{Route: route, Query: q.canonical, After: last.t, ID: last.id})
}

func (s *Server) nextLinkToken(escapedPath string, q queryOptions, t skipToken) (string, error) {
	tok, err := encodeSkipToken(t)
	if err != nil {
		return "", err
	}
	link := s.url + escapedPath + "?"
	if q.canonical != "" {
		link += q.canonical + "&"
	}
	return link + "$skiptoken=" + tok, nil
}
