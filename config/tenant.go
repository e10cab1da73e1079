package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Patterns for identifiers; compiled once, never changed.
var (
	tenantNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	guidRE       = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)
	dnsLabelRE   = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	envNameRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

func validateTenants(ts []Tenant, maxWorkspaces int) []error {
	if len(ts) == 0 {
		return []error{fieldErr("tenants", "no tenants configured: at least one tenant is required")}
	}
	var errs []error
	for i := range ts {
		errs = append(errs, ts[i].validate(fmt.Sprintf("tenants[%d]", i), maxWorkspaces)...)
	}
	errs = append(errs, duplicateNames(ts)...)
	errs = append(errs, overlappingTenants(ts)...)
	errs = append(errs, capacityOverlaps(ts)...)
	return errs
}

func (t *Tenant) validate(path string, maxWorkspaces int) []error {
	var errs []error
	switch {
	case t.Name == "":
		errs = append(errs, fieldErr(path+".name", "required"))
	case !tenantNameRE.MatchString(t.Name):
		errs = append(errs, fieldErr(path+".name", "%q must match %s", t.Name, tenantNameRE))
	}
	switch {
	case t.TenantID == "":
		errs = append(errs, fieldErr(path+".tenant_id", "required"))
	case !guidRE.MatchString(t.TenantID) && !isDomainName(t.TenantID):
		errs = append(errs, fieldErr(path+".tenant_id", "%q is neither a GUID nor a domain name", t.TenantID))
	}
	errs = append(errs, t.validateAuth(path)...)
	if t.ClientSecretEnv != "" && !envNameRE.MatchString(t.ClientSecretEnv) {
		// Not quoted: someone may have pasted the secret itself here.
		errs = append(errs, fieldErr(path+".client_secret_env", "not a valid environment variable name (must match %s); give the NAME of the variable holding the secret, never the secret", envNameRE))
	}
	errs = append(errs, validateWorkspaces(path+".workspaces", t.Workspaces)...)
	if len(t.Workspaces) > maxWorkspaces {
		errs = append(errs, fieldErr(path+".workspaces", "lists %d workspaces, more than collection.max_workspaces_per_tenant (%d)", len(t.Workspaces), maxWorkspaces))
	}
	errs = append(errs, t.Activity.validate(path+".activity")...)
	errs = append(errs, t.Capacity.validate(path+".capacity")...)
	errs = append(errs, t.Plugins.validate(path+".plugins")...)
	return errs
}

// isDomainName accepts a DNS name of at least two labels, such as
// contoso.onmicrosoft.com; Entra ID accepts a tenant's verified domains in
// place of its GUID. Single labels such as "common" are refused: the
// exporter needs one specific tenant.
func isDomainName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !dnsLabelRE.MatchString(l) {
			return false
		}
	}
	// An all-numeric top-level label would make "10.0.0.1" a domain.
	return strings.ContainsFunc(labels[len(labels)-1], func(r rune) bool { return r < '0' || r > '9' })
}

func validateWorkspaces(path string, ws []string) []error {
	var errs []error
	seen := make(map[string]int, len(ws))
	for i, w := range ws {
		p := fmt.Sprintf("%s[%d]", path, i)
		if err := CheckWorkspaceID(w); err != nil {
			errs = append(errs, fieldErr(p, "%w", err))
			continue
		}
		if j, dup := seen[w]; dup {
			errs = append(errs, fieldErr(p, "duplicate of workspaces[%d] %q", j, w))
			continue
		}
		seen[w] = i
	}
	return errs
}

// workspaceIDRE is what a workspace id may look like: a GUID, as Graph
// lists them, or the alias "default", and nothing that could leave its
// path segment or make an odd label value.
var workspaceIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// CheckWorkspaceID refuses what cannot be a Security Copilot workspace id.
// Configured ids are checked when the file loads; ids Graph lists are
// checked as they are read, since each becomes a label value.
func CheckWorkspaceID(id string) error {
	switch {
	case id == "":
		return errors.New("empty workspace id")
	case len(id) > MaxWorkspaceIDBytes:
		return fmt.Errorf("workspace id is %d bytes long, the maximum is %d", len(id), MaxWorkspaceIDBytes)
	case !workspaceIDRE.MatchString(id):
		return fmt.Errorf("%q is not a workspace id: want \"default\" or the id Graph lists, a GUID (letters, digits, '-', '_' and '.', starting with a letter or digit)", id)
	}
	return nil
}

// duplicateNames reports each repeated name at its later occurrence.
func duplicateNames(ts []Tenant) []error {
	var errs []error
	first := make(map[string]int, len(ts))
	for i, t := range ts {
		if t.Name == "" {
			continue // already reported as missing
		}
		if j, dup := first[t.Name]; dup {
			errs = append(errs, fieldErr(fmt.Sprintf("tenants[%d].name", i), "duplicate of tenants[%d].name %q", j, t.Name))
			continue
		}
		first[t.Name] = i
	}
	return errs
}

// overlappingTenants refuses two entries for one tenant_id that would collect
// the same workspace, because the same sessions would then be exported
// twice under two tenant labels and every sum() would double count.
// Only entries of one tenant_id are compared, so that 10,000 tenants cost
// 10,000 map lookups rather than 50 million comparisons.
func overlappingTenants(ts []Tenant) []error {
	var errs []error
	byID := make(map[string][]int, len(ts))
	for j := range ts {
		if ts[j].TenantID == "" {
			continue
		}
		id := strings.ToLower(ts[j].TenantID)
		for _, i := range byID[id] {
			if err := overlap(i, ts[i], ts[j]); err != nil {
				errs = append(errs, fieldErr(fmt.Sprintf("tenants[%d]", j), "%w", err))
			}
		}
		byID[id] = append(byID[id], j)
	}
	return errs
}

func overlap(i int, a, b Tenant) error {
	if a.Discover() || b.Discover() {
		return fmt.Errorf("tenant_id %q is also used by tenants[%d] (%q) and at least one of them discovers all workspaces, so both would export the same sessions; list disjoint workspaces in both, or merge them",
			b.TenantID, i, a.Name)
	}
	var shared []string
	for _, w := range b.Workspaces {
		if slices.Contains(a.Workspaces, w) && !slices.Contains(shared, w) {
			shared = append(shared, w)
		}
	}
	if len(shared) == 0 {
		return nil
	}
	return fmt.Errorf("workspaces %q are also collected by tenants[%d] (%q) of the same tenant_id %q, so they would be exported twice",
		shared, i, a.Name, b.TenantID)
}
