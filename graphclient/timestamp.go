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
