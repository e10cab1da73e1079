// Package auditread runs the audit usage reader of one tenant: the one
// read of the exporter with its own schedule. The audit log query API is
// asynchronous and slow (create a query, poll it, page its records: often
// minutes, sometimes over ten), so no scrape could wait for it. The reader
// runs cycles in the background; each asks the planner of package
// auditusage what to query, runs the query with a bound on how long it may
// take, and adds the records to the tenant's store. A scrape takes the
// latest Snapshot and never waits.
package auditread
