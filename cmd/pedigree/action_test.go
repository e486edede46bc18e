package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// actionStep is a step of a composite action or of a workflow job.
type actionStep struct {
	Name string            `yaml:"name"`
	ID   string            `yaml:"id"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

type actionInput struct {
	Description string `yaml:"description"`
	Required    bool   `yaml:"required"`
	Default     string `yaml:"default"`
}

// TestAction checks action.yml, the composite GitHub Action: its inputs,
// that it installs pedigree with go install, scans with flags that
// pedigree scan has, uploads the SARIF file it wrote, and ends with the
// gate's code; and that docs/ci.md's example gives it only inputs it
// declares.
func TestAction(t *testing.T) {
	root := filepath.Join("..", "..")
	data, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Name   string                 `yaml:"name"`
		Inputs map[string]actionInput `yaml:"inputs"`
		Runs   struct {
			Using string       `yaml:"using"`
			Steps []actionStep `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if action.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", action.Runs.Using)
	}
	for _, name := range []string{"targets", "fail-on", "version", "sarif-file"} {
		in, ok := action.Inputs[name]
		if !ok || in.Description == "" {
			t.Errorf("input %s: missing or undescribed", name)
		}
	}
	if !action.Inputs["targets"].Required {
		t.Error("input targets is not required")
	}
	if d := action.Inputs["fail-on"].Default; d != "high" {
		t.Errorf("fail-on defaults to %q, not pedigree's high", d)
	}

	// Every ${{ inputs.X }} names a declared input.
	for _, m := range regexp.MustCompile(`inputs\.([A-Za-z0-9_-]+)`).FindAllStringSubmatch(string(data), -1) {
		if _, ok := action.Inputs[m[1]]; !ok {
			t.Errorf("action.yml uses the undeclared input %s", m[1])
		}
	}

	var help, errb bytes.Buffer
	if code := run([]string{"pedigree", "scan", "--help"}, &help, &errb); code != 0 {
		t.Fatalf("scan --help: exit %d: %s", code, errb.String())
	}
	var install, scan, upload, gate bool
	for i, s := range action.Runs.Steps {
		switch {
		case strings.Contains(s.Run, "go install ") && strings.Contains(s.Run, "github.com/pedigree-sbom/pedigree/cmd/pedigree@"):
			install = true
		case strings.Contains(s.Run, "pedigree scan "):
			scan = true
			if s.ID == "" {
				t.Errorf("the scan step has no id: its exit code cannot be read")
			}
			flags := scanFlags(s.Run)
			if !slices.Contains(flags, "--fail-on") || !slices.Contains(flags, "-o") {
				t.Errorf("the scan step passes %v, want --fail-on and -o", flags)
			}
			for _, f := range flags {
				if !regexp.MustCompile(`(^|[ ,])` + regexp.QuoteMeta(f) + `( value)?([ ,]|$)`).MatchString(help.String()) {
					t.Errorf("the scan step passes %s, which pedigree scan --help does not list", f)
				}
			}
			if !strings.Contains(s.Run, `sarif=$`) {
				t.Errorf("the scan step writes no SARIF file (-o sarif=FILE)")
			}
		case strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@"):
			upload = true
			if s.With["sarif_file"] != "${{ inputs.sarif-file }}" {
				t.Errorf("upload-sarif uploads %q, not the sarif-file input", s.With["sarif_file"])
			}
			if !strings.Contains(s.If, "!cancelled()") {
				t.Errorf("upload-sarif runs only when the gate passed: if %q", s.If)
			}
		case strings.Contains(s.Run, "exit 1") && strings.Contains(s.Run, "exit 2"):
			gate = i == len(action.Runs.Steps)-1
		}
	}
	if !install || !scan || !upload || !gate {
		t.Errorf("steps: install %v, scan %v, upload-sarif %v, gate last %v", install, scan, upload, gate)
	}

	// docs/ci.md's example uses the action with inputs it declares, and
	// gives the required ones.
	doc, err := os.ReadFile(filepath.Join(root, "docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	examples := 0
	for _, block := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		if !strings.Contains(block[1], "uses: pedigree-sbom/pedigree@") {
			continue
		}
		var wf struct {
			Jobs map[string]struct {
				Steps []actionStep `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal([]byte(block[1]), &wf); err != nil {
			t.Fatalf("docs/ci.md example: %v", err)
		}
		for _, job := range wf.Jobs {
			for _, s := range job.Steps {
				if !strings.HasPrefix(s.Uses, "pedigree-sbom/pedigree@") {
					continue
				}
				examples++
				for k := range s.With {
					if _, ok := action.Inputs[k]; !ok {
						t.Errorf("docs/ci.md gives the action the input %q, which action.yml does not declare", k)
					}
				}
				for k, in := range action.Inputs {
					if in.Required && s.With[k] == "" {
						t.Errorf("docs/ci.md's example lacks the required input %q", k)
					}
				}
			}
		}
	}
	if examples == 0 {
		t.Error("docs/ci.md has no example that uses the action")
	}
}

// scanFlags are the flags a shell step passes to pedigree scan, up to --.
func scanFlags(script string) []string {
	var flags []string
	for _, line := range strings.Split(script, "\n") {
		_, rest, ok := strings.Cut(line, "pedigree scan ")
		if !ok {
			continue
		}
		for _, w := range strings.Fields(rest) {
			if w == "--" {
				break
			}
			if strings.HasPrefix(w, "-") {
				name, _, _ := strings.Cut(w, "=")
				flags = append(flags, name)
			}
		}
	}
	return flags
}
