// Package armclient reads Security Copilot capacities
// (Microsoft.SecurityCopilot/capacities) from Azure Resource Manager: the
// Security Compute Units a tenant provisioned, with their overage settings.
//
// Requests go through the tenant's door (package azurehttp), which hands
// out tokens of the Resource Manager endpoint's own scope for that host
// only, and retries transient answers in place with the same schedule as
// Graph's. A listing follows
// nextLink only on the endpoint's scheme and host, so the Resource Manager
// token never travels anywhere else. Answers are checked before use: a
// capacity without a readable numberOfUnits fails the read rather than
// giving a number; enum values outside the known sets read as "unknown".
package armclient
