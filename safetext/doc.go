// Package safetext makes text that came from the network or from a request
// safe to print on a terminal or in a log: escape sequences, other control
// characters and bidirectional overrides are escaped, so a name Graph
// returns cannot drive the terminal of whoever reads the output, and what
// a request carries is cut short, so a request cannot grow the log.
package safetext
