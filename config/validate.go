package config

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Validate checks the configuration and normalizes it in place: it trims the
// trailing slash of graph.endpoint, gives graph.authority_host exactly one,
// fills in each window's missing Label or Duration, infers each tenant's Auth,
// and, when everything is valid, sorts the windows by duration, shortest
// first. It does not fill in defaults: start programmatic configurations from
// Default. Parse calls it; programmatic configurations must call it too. All
// problems are reported together, joined with errors.Join, each prefixed with
// its key path. Validating an already valid configuration changes nothing.
func (c *Config) Validate() error {
	if c == nil {
		return errors.New("config is nil")
	}
	return errors.Join(c.validate()...)
}

func (c *Config) validate() []error {
	var errs []error
	errs = append(errs, c.Graph.validate()...)
	errs = append(errs, validateWindowList("windows", c.Windows, DefaultWindows())...)
	errs = append(errs, c.Collection.validate()...)
	errs = append(errs, c.Activity.validate()...)
	errs = append(errs, c.Capacity.validate()...)
	errs = append(errs, c.Plugins.validate()...)
	errs = append(errs, validateTenants(c.Tenants, c.Collection.MaxWorkspacesPerTenant)...)
	errs = append(errs, c.validateAudit()...)
	if len(errs) == 0 {
		sortWindows(c.Windows)
		sortWindows(c.Activity.Windows)
	}
	return errs
}

// fieldErr ties a problem to the key path where it was found, e.g.
// "tenants[1].tenant_id".
func fieldErr(path, format string, args ...any) error {
	return fmt.Errorf("%s: %w", path, fmt.Errorf(format, args...))
}

func (g *Graph) validate() []error {
	var errs []error
	if _, err := parseHTTPSURL(g.Endpoint); err != nil {
		errs = append(errs, fieldErr("graph.endpoint", "%w", err))
	} else {
		g.Endpoint = strings.TrimRight(g.Endpoint, "/")
	}
	if u, err := parseHTTPSURL(g.AuthorityHost); err != nil {
		errs = append(errs, fieldErr("graph.authority_host", "%w", err))
	} else if u.Path != "" && u.Path != "/" {
		errs = append(errs, fieldErr("graph.authority_host", "%q must be a bare host such as %q, without a path", u.Redacted(), DefaultAuthorityHost))
	} else {
		g.AuthorityHost = u.Scheme + "://" + u.Host + "/"
	}
	if g.PageSize < 1 || g.PageSize > MaxPageSize {
		errs = append(errs, fieldErr("graph.page_size", "%d is out of range 1..%d", g.PageSize, MaxPageSize))
	}
	if g.MaxPageBytes == 0 {
		g.MaxPageBytes = DefaultMaxPageBytes
	}
	if g.MaxPageBytes < MinMaxPageBytes || g.MaxPageBytes > MaxMaxPageBytes {
		errs = append(errs, fieldErr("graph.max_page_bytes", "%d is out of range %d..%d", g.MaxPageBytes, MinMaxPageBytes, MaxMaxPageBytes))
	}
	return errs
}

// parseHTTPSURL accepts only absolute https URLs, because the exporter sends
// bearer tokens to them and those must never travel over plain HTTP. Values
// are quoted in errors only in redacted form, in case they carry a password.
func parseHTTPSURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error repeats the raw value
		}
		return nil, fmt.Errorf("not a valid URL: %w", err)
	}
	switch {
	case u.Scheme != "https":
		return nil, fmt.Errorf("%q must be an absolute https URL: bearer tokens must never be sent over plain HTTP", u.Redacted())
	case u.Opaque != "" || u.Host == "":
		return nil, fmt.Errorf("%q has no host", u.Redacted())
	case u.User != nil:
		return nil, fmt.Errorf("%q must not contain user information", u.Redacted())
	case strings.Contains(raw, "?"):
		return nil, fmt.Errorf("%q must not have a query", u.Redacted())
	case strings.Contains(raw, "#"):
		return nil, fmt.Errorf("%q must not have a fragment", u.Redacted())
	}
	return u, nil
}

func sortWindows(ws []Window) {
	slices.SortStableFunc(ws, func(a, b Window) int { return cmp.Compare(a.Duration, b.Duration) })
}

// validateWindowList checks the window list at key path; defaults are
// named in the message for an empty list.
func validateWindowList(key string, ws []Window, defaults []Window) []error {
	if len(ws) == 0 {
		return []error{fieldErr(key, "empty list: list at least one window, or remove the key to use the defaults %v", defaults)}
	}
	var errs []error
	seen := make(map[time.Duration]int, len(ws))
	for i := range ws {
		path := fmt.Sprintf("%s[%d]", key, i)
		if err := ws[i].normalize(); err != nil {
			errs = append(errs, fieldErr(path, "%w", err))
			continue
		}
		// Two labels for one duration would export identical series twice.
		if j, dup := seen[ws[i].Duration]; dup {
			errs = append(errs, fieldErr(path, "%q is the same duration as %s[%d] %q", ws[i].Label, key, j, ws[j].Label))
			continue
		}
		seen[ws[i].Duration] = i
	}
	return errs
}

func (c *Collection) validate() []error {
	var errs []error
	timeoutOK := true
	switch {
	case c.Timeout <= 0:
		errs = append(errs, fieldErr("collection.timeout", "%s is not a positive duration", c.Timeout))
		timeoutOK = false
	case c.Timeout > MaxTimeout:
		errs = append(errs, fieldErr("collection.timeout", "%s is longer than the maximum of %s", c.Timeout, MaxTimeout))
	}
	switch {
	case c.TimeoutOffset < 0:
		errs = append(errs, fieldErr("collection.timeout_offset", "%s must not be negative", c.TimeoutOffset))
	case timeoutOK && c.TimeoutOffset >= c.Timeout:
		errs = append(errs, fieldErr("collection.timeout_offset", "%s must be less than collection.timeout (%s)", c.TimeoutOffset, c.Timeout))
	}
	if c.MaxConcurrencyPerTenant < 1 || c.MaxConcurrencyPerTenant > MaxConcurrencyLimit {
		errs = append(errs, fieldErr("collection.max_concurrency_per_tenant", "%d is out of range 1..%d", c.MaxConcurrencyPerTenant, MaxConcurrencyLimit))
	}
	if c.MaxWorkspacesPerTenant < 1 || c.MaxWorkspacesPerTenant > MaxWorkspacesLimit {
		errs = append(errs, fieldErr("collection.max_workspaces_per_tenant", "%d is out of range 1..%d", c.MaxWorkspacesPerTenant, MaxWorkspacesLimit))
	}
	switch {
	case c.CacheTTL < 0:
		errs = append(errs, fieldErr("collection.cache_ttl", "%s must not be negative", c.CacheTTL))
	case c.CacheTTL > MaxCacheTTL:
		errs = append(errs, fieldErr("collection.cache_ttl", "%s is longer than the maximum of %s", c.CacheTTL, MaxCacheTTL))
	}
	return errs
}
