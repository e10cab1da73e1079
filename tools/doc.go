// Package tools pins the build and test tools (promtool, prometheus,
// staticcheck, govulncheck) in a module of their own, so that the
// exporter's go.mod stays lean. install.sh builds them into bin/; test.sh
// is the test suite, fuzz.sh runs the fuzz targets and vulncheck.sh runs
// govulncheck against a locally built vulnerability database.
package tools
