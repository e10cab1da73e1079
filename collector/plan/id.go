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
// in lower-case hex; anything else, and the zero GUID, is not one. It runs
// once for every session listed, so it is a table lookup a digit.
func parseGUID[T string | []byte](s T) ([16]byte, bool) {
	var g [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return g, false
	}
	var bad byte
	for j, i := range guidDigits {
		hi, lo := lowerHex[s[i]], lowerHex[s[i+1]]
		bad |= hi | lo
		g[j] = hi<<4 | lo&15
	}
	return g, bad&0x80 == 0 && g != [16]byte{}
}

// guidDigits are where the 16 bytes of a GUID's text start.
var guidDigits = [16]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// lowerHex is the value of each lower-case hex digit, and 0x80 for any
// other byte.
var lowerHex = func() (t [256]byte) {
	for c := range t {
		switch {
		case c >= '0' && c <= '9':
			t[c] = byte(c - '0')
		case c >= 'a' && c <= 'f':
			t[c] = byte(c - 'a' + 10)
		default:
			t[c] = 0x80
		}
	}
	return t
}()
