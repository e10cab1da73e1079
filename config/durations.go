package config

import (
	"fmt"
	"strings"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// durationKeys are the key paths of the model.Duration fields. model.Duration
// decodes itself and its errors name neither the key nor the line, so these
// values are checked on the node tree first, where both are known.
func durationKeys() [][]string {
	return [][]string{
		{"collection", "timeout"},
		{"collection", "timeout_offset"},
		{"collection", "cache_ttl"},
		{"activity", "lookback"},
		{"plugins", "interval"},
	}
}

// checkDurations reports every malformed duration with its key path and line.
// Values that are absent, null or not scalars are left to the strict decoder.
func checkDurations(doc *yaml.Node) []error {
	var errs []error
	for _, path := range durationKeys() {
		n := lookup(doc, path...)
		if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
			continue
		}
		if _, err := parseNonNegativeDuration(n.Value); err != nil {
			errs = append(errs, fieldErr(strings.Join(path, "."), "line %d: %w", n.Line, err))
			// Reported here; decoding goes on without it, to find the
			// file's other problems.
			n.SetString("")
			n.Tag = "!!null"
		}
	}
	return append(errs, checkTenantPluginIntervals(doc)...)
}

// parseNonNegativeDuration is model.ParseDuration with a clearer message for
// negative values.
func parseNonNegativeDuration(s string) (model.Duration, error) {
	d, err := model.ParseDuration(s)
	if err == nil {
		return d, nil
	}
	if isNegativeDuration(s) {
		return 0, fmt.Errorf("%q must not be negative", s)
	}
	return 0, fmt.Errorf("%q is not a valid duration (want Prometheus notation such as 500ms, 30s, 1m): %w", s, err)
}

// lookup follows mapping keys from n, through aliases, and returns the value
// node at path, or nil.
func lookup(n *yaml.Node, path ...string) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		return lookup(n.Content[0], path...)
	}
	if len(path) == 0 {
		return n
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == path[0] {
			return lookup(n.Content[i+1], path[1:]...)
		}
	}
	return nil
}

// isNegativeDuration reports whether s is a well-formed negative duration
// such as "-5m", which model.ParseDuration calls malformed; callers use it to
// say what is really wrong.
func isNegativeDuration(s string) bool {
	d, err := model.ParseDurationAllowNegative(s)
	return err == nil && d < 0
}
