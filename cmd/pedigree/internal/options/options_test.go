package options

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// scanLike is a Set with a setting of every kind: a list, a text, a
// number, a boolean, and the limits.
func scanLike() *Set {
	return WithFile(
		Output("reports"), FailOn(), Signatures("rules"), Waivers("waivers"),
		Config(), Jobs(), Limit(), AllowIncomplete(), Strict(), Platform(), Quiet("quiet"),
	)
}

// load runs a command with set's flags and returns the resolved Set and
// the values the command saw.
func load(t *testing.T, set *Set, args ...string) (map[string]string, error) {
	t.Helper()
	values := map[string]string{}
	app := &cli.App{
		Name: "t", Writer: io.Discard, ErrWriter: io.Discard,
		ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{{
			Name: "cmd", Flags: set.Flags(), Before: set.Load,
			Action: func(c *cli.Context) error {
				if Loaded(c) != set {
					t.Errorf("Loaded(c) is not the command's Set")
				}
				for _, st := range set.Settings {
					values[st.Name()] = valueOf(c.Value(st.Name()))
				}
				return nil
			},
		}},
	}
	err := app.Run(append([]string{"t", "cmd"}, args...))
	return values, err
}

func valueOf(v any) string {
	if s, ok := v.(cli.StringSlice); ok {
		return strings.Join(s.Value(), ",")
	}
	return fmt.Sprint(v)
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pedigree.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// clearEnv unsets every PEDIGREE_* variable for the test.
// withConfig writes the config file text, when there is one, and returns
// args with --config naming it, and its path ("" for none).
func withConfig(t *testing.T, text string, args []string) ([]string, string) {
	t.Helper()
	if text == "" {
		return args, ""
	}
	path := writeConfig(t, text)
	return append([]string{"--config", path}, args...), path
}

func clearEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "PEDIGREE_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	// No ./.pedigree.yaml or user config file is found by accident.
	t.Chdir(t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
}

func TestOrigins(t *testing.T) {
	const file = "fail-on: critical\noutput: [json=r.json]\nwaivers: w.yaml\nallow-incomplete: true\nstrict: true\nsignatures: [a, b]\nplatform: linux/arm64\n"
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		file  string
		key   string // the setting looked at
		value string
		// origin; "FILE" stands for the config file's origin.
		origin string
	}{
		{name: "default", key: "fail-on", value: "high", origin: "default"},
		{name: "default list", key: "output", value: "", origin: "default"},
		{name: "default number", key: "jobs", value: fmt.Sprint(min(4, runtime.GOMAXPROCS(0))), origin: "default"},
		{name: "flag", args: []string{"--fail-on", "low"}, key: "fail-on", value: "low", origin: "flag"},
		{name: "flag alias", args: []string{"-o", "csv"}, key: "output", value: "csv", origin: "flag"},
		{name: "environment", env: map[string]string{EnvFailOn: "medium"}, key: "fail-on", value: "medium", origin: "environment (PEDIGREE_FAIL_ON)"},
		{name: "environment list", env: map[string]string{EnvSignatures: "x,y"}, key: "signatures", value: "x,y", origin: "environment (PEDIGREE_SIGNATURES)"},
		{name: "environment number", env: map[string]string{EnvJobs: "3"}, key: "jobs", value: "3", origin: "environment (PEDIGREE_JOBS)"},
		{name: "environment bool", env: map[string]string{EnvAllowIncomplete: "true"}, key: "allow-incomplete", value: "true", origin: "environment (PEDIGREE_ALLOW_INCOMPLETE)"},
		{name: "flag over environment", env: map[string]string{EnvFailOn: "medium"}, args: []string{"--fail-on", "low"}, key: "fail-on", value: "low", origin: "flag"},
		{name: "flag equal to environment", env: map[string]string{EnvFailOn: "low"}, args: []string{"--fail-on=low"}, key: "fail-on", value: "low", origin: "flag"},
		{name: "config file", file: file, key: "fail-on", value: "critical", origin: "FILE"},
		{name: "config file list", file: file, key: "signatures", value: "a,b", origin: "FILE"},
		{name: "config file bool", file: file, key: "allow-incomplete", value: "true", origin: "FILE"},
		{name: "strict from the environment", env: map[string]string{EnvStrict: "1"}, key: "strict", value: "true", origin: "environment (PEDIGREE_STRICT)"},
		{name: "strict from the config file", file: file, key: "strict", value: "true", origin: "FILE"},
		{name: "strict flag over config file", file: file, args: []string{"--strict=false"}, key: "strict", value: "false", origin: "flag"},
		{name: "platform from the config file", file: file, key: "platform", value: "linux/arm64", origin: "FILE"},
		{name: "platform from the environment", file: file, env: map[string]string{EnvPlatform: "linux/arm/v7"}, key: "platform", value: "linux/arm/v7", origin: "environment (PEDIGREE_PLATFORM)"},
		{name: "platform flag", file: file, env: map[string]string{EnvPlatform: "linux/arm/v7"}, args: []string{"--platform", "linux/amd64"}, key: "platform", value: "linux/amd64", origin: "flag"},
		{name: "environment over config file", file: file, env: map[string]string{EnvWaivers: "v.yaml"}, key: "waivers", value: "v.yaml", origin: "environment (PEDIGREE_WAIVERS)"},
		{name: "flag over config file", file: file, args: []string{"-o", "table"}, key: "output", value: "table", origin: "flag"},
		{name: "empty environment is not set", file: file, env: map[string]string{EnvFailOn: ""}, key: "fail-on", value: "critical", origin: "FILE"},
		{name: "empty environment list is not set", file: file, env: map[string]string{EnvOutput: ""}, key: "output", value: "json=r.json", origin: "FILE"},
		{name: "empty environment bool is not set", file: file, env: map[string]string{EnvAllowIncomplete: ""}, key: "allow-incomplete", value: "true", origin: "FILE"},
		{name: "empty environment, no file", env: map[string]string{EnvWaivers: ""}, key: "waivers", value: "", origin: "default"},
		{name: "empty flag is not set", file: file, args: []string{"--waivers="}, key: "waivers", value: "w.yaml", origin: "FILE"},
		{name: "a key the file lacks", file: "fail-on: none\n", key: "waivers", value: "", origin: "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args, path := withConfig(t, tt.file, tt.args)
			set := scanLike()
			values, err := load(t, set, args...)
			if err != nil {
				t.Fatal(err)
			}
			st := set.Setting(tt.key)
			want := Origin(tt.origin)
			if tt.origin == "FILE" {
				want = ConfigFile(path)
			}
			if st.Origin != want {
				t.Errorf("origin of %s = %q, want %q", tt.key, st.Origin, want)
			}
			if got := values[tt.key]; got != tt.value {
				t.Errorf("value of %s = %q, want %q", tt.key, got, tt.value)
			}
		})
	}
}

