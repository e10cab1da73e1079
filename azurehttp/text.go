package azurehttp

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Printable makes a string from the network safe for one log line or a
// terminal: control characters (ESC sequences, line breaks) are escaped,
// and it is cut to max bytes.
func Printable(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
		if b.Len() > max {
			return strings.ToValidUTF8(b.String()[:max], "") + "…"
		}
	}
	return b.String()
}

// secretLike matches what may be a token, a secret or an assertion: a run
// of 32 or more characters of base64 (either alphabet) or of a JWT. A
// GUID (36 characters with hyphens in fixed places) is what Entra ID
// writes as trace and correlation ids; it is kept.
var (
	secretLike = regexp.MustCompile(`[A-Za-z0-9+/=_\-.~]{32,}`)
	guid       = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\.?$`)
)

// Redact replaces anything in s that may be part of a token or a secret
// with "[redacted]". It is applied to every error that may quote an
// answer of Entra ID, whose libraries put whole answers into messages.
func Redact(s string) string {
	return secretLike.ReplaceAllStringFunc(s, func(m string) string {
		if guid.MatchString(m) || strings.HasPrefix(m, "AADSTS") && len(m) < 40 {
			return m
		}
		return "[redacted]"
	})
}
