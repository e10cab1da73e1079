package compose

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestComposeFileDecodesStrictly(t *testing.T) {
	f := loadCompose(t)
	for _, name := range []string{"exporter-0", "prometheus", "grafana"} {
		if _, ok := f.Services[name]; !ok {
			t.Errorf("service %s is missing", name)
		}
	}
	err := decodeStrict([]byte("services:\n  grafana:\n    imagee: grafana/grafana:12.2.1\n"), &composeFile{})
	if err == nil || !strings.Contains(err.Error(), "imagee") {
		t.Errorf("a misspelt key decoded without an error naming it: %v", err)
	}
}

func TestExporterIsBuiltFromTheRepositoryInDemoMode(t *testing.T) {
	exporter := loadCompose(t).Services["exporter-0"]
	if exporter.Build == nil {
		t.Fatal("the exporter is not built from the repository")
	}
	context := hostPath(exporter.Build.Context)
	dockerfile := filepath.Join(context, exporter.Build.Dockerfile)
	if _, err := os.Stat(dockerfile); err != nil {
		t.Errorf("Dockerfile: %v", err)
	}
	if _, err := os.Stat(filepath.Join(context, "main.go")); err != nil {
		t.Errorf("build context %s is not the repository root: %v", context, err)
	}
	if !slices.Contains(exporter.Command, "--demo") {
		t.Errorf("command %q does not run the demo", exporter.Command)
	}
}

func TestLocalPathsAndReferencesResolve(t *testing.T) {
	f := loadCompose(t)
	for name, s := range f.Services {
		for _, m := range s.mounts(t) {
			if !m.bind {
				if _, ok := f.Volumes[m.source]; !ok {
					t.Errorf("%s mounts the undeclared volume %s", name, m.source)
				}
				continue
			}
			if _, err := os.Stat(hostPath(m.source)); err != nil {
				t.Errorf("%s mounts %s: %v", name, m.source, err)
			}
		}
		for _, dep := range s.DependsOn {
			if _, ok := f.Services[dep]; !ok {
				t.Errorf("%s depends on the unknown service %s", name, dep)
			}
		}
	}
}

// TestImagesArePinned: a tag keeps `docker compose up` reproducible; the
// built exporter image is local and named by the file itself.
func TestImagesArePinned(t *testing.T) {
	for name, s := range loadCompose(t).Services {
		if s.Build != nil {
			continue
		}
		repo, tag, ok := strings.Cut(s.Image, ":")
		if !ok || tag == "" || tag == "latest" {
			t.Errorf("%s: image %q has no pinned tag", name, s.Image)
		}
		if first, _, _ := strings.Cut(repo, "/"); strings.ContainsAny(first, ".:") {
			t.Errorf("%s: image %q names a registry host; use the image name only", name, s.Image)
		}
	}
}
