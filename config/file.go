package config

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxFileSize caps every file the exporter reads: the configuration, client
// secrets, certificates and federated tokens are a few KiB; anything larger
// is the wrong file, and a device such as /dev/zero would never end.
const MaxFileSize = 1 << 20

// MaxConfigFileSize caps the configuration file alone: an MSSP's 10,000
// tenants in the documented layout, overrides included, take about 4 MiB.
const MaxConfigFileSize = 16 << 20

// ReadFile reads the regular file at path, refusing anything larger than
// MaxFileSize and anything that is not a regular file (a directory, a FIFO
// that would block, a device). Symbolic links are followed, as Kubernetes
// mounts secrets through them. Errors name the file, never its content.
func ReadFile(path string) ([]byte, error) { return readFileUpTo(path, MaxFileSize) }

// readFileUpTo is ReadFile with a cap of limit bytes.
func readFileUpTo(path string, limit int64) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(path, info, limit); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The file may have been replaced between Stat and Open.
	if info, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := checkRegular(path, info, limit); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes (%s)", path, limit, mib(limit))
	}
	return data, nil
}

var errNotRegular = errors.New("not a regular file")

func checkRegular(path string, info os.FileInfo, limit int64) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s: %w (%s)", path, errNotRegular, describeMode(info.Mode()))
	}
	if info.Size() > limit {
		return fmt.Errorf("%s: %d bytes, larger than %d bytes (%s)", path, info.Size(), limit, mib(limit))
	}
	return nil
}

func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

func describeMode(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}