func TestLimitOrigins(t *testing.T) {
	tests := []struct {
		name string
		env  string
		args []string
		file string
		// want is NAME=ORIGIN for the limits looked at; FILE stands for
		// the config file's origin.
		want map[string]string
	}{
		{name: "defaults", want: map[string]string{"files": "default", "ratio": "default"}},
		{name: "flag", args: []string{"--limit", "files=5"}, want: map[string]string{"files": "flag", "ratio": "default"}},
		{name: "environment", env: "files=5, ratio=3", want: map[string]string{"files": "environment (PEDIGREE_LIMIT)", "ratio": "environment (PEDIGREE_LIMIT)"}},
		{name: "empty environment", env: "", file: "limits:\n  files: 9\n", want: map[string]string{"files": "FILE"}},
		{name: "config file", file: "limits:\n  files: 9\n  ratio: 4\n", want: map[string]string{"files": "FILE", "ratio": "FILE", "components": "default"}},
		{name: "flag over config file", file: "limits:\n  files: 9\n  ratio: 4\n", args: []string{"--limit", "files=5"},
			want: map[string]string{"files": "flag", "ratio": "FILE"}},
		{name: "environment over config file", file: "limits:\n  files: 9\n  ratio: 4\n", env: "ratio=3",
			want: map[string]string{"files": "FILE", "ratio": "environment (PEDIGREE_LIMIT)"}},
		{name: "flag replaces environment", env: "ratio=3", args: []string{"--limit", "files=5"},
			want: map[string]string{"files": "flag", "ratio": "default"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(EnvLimit, tt.env)
			args, path := withConfig(t, tt.file, tt.args)
			set := scanLike()
			var origins map[string]Origin
			app := &cli.App{Name: "t", Writer: io.Discard, ErrWriter: io.Discard, ExitErrHandler: func(*cli.Context, error) {},
				Commands: []*cli.Command{{Name: "cmd", Flags: set.Flags(), Before: set.Load, Action: func(c *cli.Context) error {
					var err error
					_, origins, err = set.Limits.Resolve(c)
					return err
				}}}}
			if err := app.Run(append([]string{"t", "cmd"}, args...)); err != nil {
				t.Fatal(err)
			}
			for name, w := range tt.want {
				want := Origin(w)
				if w == "FILE" {
					want = ConfigFile(path)
				}
				if origins[name] != want {
					t.Errorf("origin of limit %s = %q, want %q", name, origins[name], want)
				}
			}
		})
	}
}

