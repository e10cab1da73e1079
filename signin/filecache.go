package signin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// fileCache stores MSAL's token cache in one file. MSAL calls Replace
// before it reads the cache and Export after it changed it, so a sign-in
// written by another process (--auth.login run in the same pod) is picked
// up at the next token request, without a restart.
type fileCache struct {
	path string
	mu   sync.Mutex
	last []byte // what the file held when last read or written
}

var _ cache.ExportReplace = (*fileCache)(nil)

// Replace loads the file into MSAL's cache; a missing file is an empty
// cache.
func (f *fileCache) Replace(_ context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, err := config.ReadFile(f.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		data = []byte("{}")
	case err != nil:
		return fmt.Errorf("read token cache: %w", err)
	}
	if err := u.Unmarshal(data); err != nil {
		// The decoder's message names a position, never the content.
		return fmt.Errorf("token cache %s is not an MSAL token cache (%w); sign in again to rewrite it", f.path, err)
	}
	f.last = data
	return nil
}

// Export writes MSAL's cache to the file when it changed.
func (f *fileCache) Export(_ context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	data, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("encode token cache: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if bytes.Equal(data, f.last) {
		return nil
	}
	if err := writeAtomic(f.path, data); err != nil {
		return err
	}
	f.last = data
	return nil
}

// stamp identifies the file's current version, to notice a new sign-in.
func (f *fileCache) stamp() string {
	info, err := os.Stat(f.path)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d %d", info.Size(), info.ModTime().UnixNano())
}

// writeAtomic replaces path with data through a temporary file in the same
// directory, so that a reader (or a crash) never sees half a cache. The
// file is created with mode 0600: it holds a refresh token.
func writeAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes the rename durable where the platform allows it; a
// failure costs only durability across a power loss, never the token.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
