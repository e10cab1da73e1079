package config

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Capacity configures how provisioned Security Compute Units are read from
// Azure Resource Manager. It applies to the tenants whose own capacity
// section lists subscriptions or resources; without one a tenant never
// talks to Resource Manager. Its zero value means the defaults, so that
// configurations written before it existed load unchanged.
type Capacity struct {
	// Endpoint is the Resource Manager host of the tenants' cloud; empty
	// means DefaultCapacityEndpoint. Tokens are asked for its host +
	// "/.default", as Graph's are for Graph's host. Validate trims any
	// trailing slash.
	Endpoint string `yaml:"endpoint,omitempty"`
	// APIVersion is the api-version of Microsoft.SecurityCopilot/capacities;
	// empty means DefaultCapacityAPIVersion.
	APIVersion string `yaml:"api_version,omitempty"`
}

// EndpointOrDefault returns Endpoint, or the default when it is empty.
func (c Capacity) EndpointOrDefault() string {
	return cmp.Or(c.Endpoint, DefaultCapacityEndpoint)
}

// APIVersionOrDefault returns APIVersion, or the default when it is empty.
func (c Capacity) APIVersionOrDefault() string {
	return cmp.Or(c.APIVersion, DefaultCapacityAPIVersion)
}

// TenantCapacity lists where a tenant's capacities are read: every capacity
// of each subscription (listed, so new capacities appear on their own), and
// single capacities by resource id (for Reader granted on a capacity or a
// resource group rather than on a subscription).
type TenantCapacity struct {
	Subscriptions []string `yaml:"subscriptions,omitempty"`
	Resources     []string `yaml:"resources,omitempty"`
}

// Capacity defaults.
const (
	DefaultCapacityEndpoint   = "https://management.azure.com"
	DefaultCapacityAPIVersion = "2024-11-01-preview"
)

// CapacityProvider is the resource type the capacity section reads.
const CapacityProvider = "Microsoft.SecurityCopilot/capacities"

