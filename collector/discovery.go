package collector

import (
	"fmt"
	"strings"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/safetext"
)

// discoveryCut is what a discovery left out: workspaces beyond
// collection.max_workspaces_per_tenant, and listed ids that are no
// workspace id (each would have become a label value). The workspaces kept
// are read as usual; the discovery reports 0 while anything was cut, so
// that the cut shows on the dashboard and not only in the log.
type discoveryCut struct {
	limit   int
	more    bool     // Graph lists workspaces beyond limit
	invalid []string // the first refused ids, quoted and cut short
	refused int      // how many listed ids were refused
}

// maxNamedInvalid bounds the refused ids a message names.
const maxNamedInvalid = 3

// maxNamedIDBytes bounds each refused id a message names.
const maxNamedIDBytes = 64

func (c *discoveryCut) Error() string {
	var parts []string
	if c.more {
		parts = append(parts, fmt.Sprintf("Graph lists more than %d workspaces (collection.max_workspaces_per_tenant); only the first %d are read", c.limit, c.limit))
	}
	if c.refused > 0 {
		parts = append(parts, fmt.Sprintf("%d listed ids are not workspace ids and are left out: %s", c.refused, strings.Join(c.invalid, ", ")))
	}
	return "workspace discovery cut: " + strings.Join(parts, "; ")
}

// orNil keeps a nil *discoveryCut from becoming a non-nil error.
func (c *discoveryCut) orNil() error {
	if c == nil {
		return nil
	}
	return c
}

// keep returns the listed workspaces whose ids are workspace ids, and
// what was cut, or nil; a cut is logged once per discovery.
func (t *tenant) keep(found []graphclient.Workspace, more bool) ([]graphclient.Workspace, *discoveryCut) {
	kept := make([]graphclient.Workspace, 0, len(found))
	cut := &discoveryCut{limit: t.maxWorkspaces, more: more}
	for _, w := range found {
		if config.CheckWorkspaceID(w.ID) != nil {
			cut.refused++
			if len(cut.invalid) < maxNamedInvalid {
				cut.invalid = append(cut.invalid, safetext.Quote(w.ID, maxNamedIDBytes))
			}
			continue
		}
		kept = append(kept, w)
	}
	if !cut.more && cut.refused == 0 {
		return kept, nil
	}
	t.logger.Warn("Discovery left workspaces out; the others are read", "err", cut, "read_workspaces", len(kept))
	return kept, cut
}
