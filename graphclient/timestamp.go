package graphclient

import (
	"fmt"
	"time"
)

// ParseTimestamp decodes a Graph DateTimeOffset such as
// 2025-10-15T15:54:58.4862768Z. The zero value 0001-01-01T00:00:00Z, which
// Graph sends for a timestamp that is not set, gives the zero time.Time.
func ParseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("malformed DateTimeOffset %q: %w", truncate(s, 64), err)
	}
	return t.UTC(), nil
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
