package collector

import (
	"context"
	"errors"
	"log/slog"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/signin"
)

// quietSignIn drops the log records whose error asks for a new sign-in:
// the credential logs that once per change, and a line per workspace per
// scrape would bury it until someone signs in again.
type quietSignIn struct{ slog.Handler }

func (h quietSignIn) Handle(ctx context.Context, r slog.Record) error {
	drop := false
	r.Attrs(func(a slog.Attr) bool {
		if err, ok := a.Value.Any().(error); ok && errors.Is(err, signin.ErrSignInRequired) {
			drop = true
			return false
		}
		return true
	})
	if drop {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h quietSignIn) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietSignIn{h.Handler.WithAttrs(attrs)}
}

func (h quietSignIn) WithGroup(name string) slog.Handler {
	return quietSignIn{h.Handler.WithGroup(name)}
}
