package grafana

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	names "github.com/securitycopilot-exporter/securitycopilot_exporter/metricnames"
)

// tenantCapacityUnits is the recording rule of the Security Compute Units
// provisioned per tenant.
const tenantCapacityUnits = "tenant:" + names.CapacityUnits + ":sum"

// provisionedUnits shows what was provisioned beside what ran out: the
// capacity collector's units per tenant and the capacity-exceeded
// evaluations, on their own axis.
func provisionedUnits() cog.Builder[dashboard.Panel] {
	overage := "sum by (tenant) (max by (tenant, subscription_id, resource_group, capacity) (" + inTenants(names.CapacityOverageUnits) + "))"
	return timeseriesPanel("Provisioned Security Compute Units", "Security Compute Units (SCU) provisioned per tenant ("+names.CapacityUnits+
		", read from Azure Resource Manager at most every 5 minutes; recording rule "+tenantCapacityUnits+"), dashed the overage units a Limited overage allows ("+
		names.CapacityOverageUnits+"), and, red on the right axis, the evaluations that ended with "+capacityExceededResult+
		". Provisioned, not used; only for tenants with a capacity section.").
		Span(24).Decimals(0).
		OverrideByRegexp(".* overage$", dashedUnfilled()).
		OverrideByRegexp(".* "+capacityExceededResult+"$", append(red(), dashboard.DynamicConfigValue{Id: "custom.axisPlacement", Value: "right"})).
		WithTarget(rangeQuery("sum by (tenant) ("+inTenants(tenantCapacityUnits)+")", byTenant+" units")).
		WithTarget(rangeQuery(overage, byTenant+" overage")).
		WithTarget(rangeQuery("sum by (tenant) ("+inWorkspaces(capacityExceeded)+")", byTenant+" "+capacityExceededResult))
}
