package graphclient

import "testing"

// FuzzParseTimestampBytes checks the fast reading of Graph's timestamps
// against ParseTimestamp: the same time, or an error from both.
func FuzzParseTimestampBytes(f *testing.F) {
	for _, s := range []string{
		"2025-10-15T15:54:58.4862768Z", "2025-10-15T15:54:58Z", "0001-01-01T00:00:00Z",
		"2024-02-29T23:59:59.999999999Z", "2023-02-29T00:00:00Z", "2025-04-31T00:00:00Z",
		"0000-01-01T00:00:00Z", "2025-10-15T24:00:00Z", "2025-10-15T15:54:58.Z",
		"2025-10-15T15:54:58.1234567890Z", "2025-10-15T15:54:58+02:00", "2025-10-15t15:54:58Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, fastErr := parseTimestampBytes([]byte(s))
		slow, slowErr := ParseTimestamp(s)
		if (fastErr == nil) != (slowErr == nil) || !fast.Equal(slow) || fast.Location() != slow.Location() {
			t.Fatalf("%q: fast %v (%v), ParseTimestamp %v (%v)", s, fast, fastErr, slow, slowErr)
		}
	})
}
