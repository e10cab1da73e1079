// Package grafana holds the Grafana dashboard and provisioning files; its test checks them.
package grafana
