package graphclient

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner reads JSON from a stream in one pass, without reflection: a
// $batch answer is read straight into the pages it holds, and each page
// straight into the values its items give. It is as strict as
// encoding/json's grammar; a syntax or read error is sticky, so that once
// one is met every later read fails with it.
//
// Readers of a value either consume it whole or fail with the sticky
// error: a value that is well-formed JSON but not what was wanted (a
// count that is a string, a timestamp that does not parse) is consumed
// and reported without breaking the stream, so that the rest of a $batch
// answer can still be read.
type scanner struct {
	r    io.Reader
	buf  []byte
	pos  int   // next unread byte of buf
	end  int   // bytes of buf holding data
	base int64 // offset in the stream of buf[0]
	err  error // sticky: syntax or read error

	// pageLimit, when not 0, is the stream offset past which the page
	// being read is too large.
	pageLimit int64

	capturing bool
	captured  []byte
	capFrom   int // buf offset from which bytes are not yet captured

	// count is the @odata.count of the page being read, once read (-1
	// before): Graph writes it before "value", and a reader that keeps
	// the items sizes its slice by it rather than growing it.
	count int64

	str []byte // scratch of strings that cross a refill or have escapes
	key []byte // the current object key, kept across refills
	id  []byte // the id of the item being read, kept across refills
}

const scanBufSize = 32 << 10

// maxNesting bounds how deep skipValue follows arrays and objects, as
// encoding/json does, so that hostile nesting cannot exhaust memory.
const maxNesting = 10000

var scanBufs = sync.Pool{New: func() any { b := make([]byte, scanBufSize); return &b }}

func newScanner(r io.Reader) *scanner {
	return &scanner{r: r, buf: *scanBufs.Get().(*[]byte)}
}

// release returns the scanner's buffer for another scanner to use; the
// scanner, and any slice it returned, must not be used afterwards.
func (s *scanner) release() {
	b := s.buf[:cap(s.buf)]
	s.buf = nil
	scanBufs.Put(&b)
}

// offset is the position in the stream of the next unread byte.
func (s *scanner) offset() int64 { return s.base + int64(s.pos) }

func (s *scanner) fail(err error) error {
	if s.err == nil {
		s.err = err
	}
	return s.err
}

func (s *scanner) syntax(format string, args ...any) error {
	return s.fail(fmt.Errorf("offset %d: "+format, append([]any{s.offset()}, args...)...))
}

// fill reads more of the stream once buf is used up. io.EOF becomes
// io.ErrUnexpectedEOF: a JSON value that is cut off is a broken answer.
func (s *scanner) fill() error { return s.more() }

// more moves the unread bytes to the front of buf and reads more after
// them, so that a short token that crosses a read stays in one piece.
func (s *scanner) more() error {
	if s.err != nil {
		return s.err
	}
	if s.capturing {
		s.captured = append(s.captured, s.buf[s.capFrom:s.pos]...)
		s.capFrom = 0
	}
	s.end = copy(s.buf, s.buf[s.pos:s.end])
	s.base += int64(s.pos)
	s.pos = 0
	if s.pageLimit != 0 && s.base > s.pageLimit {
		return s.fail(errPageTooLarge)
	}
	for range 100 {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if n > 0 {
			return nil
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return s.fail(err)
		}
	}
	return s.fail(io.ErrNoProgress)
}

// peek skips whitespace and returns the next byte without consuming it.
func (s *scanner) peek() (byte, error) {
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
				return c, nil
			}
			s.pos++
		}
		if err := s.fill(); err != nil {
			return 0, err
		}
	}
}

// atEOF reports whether only whitespace is left in the stream.
func (s *scanner) atEOF() bool {
	_, err := s.peek()
	if errors.Is(err, io.ErrUnexpectedEOF) && s.err == err {
		s.err = nil
		return true
	}
	return false
}

// expect consumes the byte c, after any whitespace.
func (s *scanner) expect(c byte) error {
	got, err := s.peek()
	if err != nil {
		return err
	}
	if got != c {
		return s.syntax("expected %q, got %s", c, describeByte(got))
	}
	s.pos++
	return nil
}

func describeByte(c byte) string {
	switch {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	}
	return fmt.Sprintf("%q", c)
}

// object reads an object, handing each key to member, which must read
// that member's value. key is valid only until member reads further.
func (s *scanner) object(member func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c == '}' {
		s.pos++
		return nil
	}
	for {
		k, err := s.readString()
		if err != nil {
			return err
		}
		s.key = append(s.key[:0], k...)
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(s.key); err != nil {
			return err
		}
		if done, err := s.separator('}', "an object member"); done || err != nil {
			return err
		}
	}
}

// array reads an array, calling elem for each element, which must read it.
func (s *scanner) array(elem func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c == ']' {
		s.pos++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		if done, err := s.separator(']', "an array element"); done || err != nil {
			return err
		}
	}
}

// separator reads what follows a member or an element: ',' when more
// follow, or close at the end.
func (s *scanner) separator(close byte, after string) (done bool, err error) {
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	s.pos++
	switch c {
	case ',':
		return false, nil
	case close:
		return true, nil
	}
	s.pos--
	return false, s.syntax("expected ',' or '%c' after %s, got %s", close, after, describeByte(c))
}

