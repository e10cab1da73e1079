package graphclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Readers of the items of a page. Sessions, the items read by the
// thousand, are read field by field from the stream; the rarer items go
// through encoding/json from their raw text.

// jsonItem reads an item with encoding/json: its raw text is taken from
// the stream, and decode reads it from a Decoder of its own.
func jsonItem(decode func(*json.Decoder) error) itemFunc {
	return func(s *scanner) error {
		raw, err := s.rawValue()
		if err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		return decode(dec)
	}
}

// jsonValue is jsonItem for the decoders of listEach.
func jsonValue[T any](decode func(*json.Decoder) (T, error)) func(*scanner) (T, error) {
	return func(s *scanner) (v T, err error) {
		err = jsonItem(func(dec *json.Decoder) error {
			v, err = decode(dec)
			return err
		})(s)
		return v, err
	}
}

// skipItem reads an item and keeps nothing of it.
func skipItem(s *scanner) error { return s.skipValue() }

// ref is what a session or a prompt holds for the exporter.
type ref struct {
	id    string
	hasID bool
	times SessionTimes
	// rawID is the id as read, when readRawRef read it: valid until the
	// scanner reads the next id (its own copy when extra members are read).
	rawID []byte
}

// readRef reads an item with an id and the two timestamps, as sessions and
// prompts have, without building anything else: other members are
// skipped. It reads as encoding/json would into a struct of *string
// fields: names match regardless of case, the last of repeated members
// counts, null leaves a field unset, and any other non-string fails.
func readRef(s *scanner, wantID bool) (ref, error) { return readRefWith(s, wantID, nil) }

// readRefWith is readRef that hands every other member to extra, when not
// nil, which must read its value.
func readRefWith(s *scanner, wantID bool, extra func(key []byte) error) (ref, error) {
	out, err := readRawRefWith(s, wantID, extra)
	if out.hasID {
		out.id, out.rawID = string(out.rawID), nil
	}
	return out, err
}

// readRawRef is readRef leaving the id as bytes, in the scanner's scratch,
// so that a caller that keeps it in a form of its own allocates nothing
// per item.
func readRawRef(s *scanner, wantID bool) (ref, error) { return readRawRefWith(s, wantID, nil) }

func readRawRefWith(s *scanner, wantID bool, extra func(key []byte) error) (ref, error) {
	var out ref
	if null, err := s.isNull(); null || err != nil {
		return out, err
	}
	c, err := s.peek()
	if err != nil {
		return out, err
	}
	if c != '{' {
		return out, firstErr(s.skipValue(), fmt.Errorf("expected an object, got %s", describeByte(c)))
	}
	var created, modified timeField
	var bad error // a member that is not a string: the item fails once read
	err = s.object(func(key []byte) error {
		switch {
		case isKey(key, PropCreated):
			bad = firstErr(bad, created.read(s, PropCreated))
		case isKey(key, PropLastModified):
			bad = firstErr(bad, modified.read(s, PropLastModified))
		case wantID && isKey(key, "id"):
			out.rawID, out.hasID = nil, false
			if null, err := s.isNull(); null || err != nil {
				return err
			}
			if c, err := s.peek(); err != nil || c != '"' {
				bad = firstErr(bad, fmt.Errorf("id: expected a string, got %s", describeByte(c)))
				return firstErr(err, s.skipValue())
			}
			b, err := s.readString()
			if extra != nil {
				// extra may read items of its own (expanded prompts),
				// whose ids would overwrite the scanner's scratch.
				out.rawID, out.hasID = bytes.Clone(b), err == nil
				return err
			}
			s.id = append(s.id[:0], b...)
			out.rawID, out.hasID = s.id, err == nil
			return err
		case extra != nil:
			return extra(key)
		default:
			return s.skipValue()
		}
		return s.err
	})
	if err = firstErr(err, bad, created.err, modified.err); err != nil {
		return out, err
	}
	out.times = SessionTimes{Created: created.t, LastModified: modified.t}
	return out, nil
}

// isKey matches a member's name as encoding/json does, regardless of
// case; Graph writes the names as they are spelled, which is checked first.
func isKey(key []byte, name string) bool {
	return string(key) == name || bytes.EqualFold(key, []byte(name))
}

// timeField is a timestamp member as read so far: a later member of the
// same name replaces it, error included, as encoding/json would.
type timeField struct {
	t   time.Time
	err error
}

// read reads the member's value; a value that is not a string or null is
// returned as an error, after it is consumed.
func (f *timeField) read(s *scanner, name string) error {
	*f = timeField{}
	if null, err := s.isNull(); null || err != nil {
		return err
	}
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != '"' {
		return firstErr(s.skipValue(), fmt.Errorf("%s: expected a string, got %s", name, describeByte(c)))
	}
	b, err := s.readString()
	if err != nil {
		return err
	}
	if f.t, f.err = parseTimestampBytes(b); f.err != nil {
		f.err = fmt.Errorf("%s: %w", name, f.err)
	}
	return nil
}

// firstErr returns the first error that is not nil.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
