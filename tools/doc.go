// Package tools pins the build and test tools (promtool, prometheus,
// staticcheck) in a module of their own, so that the exporter's go.mod
// stays lean. Build them with `go install tool` from this directory.
package tools
