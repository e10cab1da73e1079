package graphclient

import (
	"fmt"
	"time"
)

// maxTimestamp is far above the longest DateTimeOffset, 35 bytes with nine
// fractional digits and an offset.
const maxTimestamp = 64

// ParseTimestamp decodes a Graph DateTimeOffset such as
// 2025-10-15T15:54:58.4862768Z. The zero value 0001-01-01T00:00:00Z, which
// Graph sends for a timestamp that is not set, gives the zero time.Time.
// A time outside years 1 to 9999 in UTC, the range of Edm.DateTimeOffset,
// is malformed: FormatTimestamp could not write it back into a $filter.
func ParseTimestamp(s string) (time.Time, error) {
	if len(s) > maxTimestamp {
		// time.Parse quotes all of its input in its error, which would put
		// whatever Graph sent into one log line, however long.
		return time.Time{}, fmt.Errorf("malformed DateTimeOffset %q: longer than %d bytes", truncate(s, 64), maxTimestamp)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("malformed DateTimeOffset %q: %w", truncate(s, 64), err)
	}
	t = t.UTC()
	if t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, fmt.Errorf("malformed DateTimeOffset %q: outside years 1 to 9999 in UTC", truncate(s, 64))
	}
	return t, nil
}

// FormatTimestamp renders t as an unquoted OData DateTimeOffset literal in
// UTC, with the 100 ns precision Graph stores and no trailing zeros.
func FormatTimestamp(t time.Time) string {
	return t.UTC().Truncate(100 * time.Nanosecond).Format("2006-01-02T15:04:05.9999999Z07:00")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// parseTimestampBytes is ParseTimestamp for the form Graph writes,
// 2025-10-15T15:54:58.4862768Z, read without allocating; any other form
// goes to ParseTimestamp, which gives the same result for every input.
func parseTimestampBytes(b []byte) (time.Time, error) {
	if t, ok := parseUTCFast(b); ok {
		return t, nil
	}
	return ParseTimestamp(string(b))
}

// parseUTCFast reads YYYY-MM-DDTHH:MM:SS, an optional fraction of one to
// nine digits, and Z. It declines (ok false) anything else, and any date
// time.Parse would refuse or ParseTimestamp rejects.
func parseUTCFast(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[len(b)-1] != 'Z' || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digitsAt(b, 0, 4)
	month, ok2 := digitsAt(b, 5, 2)
	day, ok3 := digitsAt(b, 8, 2)
	hour, ok4 := digitsAt(b, 11, 2)
	minute, ok5 := digitsAt(b, 14, 2)
	sec, ok6 := digitsAt(b, 17, 2)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		n, ok := digitsAt(frac, 1, len(frac)-1)
		if !ok {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			n *= 10
		}
		nsec = n
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // 31 April, 29 February of a common year
		return time.Time{}, false
	}
	return t, true
}

func digitsAt(b []byte, at, n int) (int, bool) {
	v := 0
	for _, c := range b[at : at+n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}
