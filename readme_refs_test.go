package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Documents whose links and section references are checked; README.md's
// commands too.
var checkedDocs = []string{"README.md", "CONFIGURATION.md", "docs/operating.md", "docs/metrics.md", "docs/capacity.md", "deploy/kubernetes/README.md"}

var (
	headingRE = regexp.MustCompile(`(?m)^#{1,6} +(.+?) *$`)
	linkRE    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	// "Check access" below, "Container image" above.
	nearRefRE = regexp.MustCompile(`"([A-Z][^"]{2,60})" (?:below|above)`)
	// (see the README, "Setup in Entra ID") in documents and in Go strings.
	readmeRefRE = regexp.MustCompile(`README(?: section)?, \\?"([^"\\]+)\\?"`)
	fenceRE     = regexp.MustCompile("(?ms)^```(sh|console)\n(.*?)^```")
)

// headings returns the section titles of a Markdown file and the anchors
// GitHub gives them.
func headings(t *testing.T, file string) (titles, anchors map[string]bool) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	titles, anchors = map[string]bool{}, map[string]bool{}
	// Headings inside code blocks are not headings.
	text := regexp.MustCompile("(?ms)^```.*?^```").ReplaceAllString(string(data), "")
	for _, m := range headingRE.FindAllStringSubmatch(text, -1) {
		titles[m[1]] = true
		anchors[slug(m[1])] = true
	}
	return titles, anchors
}

// slug is GitHub's anchor of a heading: lower case, punctuation dropped,
// spaces as hyphens.
func slug(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r == ' ' || r == '-':
			b.WriteRune('-')
		case r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestDocumentLinksAndSectionReferencesResolve(t *testing.T) {
	for _, doc := range checkedDocs {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		titles, anchors := headings(t, doc)
		for _, m := range linkRE.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(target, "#")
			targetAnchors := anchors
			if path != "" {
				full := filepath.Join(filepath.Dir(doc), path)
				if _, err := os.Stat(full); err != nil {
					t.Errorf("%s links to %s, which does not exist", doc, target)
					continue
				}
				if anchor != "" {
					_, targetAnchors = headings(t, full)
				}
			}
			if anchor != "" && !targetAnchors[anchor] {
				t.Errorf("%s links to %s, but no heading has the anchor #%s", doc, target, anchor)
			}
		}
		for _, m := range nearRefRE.FindAllStringSubmatch(string(data), -1) {
			if !titles[m[1]] {
				t.Errorf("%s refers to the section %q, which it does not have", doc, m[1])
			}
		}
	}
}

// TestReadmeSectionReferencesResolve checks "see the README, "Section""
// in the documents and in the messages of the Go code.
func TestReadmeSectionReferencesResolve(t *testing.T) {
	titles, _ := headings(t, "README.md")
	found := 0
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "tools" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".md") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range readmeRefRE.FindAllStringSubmatch(string(data), -1) {
			found++
			if !titles[m[1]] {
				t.Errorf("%s refers to the README section %q, which does not exist", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Error("no README section reference found; the check would pass on anything")
	}
}

// TestReadmeCommandsExist checks the commands of README.md's shell blocks:
// the repository's scripts they run exist and are executable, the module
// they install is this one, and every flag they give the exporter is one of
// its flags.
func TestReadmeCommandsExist(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	help, _ := exec.Command(exporterBinary(t), "--help").CombinedOutput()
	flags := map[string]bool{}
	for _, m := range regexp.MustCompile(`--(?:\[no-\])?([a-z][a-z0-9.-]*)`).FindAllStringSubmatch(string(help), -1) {
		flags["--"+m[1]] = true
	}
	if !flags["--config.file"] {
		t.Fatalf("the exporter's --help names no --config.file:\n%s", help)
	}
	module := readModulePath(t)
	commands := 0
	for _, block := range fenceRE.FindAllStringSubmatch(string(data), -1) {
		text := strings.ReplaceAll(block[2], "\\\n", " ")
		for _, line := range strings.Split(text, "\n") {
			if block[1] == "console" {
				var ok bool
				if line, ok = strings.CutPrefix(line, "$ "); !ok {
					continue // output, not a command
				}
			}
			line, _, _ = strings.Cut(line, "#")
			words := strings.Fields(line)
			for len(words) > 0 && strings.Contains(words[0], "=") {
				words = words[1:] // GOTOOLCHAIN=… before the command
			}
			if len(words) == 0 {
				continue
			}
			commands++
			checkCommand(t, words, flags, module)
		}
	}
	if commands == 0 {
		t.Fatal("README.md has no commands in sh or console blocks")
	}
}

func checkCommand(t *testing.T, words []string, flags map[string]bool, module string) {
	t.Helper()
	cmd := strings.Join(words, " ")
	switch {
	case strings.HasPrefix(words[0], "tools/") || strings.HasPrefix(words[0], ".ci/"):
		info, err := os.Stat(words[0])
		if err != nil || info.Mode()&0o111 == 0 {
			t.Errorf("README runs %s, which is not an executable file of the repository (%v)", words[0], err)
		}
	case len(words) >= 3 && words[0] == "go" && words[1] == "install":
		if path, _, _ := strings.Cut(words[2], "@"); path != module {
			t.Errorf("README installs %s, want the module %s", path, module)
		}
	}
	exporter := words[0] == exporterName || len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "."
	if !exporter {
		return
	}
	for _, w := range words[1:] {
		flag, _, _ := strings.Cut(w, "=")
		if strings.HasPrefix(flag, "--") && !flags[flag] {
			t.Errorf("README runs %q, but the exporter has no flag %s", cmd, flag)
		}
	}
}

func readModulePath(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if path, ok := strings.CutPrefix(line, "module "); ok {
			return strings.TrimSpace(path)
		}
	}
	t.Fatal("go.mod names no module")
	return ""
}
