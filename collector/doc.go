// Package collector turns Graph answers into Prometheus metrics at scrape
// time. Each scrape gets its own registry bound to the request's context, so
// the scrape's deadline reaches every Graph call; every workspace of every
// tenant is measured concurrently and fails alone.
package collector