// stringStop marks the bytes the fast path of readString stops at: the
// closing quote, an escape, a control byte, and a byte of a multi-byte
// UTF-8 sequence, after which the string is checked as UTF-8 once read.
// One lookup a byte, where Graph's strings are short and plain ASCII.
var stringStop = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf
	}
	return t
}()

// anyStop reports whether any of the 8 bytes in x is one stringStop
// marks, 8 at a time: a quote, a backslash, a byte below 0x20, or one
// of 0x80 and above (the tests of "Bit Twiddling Hacks", exact as a yes
// or no).
func anyStop(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	below := (x - ones*0x20) & ^x & highs
	return (below | hasZero(x^(ones*'"')) | hasZero(x^(ones*'\\')) | x&highs) != 0
}

// readString reads a string and returns it unescaped. The slice is valid
// until the next read.
func (s *scanner) readString() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	// Fast path: no escape and no control byte. A string that crosses the
	// end of what was read is kept in one piece by reading more after it.
	i, ascii := s.pos, true
	for {
		for i < s.end {
			if i+8 <= s.end && !anyStop(binary.LittleEndian.Uint64(s.buf[i:])) {
				i += 8
				continue
			}
			c := s.buf[i]
			if !stringStop[c] {
				i++
				continue
			}
			switch {
			case c == '"':
				b := s.buf[s.pos:i]
				s.pos = i + 1
				if !ascii && !utf8.Valid(b) {
					s.str = appendValidUTF8(s.str[:0], b)
					return s.str, nil
				}
				return b, nil
			case c >= utf8.RuneSelf:
				ascii = false
				i++
			default:
				return s.readStringSlow()
			}
		}
		if s.pos == 0 && s.end == len(s.buf) {
			return s.readStringSlow() // longer than buf
		}
		off := i - s.pos
		if err := s.more(); err != nil {
			return nil, err
		}
		i = s.pos + off
	}
}

func (s *scanner) readStringSlow() ([]byte, error) {
	s.str = s.str[:0]
	for {
		if s.pos == s.end {
			if err := s.fill(); err != nil {
				return nil, err
			}
		}
		c := s.buf[s.pos]
		s.pos++
		switch {
		case c == '"':
			if !utf8.Valid(s.str) {
				s.str = appendValidUTF8(nil, s.str)
			}
			return s.str, nil
		case c < 0x20:
			s.pos--
			return nil, s.syntax("control character %q in a string", c)
		case c == '\\':
			if err := s.escape(); err != nil {
				return nil, err
			}
		default:
			s.str = append(s.str, c)
		}
	}
}

func (s *scanner) next() (byte, error) {
	if s.pos == s.end {
		if err := s.fill(); err != nil {
			return 0, err
		}
	}
	c := s.buf[s.pos]
	s.pos++
	return c, nil
}

// escape appends the character of the escape after a backslash.
func (s *scanner) escape() error {
	c, err := s.next()
	if err != nil {
		return err
	}
	switch c {
	case '"', '\\', '/':
		s.str = append(s.str, c)
	case 'b':
		s.str = append(s.str, '\b')
	case 'f':
		s.str = append(s.str, '\f')
	case 'n':
		s.str = append(s.str, '\n')
	case 'r':
		s.str = append(s.str, '\r')
	case 't':
		s.str = append(s.str, '\t')
	case 'u':
		r, err := s.hex4()
		if err != nil {
			return err
		}
		if utf16.IsSurrogate(r) {
			r = s.lowSurrogate(r)
		}
		s.str = utf8.AppendRune(s.str, r)
	default:
		return s.syntax("invalid escape %q in a string", []byte{'\\', c})
	}
	return nil
}

// lowSurrogate completes a UTF-16 pair when a \uXXXX low half follows;
// a lone half is U+FFFD, as encoding/json reads it.
func (s *scanner) lowSurrogate(high rune) rune {
	if s.end-s.pos < 6 {
		// Too near the end of the buffer to look ahead cheaply: take the
		// slow, exact way of reading one more character.
		return s.lowSurrogateSlow(high)
	}
	if s.buf[s.pos] != '\\' || s.buf[s.pos+1] != 'u' {
		return utf8.RuneError
	}
	lo, ok := parseHex4(s.buf[s.pos+2 : s.pos+6])
	if !ok {
		return utf8.RuneError
	}
	if r := utf16.DecodeRune(high, lo); r != utf8.RuneError {
		s.pos += 6
		return r
	}
	return utf8.RuneError
}

func (s *scanner) lowSurrogateSlow(high rune) rune {
	for s.end-s.pos < 6 {
		if s.pos == 0 && s.end == len(s.buf) || s.more() != nil {
			// The stream ends inside the string: the next read says so.
			return utf8.RuneError
		}
	}
	return s.lowSurrogate(high)
}

func (s *scanner) hex4() (rune, error) {
	var b [4]byte
	for i := range b {
		c, err := s.next()
		if err != nil {
			return 0, err
		}
		b[i] = c
	}
	r, ok := parseHex4(b[:])
	if !ok {
		return 0, s.syntax("invalid \\u escape %q", b[:])
	}
	return r, nil
}

func parseHex4(b []byte) (rune, bool) {
	var r rune
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// appendValidUTF8 replaces each invalid byte with U+FFFD, as
// encoding/json does when it decodes a string.
func appendValidUTF8(dst, b []byte) []byte {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, b[:n]...)
		}
		b = b[n:]
	}
	return dst
}
