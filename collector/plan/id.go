package plan

// ID is a session's id as a comparable value. Graph's ids are GUIDs, held
// as their 16 bytes: a page of a thousand sessions then costs no string
// per session, and a set of ids hashes fixed-size keys. Any other id is
// kept as given. Two IDs are equal exactly when the ids' texts are: only
// the canonical lower-case form of a GUID is held as bytes (an upper-case
// one is another text, so another id, as Graph would compare it), and the
// zero GUID is held as text, so that the zero ID is only the empty id.
type ID struct {
	guid [16]byte
	text string
}

// IDOf returns the ID of the id s.
func IDOf(s string) ID {
	if g, ok := parseGUID(s); ok {
		return ID{guid: g}
	}
	return ID{text: s}
}

// IDOfBytes returns the ID of the id b; only an id that is not a GUID is
// copied.
func IDOfBytes(b []byte) ID {
	if g, ok := parseGUID(b); ok {
		return ID{guid: g}
	}
	return ID{text: string(b)}
}

// IsZero reports whether the id is empty.
func (id ID) IsZero() bool { return id == ID{} }

// String returns the id as Graph wrote it.
func (id ID) String() string {
	if id.guid == ([16]byte{}) {
		return id.text
	}
	const hex = "0123456789abcdef"
	var b [36]byte
	j := 0
	for i, c := range id.guid {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hex[c>>4], hex[c&15]
		j += 2
	}
	return string(b[:])
}

// parseGUID reads the canonical form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx
// in lower-case hex; anything else, and the zero GUID, is not one.
func parseGUID[T string | []byte](s T) ([16]byte, bool) {
	var g [16]byte
	if len(s) != 36 {
		return g, false
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return g, false
			}
			i++
			continue
		}
		hi, ok1 := lowerHex(s[i])
		lo, ok2 := lowerHex(s[i+1])
		if !ok1 || !ok2 {
			return g, false
		}
		g[j] = hi<<4 | lo
		i, j = i+2, j+1
	}
	return g, g != [16]byte{}
}

func lowerHex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
