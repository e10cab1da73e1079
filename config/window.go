package config

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Window is a trailing time window, written in the file as a Prometheus
// duration such as "7d".
type Window struct {
	// Label is the window exactly as written ("7d" stays "7d", it is not
	// rewritten to "1w"), because it becomes a Prometheus label value and
	// users query by what they wrote.
	Label    string
	Duration time.Duration
}

// ParseWindow parses a Prometheus duration ("90m", "1d", "7d") into a Window
// labelled with s, and checks that it is positive and at most MaxWindow.
func ParseWindow(s string) (Window, error) {
	if s == "" {
		return Window{}, errors.New(`empty window, want a duration such as "7d"`)
	}
	d, err := model.ParseDuration(s)
	if err != nil {
		if isNegativeDuration(s) {
			return Window{}, fmt.Errorf("%q is not a positive duration", s)
		}
		return Window{}, fmt.Errorf("%q is not a valid duration (want Prometheus notation such as 90m, 1h, 7d): %w", s, err)
	}
	w := Window{Label: s, Duration: time.Duration(d)}
	if err := w.checkRange(); err != nil {
		return Window{}, err
	}
	return w, nil
}

func (w Window) checkRange() error {
	switch {
	case w.Duration <= 0:
		return fmt.Errorf("%q is not a positive duration", w.Label)
	case w.Duration > MaxWindow:
		return fmt.Errorf("%q is longer than the maximum of %s", w.Label, durationString(MaxWindow))
	}
	return nil
}

// normalize fills in whichever of Label and Duration is missing and checks
// the result. Decoding sets only Label, so validation can report a bad
// duration with its key path; programmatic configs may set either or both.
func (w *Window) normalize() error {
	if w.Label == "" {
		if w.Duration == 0 {
			return errors.New(`empty window, want a duration such as "7d"`)
		}
		w.Label = durationString(w.Duration)
		return w.checkRange()
	}
	parsed, err := ParseWindow(w.Label)
	if err != nil {
		return err
	}
	if w.Duration != 0 && w.Duration != parsed.Duration {
		return fmt.Errorf("label %q does not match duration %s", w.Label, w.Duration)
	}
	w.Duration = parsed.Duration
	return nil
}

// String returns the label as written.
func (w Window) String() string {
	return w.Label
}

// UnmarshalYAML keeps the scalar as written; Validate parses it, so that a
// bad value is reported with its key path ("windows[2]") rather than only a
// line number.
func (w *Window) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		// checkTree reports this with the key path before decoding; this
		// is the backstop for a programmatic decode.
		return fmt.Errorf("line %d: each window must be a duration such as \"7d\", not a list or mapping", node.Line)
	}
	*w = Window{Label: node.Value}
	return nil
}

// MarshalYAML writes the window back as written.
func (w Window) MarshalYAML() (any, error) {
	return w.Label, nil
}

// durationString renders a time.Duration in Prometheus notation ("7d", not
// "168h0m0s") so messages read like the file does.
func durationString(d time.Duration) string {
	return model.Duration(d).String()
}