var (
	apiVersionRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}(-preview)?$`)
	// resourceGroupRE and capacityNameRE follow Resource Manager's naming
	// rules; they also keep "/", "?" and "%" out of request paths.
	resourceGroupRE = regexp.MustCompile(`^[-\w.()]{1,90}$`)
	capacityNameRE  = regexp.MustCompile(`^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$`)
)

// Enabled reports whether the tenant reads capacities at all.
func (t *TenantCapacity) Enabled() bool {
	return t != nil && len(t.Subscriptions)+len(t.Resources) > 0
}

// CapacityID is the parsed resource id of one capacity.
type CapacityID struct {
	Subscription  string // lower case
	ResourceGroup string // as written
	Name          string // as written
}

// String renders the canonical resource id; Key is its case-folded form,
// Resource Manager ids being case-insensitive.
func (id CapacityID) String() string {
	return "/subscriptions/" + id.Subscription + "/resourceGroups/" + id.ResourceGroup + "/providers/" + CapacityProvider + "/" + id.Name
}

// Key identifies the capacity without regard to case.
func (id CapacityID) Key() string { return strings.ToLower(id.String()) }

// ParseCapacityID parses
// /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.SecurityCopilot/capacities/{name},
// matching fixed segments without regard to case, as Resource Manager does.
func ParseCapacityID(s string) (CapacityID, error) {
	segs := strings.Split(s, "/")
	const form = "/subscriptions/{id}/resourceGroups/{group}/providers/" + CapacityProvider + "/{name}"
	fixed := map[int]string{0: "", 1: "subscriptions", 3: "resourceGroups", 5: "providers", 6: "Microsoft.SecurityCopilot", 7: "capacities"}
	if len(segs) != 9 {
		return CapacityID{}, fmt.Errorf("not a capacity resource id of the form %s", form)
	}
	for i, want := range fixed {
		if !strings.EqualFold(segs[i], want) {
			return CapacityID{}, fmt.Errorf("not a capacity resource id of the form %s", form)
		}
	}
	id := CapacityID{Subscription: strings.ToLower(segs[2]), ResourceGroup: segs[4], Name: segs[8]}
	switch {
	case !guidRE.MatchString(id.Subscription):
		return CapacityID{}, errors.New("the subscription id is not a GUID")
	case !resourceGroupRE.MatchString(id.ResourceGroup) || strings.HasSuffix(id.ResourceGroup, "."):
		return CapacityID{}, fmt.Errorf("the resource group must match %s and not end with a dot", resourceGroupRE)
	case !capacityNameRE.MatchString(id.Name):
		return CapacityID{}, fmt.Errorf("the capacity name must match %s", capacityNameRE)
	}
	return id, nil
}

func (c *Capacity) validate() []error {
	var errs []error
	if c.Endpoint != "" {
		errs = append(errs, c.validateEndpoint()...)
	}
	if c.APIVersion != "" && !apiVersionRE.MatchString(c.APIVersion) {
		errs = append(errs, fieldErr("capacity.api_version", "%q is not an api-version such as %q", c.APIVersion, DefaultCapacityAPIVersion))
	}
	return errs
}

func (c *Capacity) validateEndpoint() []error {
	u, err := parseHTTPSURL(c.Endpoint)
	switch {
	case err != nil:
		return []error{fieldErr("capacity.endpoint", "%w", err)}
	case u.Path != "" && u.Path != "/":
		return []error{fieldErr("capacity.endpoint", "%q must be a bare host such as %q, without a path", u.Redacted(), DefaultCapacityEndpoint)}
	}
	c.Endpoint = u.Scheme + "://" + u.Host
	return nil
}

// validate checks one tenant's section and lower-cases its subscription ids,
// so that later comparisons need no case folding.
func (t *TenantCapacity) validate(path string) []error {
	if t == nil {
		return nil
	}
	if !t.Enabled() {
		return []error{fieldErr(path, "lists no subscriptions and no resources; list at least one, or remove the key")}
	}
	var errs []error
	subs := make(map[string]int, len(t.Subscriptions))
	for i, s := range t.Subscriptions {
		p := fmt.Sprintf("%s.subscriptions[%d]", path, i)
		if !guidRE.MatchString(s) {
			errs = append(errs, fieldErr(p, "%q is not a subscription id (a GUID)", s))
			continue
		}
		s = strings.ToLower(s)
		t.Subscriptions[i] = s
		if j, dup := subs[s]; dup {
			errs = append(errs, fieldErr(p, "duplicate of subscriptions[%d]", j))
			continue
		}
		subs[s] = i
	}
	seen := make(map[string]int, len(t.Resources))
	for i, r := range t.Resources {
		p := fmt.Sprintf("%s.resources[%d]", path, i)
		id, err := ParseCapacityID(r)
		switch {
		case err != nil:
			errs = append(errs, fieldErr(p, "%w", err))
			continue
		case hasKey(subs, id.Subscription):
			errs = append(errs, fieldErr(p, "already read through subscriptions[%d]; remove one of them", subs[id.Subscription]))
			continue
		}
		if j, dup := seen[id.Key()]; dup {
			errs = append(errs, fieldErr(p, "duplicate of resources[%d]", j))
			continue
		}
		seen[id.Key()] = i
	}
	return errs
}

func hasKey(m map[string]int, k string) bool {
	_, ok := m[k]
	return ok
}

// capacityOverlaps refuses a subscription or resource read by two tenant
// entries: its capacity would be exported under two tenant labels and
// every sum() would count it twice. It runs after each tenant's own
// validation, so subscription ids are already lower case.
func capacityOverlaps(ts []Tenant) []error {
	var errs []error
	var reading []int // the tenants that read capacity, usually few
	for j := range ts {
		if ts[j].Capacity.Enabled() {
			reading = append(reading, j)
		}
	}
	for _, j := range reading {
		for _, i := range reading {
			if i >= j {
				break
			}
			if shared := sharedScope(ts[i].Capacity, ts[j].Capacity); shared != "" {
				errs = append(errs, fieldErr(fmt.Sprintf("tenants[%d].capacity", j), "%s is also read by tenants[%d] (%q), so its capacities would be exported twice", shared, i, ts[i].Name))
				break
			}
		}
	}
	return errs
}

// sharedScope returns a subscription or resource both sections read.
func sharedScope(a, b *TenantCapacity) string {
	if !a.Enabled() || !b.Enabled() {
		return ""
	}
	for _, s := range b.Subscriptions {
		if slices.Contains(a.Subscriptions, s) || a.readsResourceIn(s) {
			return "subscription " + s
		}
	}
	for _, r := range b.Resources {
		id, err := ParseCapacityID(r)
		if err == nil && (slices.Contains(a.Subscriptions, id.Subscription) || a.readsResource(id)) {
			return "resource " + r
		}
	}
	return ""
}

func (t *TenantCapacity) readsResourceIn(sub string) bool {
	return slices.ContainsFunc(t.Resources, func(r string) bool {
		id, err := ParseCapacityID(r)
		return err == nil && id.Subscription == sub
	})
}

func (t *TenantCapacity) readsResource(want CapacityID) bool {
	return slices.ContainsFunc(t.Resources, func(r string) bool {
		id, err := ParseCapacityID(r)
		return err == nil && id.Key() == want.Key()
	})
}
