package graphclient

import (
	"encoding/json"
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

var errPageTooLarge = fmt.Errorf("page larger than %d bytes", maxPageBytes)

// pageMeta is what a collection page says about itself besides its items.
type pageMeta struct {
	Count    int64
	HasCount bool
	NextLink string
	Items    int
}

// decodePage reads one collection page token by token, handing each element
// of "value" to item as it arrives so that a page is never held whole.
// Unknown properties and @-annotations are skipped.
func decodePage(r io.Reader, item func(*json.Decoder) error) (pageMeta, error) {
	var meta pageMeta
	lr := &limitedReader{r: r, left: maxPageBytes}
	dec := json.NewDecoder(lr)
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return meta, lr.wrap(err)
	}
	seen := map[string]bool{}
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return meta, lr.wrap(err)
		}
		// JSON leaves duplicate members undefined; a page with two "value"
		// arrays or two counts has no one meaning, so it is refused. Only
		// the members read are tracked, so an answer cannot grow the map.
		if known := key == "value" || key == "@odata.count" || key == "@odata.nextLink"; known && seen[key] {
			return meta, lr.wrap(fmt.Errorf("duplicate member %q in the page", key))
		} else if known {
			seen[key] = true
		}
		switch key {
		case "value":
			if meta.Items, err = decodeArray(dec, item); err != nil {
				return meta, lr.wrap(err)
			}
		case "@odata.count":
			if meta.Count, err = decodeCount(dec); err != nil {
				return meta, lr.wrap(err)
			}
			meta.HasCount = true
		case "@odata.nextLink":
			if err := dec.Decode(&meta.NextLink); err != nil {
				return meta, lr.wrap(fmt.Errorf("@odata.nextLink: %w", err))
			}
		default:
			if err := skipValue(dec); err != nil {
				return meta, lr.wrap(err)
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return meta, lr.wrap(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return meta, lr.wrap(errors.New("data after the JSON object"))
	}
	if !seen["value"] {
		return meta, errors.New(`collection answer has no "value" array`)
	}
	return meta, nil
}

func decodeArray(dec *json.Decoder, item func(*json.Decoder) error) (int, error) {
	if err := expectDelim(dec, '['); err != nil {
		return 0, fmt.Errorf("value: %w", err)
	}
	n := 0
	for dec.More() {
		if err := item(dec); err != nil {
			return n, fmt.Errorf("value[%d]: %w", n, err)
		}
		n++
	}
	if err := expectDelim(dec, ']'); err != nil {
		return n, fmt.Errorf("value: %w", err)
	}
	return n, nil
}

// decodeCount accepts only a non-negative integer: a count of -1, 3.5 or
// "12" is a broken answer, not a number to export.
func decodeCount(dec *json.Decoder) (int64, error) {
	tok, err := dec.Token()
	if err != nil {
		return 0, fmt.Errorf("@odata.count: %w", err)
	}
	n, isNumber := tok.(json.Number)
	v, err := n.Int64()
	if !isNumber || err != nil || v < 0 || v > maxCount {
		return 0, fmt.Errorf("@odata.count %s is not a plausible count", describeToken(tok))
	}
	return v, nil
}

func objectKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("expected an object key, got %s", describeToken(tok))
	}
	return key, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, got %s", want, describeToken(tok))
	}
	return nil
}

// describeToken names a token in an error without copying a long string
// or number of the answer into what becomes one log line.
func describeToken(tok json.Token) string {
	if s, ok := tok.(string); ok {
		return strconv.Quote(truncate(s, 40))
	}
	return truncate(fmt.Sprint(tok), 40)
}

// skipValue discards one JSON value of any shape without building it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// limitedReader fails once the cap is passed, instead of io.LimitReader's
// silent EOF, which would turn an oversized page into "truncated JSON".
type limitedReader struct {
	r        io.Reader
	left     int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.exceeded = true
		return 0, errPageTooLarge
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
		return errPageTooLarge
	}
	return fmt.Errorf("decode page: %w", err)
}
