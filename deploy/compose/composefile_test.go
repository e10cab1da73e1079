package compose

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const composePath = "../docker-compose.yml"

// composeFile holds the parts of the Compose format the file uses; decoding
// with KnownFields makes any other key an error, so a misspelt key fails
// here instead of being ignored.
type composeFile struct {
	Name     string             `yaml:"name"`
	Services map[string]service `yaml:"services"`
	Volumes  map[string]struct {
		Driver string `yaml:"driver"`
	} `yaml:"volumes"`
}

type service struct {
	Build *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Image       string            `yaml:"image"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Ports       []string          `yaml:"ports"`
	DependsOn   []string          `yaml:"depends_on"`
	ReadOnly    bool              `yaml:"read_only"`
	Tmpfs       []string          `yaml:"tmpfs"`
	CapDrop     []string          `yaml:"cap_drop"`
	SecurityOpt []string          `yaml:"security_opt"`
	Restart     string            `yaml:"restart"`
}

// mount is one "source:target[:mode]" entry of a service's volumes.
type mount struct {
	source, target string
	bind           bool // source is a host path, not a named volume
}

func (s service) mounts(t *testing.T) []mount {
	t.Helper()
	var out []mount
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) < 2 || len(parts) > 3 {
			t.Fatalf("volume %q is not source:target[:mode]", v)
		}
		src := parts[0]
		out = append(out, mount{source: src, target: parts[1],
			bind: strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/")})
	}
	return out
}

// hostPath resolves a path of the compose file, which Compose takes
// relative to the file's directory.
func hostPath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(composePath), filepath.FromSlash(p))
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	data, err := os.ReadFile(composePath)
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := decodeStrict(data, &f); err != nil {
		t.Fatalf("%s: %v", composePath, err)
	}
	return f
}

func decodeStrict(data []byte, into any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("decode strictly: %w", err)
	}
	return nil
}

// flagValue returns the value of --name=value in args, or def.
func flagValue(args []string, name, def string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return def
}
