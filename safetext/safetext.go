package safetext

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with every character that could act on a terminal or
// forge a line written as in a Go string literal: C0 and C1 control
// characters (ESC, carriage return, newline, tab), DEL, format characters
// such as U+202E RIGHT-TO-LEFT OVERRIDE, and bytes that are not UTF-8.
// Printable text, spaces included, is kept as it is.
func Escape(s string) string {
	i := strings.IndexFunc(s, unsafeRune)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for s = s[i:]; s != ""; {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case unsafeRune(r):
			b.WriteString(strings.Trim(strconv.QuoteRuneToASCII(r), "'"))
		default:
			b.WriteString(s[:size])
		}
		s = s[size:]
	}
	return b.String()
}

// unsafeRune reports whether r must not reach a terminal as it is. The
// replacement character stands for bytes that are not UTF-8.
func unsafeRune(r rune) bool {
	return r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// Cut escapes s as Escape does, after cutting it to its first n bytes
// (on a character boundary); a cut value ends with its real length, as in
// "aaaa… (921600 bytes)".
func Cut(s string, n int) string {
	if len(s) <= n {
		return Escape(s)
	}
	return Escape(prefix(s, n)) + fmt.Sprintf("… (%d bytes)", len(s))
}

// Quote is Cut in double quotes, for a value named inside a message.
func Quote(s string, n int) string {
	if len(s) <= n {
		return strconv.Quote(s)
	}
	return strconv.Quote(prefix(s, n)) + fmt.Sprintf(" (%d bytes)", len(s))
}

// prefix is the longest start of s of at most n bytes that does not end
// inside a character.
func prefix(s string, n int) string {
	cut := min(max(0, n), len(s))
	for cut > 0 && cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
