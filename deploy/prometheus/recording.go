package prometheus

import (
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

// RecordingRulesFile is the path of the recording rules in this directory.
const RecordingRulesFile = "rules/recording.yml"

//go:embed rules/recording.yml
var recordingRules []byte

// RecordingRules returns the name of every recording rule in
// rules/recording.yml with the scope that the level of its name,
// level:metric:operations, says it has.
func RecordingRules() (map[string]Scope, error) {
	groups, errs := rulefmt.Parse(recordingRules, false, model.LegacyValidation,
		parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %w", RecordingRulesFile, errors.Join(errs...))
	}
	rules := map[string]Scope{}
	for _, group := range groups.Groups {
		for _, rule := range group.Rules {
			if rule.Record == "" {
				continue
			}
			level, err := LevelLabels(rule.Record)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", RecordingRulesFile, err)
			}
			rules[rule.Record] = scopeOf(level)
		}
	}
	return rules, nil
}

// LevelLabels returns the labels that the level of a recording rule's name
// level:metric:operations lists, joined by underscores.
func LevelLabels(record string) ([]string, error) {
	parts := strings.Split(record, ":")
	if len(parts) != 3 || slices.Contains(parts, "") {
		return nil, fmt.Errorf("recording rule %s: name is not level:metric:operations", record)
	}
	return strings.Split(parts[0], "_"), nil
}

func scopeOf(labels []string) Scope {
	switch {
	case slices.Contains(labels, "workspace"):
		return Workspace
	case slices.Contains(labels, "tenant"):
		return Tenant
	default:
		return Process
	}
}
