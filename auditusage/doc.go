// Package auditusage turns Security Copilot records of the Microsoft
// Purview audit log into usage numbers, and decides which audit log query
// to submit next. It does no I/O: the caller runs the queries (create,
// poll, page) and hands the records it read to a Store, and asks a
// Planner what to query and whether the budget allows it.
//
//   - Classify decodes one auditLogRecord and says whether it is a
//     Security Copilot interaction (auditData.AppIdentity is
//     Copilot.Security.SecurityCopilot), a Security Copilot admin event, or
//     something else (another Copilot's interaction).
//   - A Store keeps the records in per-hour buckets keyed by record id, so
//     a record read twice (an overlap re-query, a page read twice) counts
//     once, and knows which hours a finished query covered.
//   - Summary aggregates the trailing windows that end at the newest
//     covered hour; a window with an hour no query covered is stale and
//     carries no number.
//   - A Planner picks the next closed interval to query, re-queries an
//     overlap for late records, refills the longest window after a
//     restart, splits a truncated interval, and never submits more queries
//     than its budget allows.
package auditusage
