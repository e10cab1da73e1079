package accesscheck

import (
	"errors"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// maxDescription bounds Entra ID's description in the one line.
const maxDescription = 300

// tokenFailure makes one plain line of a failed token request: the AADSTS
// code once with Entra ID's description (without its trace and correlation
// ids), the host, and the network cause where there is one.
func tokenFailure(err error, authorityHost string) string {
	host := hostOf(authorityHost)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.Name != "" {
			host = dnsErr.Name
		}
		if dnsErr.IsNotFound {
			return "no token: " + host + ": no such host"
		}
		return "no token: " + host + ": DNS lookup failed: " + dnsErr.Err
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "no token: " + host + ": connection refused"
	}
	// MSAL reports the failure of its endpoint discovery as text, without
	// the network error in the chain; the cause is still in that text.
	text := chainText(err)
	for _, cause := range []string{"no such host", "connection refused"} {
		if strings.Contains(text, cause) {
			return "no token: " + host + ": " + cause
		}
	}
	var te *graphclient.TokenError
	if errors.As(err, &te) && te.Code != "" {
		return "no token from " + host + ": " + entraLine(te.Code, te.Description)
	}
	if errors.As(err, &te) && te.Description != "" {
		return "no token from " + host + ": " + firstLine(te.Description)
	}
	return "no token from " + host + ": " + firstLine(err.Error())
}

// chainText joins the messages of err and of every error it wraps: an
// outer message may leave out what an inner one says.
func chainText(err error) string {
	var b strings.Builder
	for e := err; e != nil; e = errors.Unwrap(e) {
		b.WriteString(e.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

// entraLine names the AADSTS code once: Entra ID's description usually
// starts with it.
func entraLine(code, description string) string {
	d := firstLine(description)
	d = strings.TrimSpace(strings.TrimPrefix(d, code+":"))
	if d == "" {
		return code
	}
	return code + ": " + d
}

// firstLine keeps the first line of a message, up to Entra ID's "Trace ID:"
// suffix, bounded.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, " Trace ID:"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > maxDescription {
		s = strings.ToValidUTF8(s[:maxDescription], "") + "…"
	}
	return s
}

func hostOf(authorityHost string) string {
	u, err := url.Parse(authorityHost)
	if err != nil || u.Host == "" {
		return authorityHost
	}
	return u.Host
}
