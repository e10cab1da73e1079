package config

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
)

// Activity configures the activity collector, which reads the prompts and
// evaluations of recent sessions. It costs Graph requests in proportion to
// the sessions it covers, so it is off unless enabled.
type Activity struct {
	// Enabled turns the collector on for every tenant that does not say
	// otherwise in its own activity section.
	Enabled bool `yaml:"enabled"`
	// Lookback selects the sessions covered: those created or modified
	// within it.
	Lookback model.Duration `yaml:"lookback"`
	// MaxSessions caps the sessions covered per workspace; above it the
	// most recently active are covered and the rest counted as skipped.
	MaxSessions int `yaml:"max_sessions"`
	// Windows are the trailing windows prompts are counted over, sorted
	// shortest first after validation. None may exceed Lookback: prompts of
	// sessions older than the lookback are never read, so a longer window
	// would undercount without saying so.
	Windows []Window `yaml:"windows"`
}

// TenantActivity overrides the global activity settings for one tenant; an
// absent key keeps the global value.
type TenantActivity struct {
	Enabled     *bool `yaml:"enabled,omitempty"`
	MaxSessions *int  `yaml:"max_sessions,omitempty"`
}

// Activity defaults and limits.
const (
	DefaultActivityLookback    = model.Duration(24 * time.Hour)
	DefaultActivityMaxSessions = 200
	// MaxActivityLookback bounds the lookback: every covered session costs
	// a request per scrape.
	MaxActivityLookback = model.Duration(30 * 24 * time.Hour)
	// MaxActivitySessions bounds max_sessions for the same reason.
	MaxActivitySessions = 10000
)

// DefaultActivityWindows returns a fresh copy of the default prompt windows:
// 1h and 1d.
func DefaultActivityWindows() []Window {
	return []Window{{Label: "1h", Duration: time.Hour}, {Label: "1d", Duration: 24 * time.Hour}}
}

// ActivityFor returns the activity settings that apply to t: the global
// ones with t's overrides.
func (c *Config) ActivityFor(t Tenant) Activity {
	a := c.Activity
	if t.Activity == nil {
		return a
	}
	if t.Activity.Enabled != nil {
		a.Enabled = *t.Activity.Enabled
	}
	if t.Activity.MaxSessions != nil {
		a.MaxSessions = *t.Activity.MaxSessions
	}
	return a
}

func (a *Activity) validate() []error {
	var errs []error
	switch {
	case a.Lookback <= 0:
		errs = append(errs, fieldErr("activity.lookback", "%s is not a positive duration", a.Lookback))
	case a.Lookback > MaxActivityLookback:
		errs = append(errs, fieldErr("activity.lookback", "%s is longer than the maximum of %s", a.Lookback, MaxActivityLookback))
	}
	errs = append(errs, checkMaxSessions("activity.max_sessions", a.MaxSessions)...)
	windowErrs := validateWindowList("activity.windows", a.Windows, DefaultActivityWindows())
	errs = append(errs, windowErrs...)
	if len(windowErrs) == 0 && a.Lookback > 0 {
		for i, w := range a.Windows {
			if w.Duration > time.Duration(a.Lookback) {
				errs = append(errs, fieldErr(fmt.Sprintf("activity.windows[%d]", i), "%q is longer than activity.lookback (%s): prompts of sessions older than the lookback are not read", w.Label, a.Lookback))
			}
		}
	}
	return errs
}

func checkMaxSessions(path string, n int) []error {
	if n < 1 || n > MaxActivitySessions {
		return []error{fieldErr(path, "%d is out of range 1..%d", n, MaxActivitySessions)}
	}
	return nil
}

func (t *TenantActivity) validate(path string) []error {
	if t == nil || t.MaxSessions == nil {
		return nil
	}
	return checkMaxSessions(path+".max_sessions", *t.MaxSessions)
}
