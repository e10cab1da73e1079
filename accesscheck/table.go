package accesscheck

import (
	"io"
	"text/tabwriter"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/safetext"
)

// writeTable prints the rows, one per workspace, aligned. Every cell is
// escaped: a tab or an escape sequence from Graph would break the table
// or drive the terminal.
func writeTable(out io.Writer, rows []row) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	_, _ = io.WriteString(tw, "TENANT\tWORKSPACE\tSOURCE\tREAD\tREQUEST-ID\t@odata.count\t$filter\tPAGE SIZE\t$batch\n")
	for _, r := range rows {
		for _, cell := range []string{r.tenant, r.workspace, r.source, r.read, r.requestID, r.count, r.filter, r.page} {
			_, _ = io.WriteString(tw, orDash(safetext.Cut(cell, maxCell))+"\t")
		}
		_, _ = io.WriteString(tw, orDash(safetext.Cut(r.batch, maxCell))+"\n")
	}
	_ = tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
