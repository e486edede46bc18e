package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestCompletion checks the words pedigree offers to a shell, in process:
// the shells, the values of --fail-on and of the report's -o, and flags.
func TestCompletion(t *testing.T) {
	app := newApp(nil, nil)
	scanCmd := findCommand(app.Commands, "scan")
	bundle := findCommand(findCommand(app.Commands, "signatures").Subcommands, "bundle")
	tests := []struct {
		name  string
		cmd   string
		args  string
		words []string
		want  string
	}{
		{"fail-on values", "scan", "pedigree scan --fail-on", nil, "none info low medium high critical"},
		{"fail-on after a target", "scan", "pedigree scan bom.json --fail-on", nil, "none info low medium high critical"},
		{"report formats", "scan", "pedigree scan -o", nil, "table json sarif markdown csv html cyclonedx-json"},
		{"report formats, long flag", "scan", "pedigree scan x --output", nil, "table json sarif markdown csv html cyclonedx-json"},
		{"a file flag: nothing", "scan", "pedigree scan --waivers", nil, ""},
		{"a flag with its value: words", "scan", "pedigree scan --fail-on=low", nil, ""},
		{"a flag begun", "scan", "pedigree scan --fu", nil, "--full-paths"},
		{"a boolean flag, whole, is completed to itself", "scan", "pedigree scan --quiet", nil, "--quiet"},
		{"another command's -o names a file", "bundle", "pedigree signatures bundle -o", nil, ""},
		{"words after a target", "completion", "pedigree completion", []string{"bash", "zsh", "fish"}, "bash zsh fish"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := scanCmd
			if tt.cmd == "bundle" {
				cmd = bundle
			} else if tt.cmd == "completion" {
				cmd = findCommand(app.Commands, "completion")
			}
			var b bytes.Buffer
			completeWords(&b, cmd, append(strings.Fields(tt.args), "--generate-bash-completion"), tt.words)
			if got := strings.Join(strings.Fields(b.String()), " "); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	var b bytes.Buffer
	completeWords(&b, scanCmd, []string{"pedigree", "scan", "-", "--generate-bash-completion"}, nil)
	for _, f := range []string{"-o", "--output", "--fail-on", "--waivers", "--from", "-q", "--allow-incomplete"} {
		if !strings.Contains("\n"+b.String(), "\n"+f+"\n") {
			t.Errorf("scan - offers no %s:\n%s", f, b.String())
		}
	}
}

// TestCompletionScripts checks that every script ends with a newline, so
// that one can be appended to a shell's startup file.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range shells {
		var out, errb bytes.Buffer
		if code := run([]string{"pedigree", "completion", shell}, &out, &errb); code != 0 {
			t.Fatalf("completion %s: exit %d: %s", shell, code, errb.String())
		}
		if s := out.String(); s == "" || !strings.HasSuffix(s, "\n") || strings.HasSuffix(s, "\n\n\n") {
			t.Errorf("completion %s: the script does not end with one newline: %q", shell, s[max(0, len(s)-40):])
		}
	}
}