func TestBadLimitFlag(t *testing.T) {
	clearEnv(t)
	set := scanLike()
	app := &cli.App{Name: "t", Writer: io.Discard, ErrWriter: io.Discard, ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{{Name: "cmd", Flags: set.Flags(), Before: set.Load, Action: func(c *cli.Context) error {
			_, _, err := set.Limits.Resolve(c)
			return err
		}}}}
	err := app.Run([]string{"t", "cmd", "--limit", "depth=3"})
	ue, ok := err.(*UsageError)
	if !ok || !strings.HasPrefix(ue.Msg, `--limit: unknown limit "depth"`) {
		t.Errorf("error = %v (%T), want a *UsageError about --limit", err, err)
	}
}

func TestReadFileErrors(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // PATH stands for the file's path
	}{
		{"unknown key", "fail_on: high\n", "config PATH:1: field fail_on not found"},
		{"unknown key on a later line", "fail-on: high\nwaiver: w.yaml\n", "config PATH:2: field waiver not found"},
		{"bad limit value", "limits:\n  files: many\n", `config PATH: limits: limit files: "many" is not a whole number`},
		{"unknown limit", "limits:\n  depth: 3\n", `config PATH: limits: unknown limit "depth"`},
		{"not YAML", "fail-on: [\n", "config PATH:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.text)
			_, err := ReadFile(path)
			want := strings.ReplaceAll(tt.want, "PATH", path)
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("ReadFile = %v, want an error starting %q", err, want)
			}
		})
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.HasSuffix(err.Error(), "missing.yaml: no such file or directory") {
		t.Errorf("ReadFile(missing) = %v, want the path and the bare reason", err)
	}
	f, err := ReadFile("")
	if err != nil || f.Path != "" {
		t.Errorf(`ReadFile("") = %+v, %v, want no file`, f, err)
	}
	f, err = ReadFile(writeConfig(t, ""))
	if err != nil {
		t.Errorf("an empty config file: %v", err)
	}
}

// TestLoadErrors: Load reports the config file's errors, naming the file.
func TestLoadErrors(t *testing.T) {
	clearEnv(t)
	path := writeConfig(t, "limits:\n  files: many\n")
	_, err := load(t, scanLike(), "--config", path)
	if err == nil || !strings.Contains(err.Error(), "config "+path+": limits: limit files:") {
		t.Errorf("Load = %v, want the file and key named", err)
	}
}

// TestFileKeys: every config file key is a setting's, once.
func TestFileKeys(t *testing.T) {
	seen := map[string]bool{}
	for _, st := range scanLike().Settings {
		if st.Key == "" {
			continue
		}
		if seen[st.Key] {
			t.Errorf("key %s declared twice", st.Key)
		}
		seen[st.Key] = true
	}
	for _, key := range []string{"output", "fail-on", "signatures", "waivers", "allow-incomplete", "strict", "platform", "limits"} {
		if !seen[key] {
			t.Errorf("no setting has the config key %s", key)
		}
	}
}

// TestLimitsOnly: a WithFileLimits command takes the file's limits but
// none of its values.
func TestLimitsOnly(t *testing.T) {
	clearEnv(t)
	path := writeConfig(t, "waivers: w.yaml\nlimits:\n  files: 9\n")
	set := WithFileLimits(Waivers("w"), Limit(), Config())
	values, err := load(t, set, "--config", path)
	if err != nil {
		t.Fatal(err)
	}
	if values["waivers"] != "" || set.Setting("waivers").Origin != Default {
		t.Errorf("waivers = %q from %s, want the default", values["waivers"], set.Setting("waivers").Origin)
	}
	if set.Limits.file.Limits["files"] != "9" {
		t.Errorf("the file's limits were not kept")
	}
}

// TestStrictOnEveryReader: strict: in the config file is a reading
// setting, like the limits: a WithFileLimits command (inspect, explain)
// takes it too.
func TestStrictOnEveryReader(t *testing.T) {
	clearEnv(t)
	path := writeConfig(t, "waivers: w.yaml\nstrict: true\n")
	set := WithFileLimits(Waivers("w"), Limit(), Strict(), Config())
	values, err := load(t, set, "--config", path)
	if err != nil {
		t.Fatal(err)
	}
	if values["strict"] != "true" || set.Setting("strict").Origin != ConfigFile(path) {
		t.Errorf("strict = %q from %s, want true from the file", values["strict"], set.Setting("strict").Origin)
	}
	if values["waivers"] != "" {
		t.Errorf("waivers = %q, want the default", values["waivers"])
	}
}
