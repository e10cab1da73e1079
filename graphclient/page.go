package graphclient

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// maxPageBytes caps one page. A page of 1,000 sessions with every property
// is about 250 KiB; anything near the cap is not a page of sessions.
const maxPageBytes = 32 << 20

// maxCount is far above any real workspace; a larger count is corruption.
const maxCount = 1 << 40

var errPageTooLarge = errors.New("page too large")

// pageTooLarge is errPageTooLarge with the cap it passed.
type pageTooLarge struct{ max int64 }

func (e pageTooLarge) Error() string {
	return fmt.Sprintf("page larger than %d bytes (graph.max_page_bytes)", e.max)
}

func (pageTooLarge) Is(target error) bool { return target == errPageTooLarge }

// maxPage is the cap of one page: the client's, or the default for a
// client built without New (in tests).
func (c *Client) maxPage() int64 {
	if c.pageCap > 0 {
		return c.pageCap
	}
	return maxPageBytes
}

// pageMeta is what a collection page says about itself besides its items.
type pageMeta struct {
	Count    int64
	HasCount bool
	NextLink string
	Items    int
}

// itemFunc reads one element of a page's "value" array. It consumes the
// element whole, or fails with the scanner's sticky error.
type itemFunc func(*scanner) error

// decodePage reads one collection page as a stream, handing each element
// of "value" to item as it arrives so that a page is never held whole.
// Unknown properties and @-annotations are skipped.
func decodePage(r io.Reader, item itemFunc) (pageMeta, error) {
	return decodePageUpTo(r, item, maxPageBytes)
}

// decodePageUpTo is decodePage for a page of at most maxBytes.
func decodePageUpTo(r io.Reader, item itemFunc, maxBytes int64) (pageMeta, error) {
	lr := &limitedReader{r: r, left: maxBytes, max: maxBytes}
	s := newScanner(lr)
	defer s.release()
	meta, err := readPage(s, item)
	if err == nil && !s.atEOF() {
		err = errors.New("data after the JSON object")
	}
	if err != nil {
		return meta, lr.wrap(err)
	}
	return meta, nil
}

// readPage reads one page from s. When it fails without a sticky error,
// the page was consumed whole, and the stream can be read on.
func readPage(s *scanner, item itemFunc) (pageMeta, error) {
	var meta pageMeta
	s.count = -1
	c, err := s.peek()
	if err != nil {
		return meta, err
	}
	if c != '{' {
		return meta, cmp.Or(s.skipValue(), fmt.Errorf("expected '{', got %s", describeByte(c)))
	}
	var seenValue, seenCount, seenNext bool
	var first error // the first error that left the stream readable
	err = s.object(func(key []byte) error {
		if first != nil {
			return s.skipValue()
		}
		switch string(key) {
		case "value":
			if first = once(s, &seenValue, key); first == nil {
				meta.Items, first = readItems(s, item)
			}
		case "@odata.count":
			if first = once(s, &seenCount, key); first == nil {
				meta.Count, first = readCount(s)
				if meta.HasCount = first == nil; meta.HasCount {
					s.count = meta.Count
				}
			}
		case "@odata.nextLink":
			if first = once(s, &seenNext, key); first == nil {
				if meta.NextLink, first = readOptString(s); first != nil {
					first = fmt.Errorf("@odata.nextLink: %w", first)
				}
			}
		default:
			return s.skipValue()
		}
		return s.err
	})
	switch {
	case err != nil:
		return meta, err
	case first != nil:
		return meta, first
	case !seenValue:
		return meta, errors.New(`collection answer has no "value" array`)
	}
	return meta, nil
}

// once refuses a member read twice: JSON leaves duplicate members
// undefined, and a page with two "value" arrays or two counts has no one
// meaning. A refused member's value is skipped.
func once(s *scanner, seen *bool, key []byte) error {
	if *seen {
		err := fmt.Errorf("duplicate member %q in the page", key)
		return cmp.Or(s.skipValue(), err)
	}
	*seen = true
	return nil
}

// readItems reads the "value" array. After the first failing item, the
// rest are skipped, so that the stream stays readable.
func readItems(s *scanner, item itemFunc) (int, error) {
	c, err := s.peek()
	if err != nil {
		return 0, err
	}
	if c != '[' {
		return 0, cmp.Or(s.skipValue(), fmt.Errorf("value: expected '[', got %s", describeByte(c)))
	}
	n := 0
	var first error
	err = s.array(func() error {
		if first != nil {
			return s.skipValue()
		}
		if err := item(s); err != nil {
			if s.err != nil {
				return s.err
			}
			first = fmt.Errorf("value[%d]: %w", n, err)
			return nil
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("value: %w", err)
	}
	return n, first
}

// readCount accepts only a non-negative integer: a count of -1, 3.5 or
// "12" is a broken answer, not a number to export.
func readCount(s *scanner) (int64, error) {
	c, err := s.peek()
	if err != nil {
		return 0, err
	}
	if c != '-' && (c < '0' || c > '9') {
		return 0, cmp.Or(s.skipValue(), fmt.Errorf("@odata.count %s is not a plausible count", describeByte(c)))
	}
	num, err := s.readNumber()
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil || v < 0 || v > maxCount {
		return 0, fmt.Errorf("@odata.count %s is not a plausible count", truncate(string(num), 40))
	}
	return v, nil
}

// readOptString reads a string, or null as "", as encoding/json decodes
// into a string. Any other value is left unread.
func readOptString(s *scanner) (string, error) {
	if null, err := s.isNull(); null || err != nil {
		return "", err
	}
	c, err := s.peek()
	if err != nil {
		return "", err
	}
	if c != '"' {
		return "", cmp.Or(s.skipValue(), fmt.Errorf("expected a string, got %s", describeByte(c)))
	}
	b, err := s.readString()
	return string(b), err
}

// limitedReader fails once the cap is passed, instead of io.LimitReader's
// silent EOF, which would turn an oversized page into "truncated JSON".
type limitedReader struct {
	r         io.Reader
	left, max int64
	exceeded  bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.exceeded = true
		return 0, pageTooLarge{l.max}
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedReader) wrap(err error) error {
	if l.exceeded {
		return pageTooLarge{l.max}
	}
	return fmt.Errorf("decode page: %w", err)
}
