package graphclient

import "io"

// Values the scanner reads whole: numbers, literals, and values skipped
// or kept as raw JSON.

// readNumber reads a number and returns its text, checked against JSON's
// grammar. The slice is valid until the next read.
func (s *scanner) readNumber() ([]byte, error) {
	if _, err := s.peek(); err != nil {
		return nil, err
	}
	s.str = s.str[:0]
	c, err := s.numPeek()
	if err == nil && c == '-' {
		c, err = s.take(c)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case c == '0':
		c, err = s.take(c)
	case c >= '1' && c <= '9':
		c, err = s.digits(1)
	default:
		return nil, s.badNumber()
	}
	if err == nil && c == '.' {
		if _, err = s.take(c); err == nil {
			c, err = s.digits(1)
		}
	}
	if err == nil && (c == 'e' || c == 'E') {
		if c, err = s.take(c); err == nil && (c == '+' || c == '-') {
			_, err = s.take(c)
		}
		if err == nil {
			_, err = s.digits(1)
		}
	}
	if err != nil {
		return nil, err
	}
	return s.str, nil
}

func (s *scanner) badNumber() error {
	return s.syntax("malformed number %q", truncate(string(s.str), 40))
}

// numPeek returns the next byte without consuming it, or 0 at the end of
// the stream: a number may end a stream of one value, and whatever reads
// past it reports the end.
func (s *scanner) numPeek() (byte, error) {
	if s.pos == s.end {
		if err := s.fill(); err != nil {
			if err == io.ErrUnexpectedEOF {
				s.err = nil
				return 0, nil
			}
			return 0, err
		}
	}
	return s.buf[s.pos], nil
}

// take consumes c, the byte numPeek gave, and peeks at the next.
func (s *scanner) take(c byte) (byte, error) {
	s.str = append(s.str, c)
	s.pos++
	return s.numPeek()
}

// digits takes a run of at least min digits and returns the byte after.
func (s *scanner) digits(min int) (byte, error) {
	c, err := s.numPeek()
	n := 0
	for err == nil && c >= '0' && c <= '9' {
		c, err = s.take(c)
		n++
	}
	if err == nil && n < min {
		return 0, s.badNumber()
	}
	return c, err
}

// readLiteral reads true, false or null.
func (s *scanner) readLiteral() (string, error) {
	c, err := s.peek()
	if err != nil {
		return "", err
	}
	var lit string
	switch c {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	case 'n':
		lit = "null"
	default:
		return "", s.syntax("expected a value, got %s", describeByte(c))
	}
	for i := range len(lit) {
		got, err := s.next()
		if err != nil {
			return "", err
		}
		if got != lit[i] {
			s.pos--
			return "", s.syntax("malformed literal, expected %q", lit)
		}
	}
	return lit, nil
}

// isNull consumes a null if one comes next.
func (s *scanner) isNull() (bool, error) {
	c, err := s.peek()
	if err != nil || c != 'n' {
		return false, err
	}
	_, err = s.readLiteral()
	return err == nil, err
}

// skipValue reads one value of any shape without building it, following
// nesting with a stack rather than recursion.
func (s *scanner) skipValue() error {
	var stack []byte // '{' or '[' of each open container
	for {
		c, err := s.peek()
		if err != nil {
			return err
		}
		switch {
		case c == '{' || c == '[':
			if len(stack) >= maxNesting {
				return s.syntax("nesting deeper than %d", maxNesting)
			}
			s.pos++
			close := byte('}')
			if c == '[' {
				close = ']'
			}
			if n, err := s.peek(); err != nil {
				return err
			} else if n == close {
				s.pos++
				break
			}
			stack = append(stack, c)
			if c == '{' {
				if err := s.memberKey(); err != nil {
					return err
				}
			}
			continue
		case c == '"':
			if err := s.skipString(); err != nil {
				return err
			}
		case c == 't' || c == 'f' || c == 'n':
			if _, err := s.readLiteral(); err != nil {
				return err
			}
		default:
			if _, err := s.readNumber(); err != nil {
				return err
			}
		}
		// A value ended: close what it ends, then expect the next one.
		for {
			if len(stack) == 0 {
				return nil
			}
			top := stack[len(stack)-1]
			c, err := s.peek()
			if err != nil {
				return err
			}
			s.pos++
			if c == ',' {
				if top == '{' {
					if err := s.memberKey(); err != nil {
						return err
					}
				}
				break
			}
			if top == '{' && c == '}' || top == '[' && c == ']' {
				stack = stack[:len(stack)-1]
				continue
			}
			s.pos--
			return s.syntax("expected ',' or the end of %s, got %s", describeByte(top), describeByte(c))
		}
	}
}

func (s *scanner) memberKey() error {
	if err := s.skipString(); err != nil {
		return err
	}
	return s.expect(':')
}

// skipString reads a string, checked as readString checks it, without
// keeping it: a long string skipped costs no memory.
func (s *scanner) skipString() error {
	if err := s.expect('"'); err != nil {
		return err
	}
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			if !stringStop[c] {
				s.pos++
				continue
			}
			switch {
			case c == '"':
				s.pos++
				return nil
			case c < 0x20:
				return s.syntax("control character %q in a string", c)
			case c == '\\':
				s.pos++
				s.str = s.str[:0]
				if err := s.escape(); err != nil {
					return err
				}
				continue
			}
			s.pos++
		}
		if err := s.fill(); err != nil {
			return err
		}
	}
}

// rawValue reads one value and returns a copy of its JSON text, for the
// readers that decode it with encoding/json.
func (s *scanner) rawValue() ([]byte, error) {
	if _, err := s.peek(); err != nil {
		return nil, err
	}
	s.capturing, s.captured, s.capFrom = true, nil, s.pos
	err := s.skipValue()
	s.capturing = false
	if err != nil {
		return nil, err
	}
	return append(s.captured, s.buf[s.capFrom:s.pos]...), nil
}
