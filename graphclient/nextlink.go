package graphclient

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/paging"
)

// NextLinkWithin returns the paging.Check of listings under endpoint: a
// next link must have the endpoint's scheme and host, no user information,
// and a path under the endpoint's that holds no dot segment, so that the
// bearer token never travels anywhere but the configured endpoint. The path
// is compared unescaped as well, so that /beta/../v1.0 or
// /beta/%2e%2e/v1.0 cannot pass for the beta API. Graph and Resource
// Manager links follow this one rule; what is named is the kind of link in
// errors ("@odata.nextLink", "nextLink").
func NextLinkWithin(endpoint *url.URL, what string) paging.Check {
	base := endpoint.EscapedPath()
	return func(link string) (string, error) {
		u, err := url.Parse(link)
		if err != nil {
			return "", fmt.Errorf("%s is not a URL: %w", what, err)
		}
		if u.Scheme != endpoint.Scheme || !strings.EqualFold(u.Host, endpoint.Host) || u.User != nil || u.Opaque != "" ||
			!strings.HasPrefix(u.EscapedPath(), base+"/") ||
			!strings.HasPrefix(u.Path, endpoint.Path+"/") || hasDotSegment(u.Path) {
			return "", fmt.Errorf("refusing %s outside %s://%s%s", what, endpoint.Scheme, endpoint.Host, base)
		}
		return link, nil
	}
}

// checkNextLink is the Check of the client's listings.
func (c *Client) checkNextLink(link string) (string, error) {
	return NextLinkWithin(c.endpoint, "@odata.nextLink")(link)
}

// hasDotSegment reports whether an unescaped path has a . or .. segment,
// counting a backslash as a slash as some servers do.
func hasDotSegment(p string) bool {
	for seg := range strings.FieldsFuncSeq(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}
