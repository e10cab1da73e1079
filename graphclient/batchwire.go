package graphclient

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// The wire format of JSON batching: what a $batch request holds and how its
// answer is read.

type batchRequest struct {
	ID     string `json:"id"`
	Method string `json:"method"`
	URL    string `json:"url"`
}

// batchResponse is one item of a $batch answer, as far as it is read:
// the headers the exporter uses, and the body when it could not be read
// straight into its call as it streamed by.
type batchResponse struct {
	ID     string
	Status int
	Body   []byte

	contentType, retryAfter, requestID string

	seen     [4]bool // id, status, headers, body
	streamed bool    // the body went straight into the call
	meta     pageMeta
	pageErr  error // what reading the streamed body gave
	err      error // the item itself is malformed
}

// header looks up one of the headers kept of an item.
func (r *batchResponse) header(name string) string {
	switch {
	case strings.EqualFold(name, "Content-Type"):
		return r.contentType
	case strings.EqualFold(name, "Retry-After"):
		return r.retryAfter
	case strings.EqualFold(name, "request-id"):
		return r.requestID
	}
	return ""
}

// batchReader reads a $batch answer straight into its calls: a page in
// the answer is decoded once, as it streams by, by its call's item reader.
type batchReader struct {
	c        *Client
	calls    []*pageCall
	answered []bool
	// settle is handed every item read, with the index of the call it
	// answers, or -1.
	settle func(i int, r *batchResponse)
}

// decodeBatch streams the "responses" array, settling each item as soon as
// it is read. A page body that follows its item's id, status and headers,
// as Graph writes them, is read into the call while it streams; any other
// body is kept raw (within the answer's cap) and read once the item ends.
func (b *batchReader) decodeBatch(resp *http.Response) error {
	if err := checkJSON(resp); err != nil {
		return err
	}
	// The door caps the body: past the cap, reads fail with its error.
	s := newScanner(resp.Body)
	defer s.release()
	path := "$batch"
	if resp.Request != nil && resp.Request.URL != nil {
		path = resp.Request.URL.Path
	}
	wrap := func(err error) error {
		// The answer streams: it can break after its status was read.
		return fmt.Errorf("graph POST %s: decode answer%s: %w", path, requestIDNote(resp.Header.Get("request-id")), err)
	}
	sawResponses := false
	err := s.object(func(key []byte) error {
		if string(key) != "responses" {
			return s.skipValue()
		}
		if sawResponses {
			// Which of the two arrays is the answer? Neither counts.
			err := errors.New(`two "responses" arrays`)
			for i, call := range b.calls {
				if b.answered[i] {
					call.err, call.transient = wrap(err), false
				}
			}
			return err
		}
		sawResponses = true
		return s.array(func() error { return b.item(s) })
	})
	if err != nil {
		return wrap(err)
	}
	if !sawResponses {
		return wrap(errors.New(`no "responses" array`))
	}
	return nil
}

// call is the index of the call an item answers, or -1 when the item
// answers none of ours. Ids are the ones postBatch gave, exactly.
func (b *batchReader) call(r *batchResponse) int {
	i, err := strconv.Atoi(r.ID)
	if err != nil || i < 1 || i > len(b.calls) || strconv.Itoa(i) != r.ID {
		return -1
	}
	return i - 1
}

// item reads one item and settles the call it answers.
func (b *batchReader) item(s *scanner) error {
	if c, err := s.peek(); err != nil {
		return err
	} else if c != '{' {
		return fmt.Errorf("an item is %s, not an object", describeByte(c))
	}
	r := &batchResponse{}
	err := s.object(func(key []byte) error {
		m := itemMember(key)
		if m < 0 {
			return s.skipValue()
		}
		if r.seen[m] {
			r.err = firstErr(r.err, fmt.Errorf("the item has two %q members", key))
			return s.skipValue()
		}
		r.seen[m] = true
		var err error
		switch m {
		case memberID:
			r.ID, err = readOptString(s)
		case memberStatus:
			r.Status, err = readStatus(s)
		case memberHeaders:
			err = r.readHeaders(s)
		case memberBody:
			return b.body(s, r)
		}
		r.err = firstErr(r.err, err)
		return s.err
	})
	if err != nil {
		return err
	}
	b.settle(b.call(r), r)
	return nil
}

const (
	memberID = iota
	memberStatus
	memberHeaders
	memberBody
)

// itemMember names the member of an item a key is, matched regardless of
// case as encoding/json matches fields, or -1.
func itemMember(key []byte) int {
	for m, name := range [...]string{"id", "status", "headers", "body"} {
		if bytes.EqualFold(key, []byte(name)) {
			return m
		}
	}
	return -1
}

// body reads an item's body: straight into its call when everything that
// decides how is already known, raw otherwise.
func (b *batchReader) body(s *scanner, r *batchResponse) error {
	i := -1
	if r.seen[memberID] {
		if i = b.call(r); i < 0 || b.answered[i] {
			return s.skipValue() // not ours, or answered before: unread
		}
	}
	if i < 0 || !r.seen[memberStatus] || !r.seen[memberHeaders] || r.err != nil ||
		r.Status < 200 || r.Status > 299 || !isJSON(r.contentType) {
		var err error
		r.Body, err = s.rawValue()
		return err
	}
	start := s.offset()
	s.pageLimit = start + b.c.maxPage() // bounds the reading within a buffer
	r.meta, r.pageErr = readPage(s, b.calls[i].item)
	s.pageLimit = 0
	r.streamed = true
	if errors.Is(r.pageErr, errPageTooLarge) || s.err == nil && s.offset()-start > b.c.maxPage() {
		r.pageErr = pageTooLarge{b.c.maxPage()} // exactly
	}
	return s.err
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// readStatus reads an item's status: an integer, or null as 0.
func readStatus(s *scanner) (int, error) {
	if null, err := s.isNull(); null || err != nil {
		return 0, err
	}
	c, err := s.peek()
	if err != nil {
		return 0, err
	}
	if c != '-' && (c < '0' || c > '9') {
		return 0, firstErr(s.skipValue(), fmt.Errorf("status is %s, not a number", describeByte(c)))
	}
	num, err := s.readNumber()
	if err != nil {
		return 0, err
	}
	v, err := strconv.Atoi(string(num))
	if err != nil {
		return 0, fmt.Errorf("status %q is not an integer", truncate(string(num), 20))
	}
	return v, nil
}

// readHeaders keeps the headers the exporter uses; every value must be a
// string (or null).
func (r *batchResponse) readHeaders(s *scanner) error {
	if null, err := s.isNull(); null || err != nil {
		return err
	}
	var bad error
	err := s.object(func(key []byte) error {
		var dst *string
		switch {
		case bytes.EqualFold(key, []byte("Content-Type")):
			dst = &r.contentType
		case bytes.EqualFold(key, []byte("Retry-After")):
			dst = &r.retryAfter
		case bytes.EqualFold(key, []byte("request-id")):
			dst = &r.requestID
		}
		v, err := readOptString(s)
		if err != nil {
			bad = firstErr(bad, fmt.Errorf("header %q: %w", truncate(string(key), 40), err))
		} else if dst != nil {
			*dst = v
		}
		return s.err
	})
	return firstErr(err, bad)
}
