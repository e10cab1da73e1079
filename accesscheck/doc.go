// Package accesscheck runs --config.check-access, what a tenant admin runs
// first: for every configured tenant it gets a token, says whether the
// token carries the application permission SecurityCopilotWorkspaces.Read.All
// (and how to grant it when not), and reads each workspace's sessions once,
// reporting what Graph answered and which of the query options the exporter
// relies on ($count, $filter, $top, $batch) it honoured. It prints one table
// and never a token or a secret.
package accesscheck
