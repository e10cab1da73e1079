package safetext

import (
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, with spaces: é 日本": "plain text, with spaces: é 日本",
		"\x1b[2J\x1b]0;owned\x07":       `\x1b[2J\x1b]0;owned\a`,
		"line\nforged line\r":           `line\nforged line\r`,
		"tab\there":                     `tab\there`,
		"del\x7f":                       `del\x7f`,
		"c1\u009bcsi":                   `c1\u009bcsi`,
		"bidi \u202egnp.exe":            `bidi \u202egnp.exe`,
		"zero\u200bwidth":               `zero\u200bwidth`,
		"bad \xff utf8":                 `bad \xff utf8`,
		"":                              "",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCutBoundsAndEscapes(t *testing.T) {
	long := strings.Repeat("\x1b", 900<<10)
	got := Cut(long, 64)
	if want := strings.Repeat(`\x1b`, 64) + "… (921600 bytes)"; got != want {
		t.Errorf("Cut = %q, want %q", got, want)
	}
	if got := Cut("éé", 3); got != "é… (4 bytes)" {
		t.Errorf("Cut mid-character = %q", got)
	}
	if got := Cut("short", 64); got != "short" {
		t.Errorf("Cut of a short value = %q", got)
	}
	if got := Quote(strings.Repeat("a", 100), 4); got != `"aaaa" (100 bytes)` {
		t.Errorf("Quote = %q", got)
	}
	if got := Quote("\x1b", 4); got != `"\x1b"` {
		t.Errorf("Quote = %q", got)
	}
}
