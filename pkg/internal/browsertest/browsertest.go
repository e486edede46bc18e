// Package browsertest finds the headless browser the browser tests run:
// Debian's chromium package, or the program PEDIGREE_CHROMIUM names.
// .ci/run installs it and sets PEDIGREE_REQUIRE_BROWSER=1, so that in CI
// a missing browser fails the test; a local run without it skips with a
// message.
package browsertest

import (
	"os"
	"os/exec"
	"testing"
)

// RequireEnv names the environment variable that, set, turns a missing
// browser into a test failure instead of a skip.
const RequireEnv = "PEDIGREE_REQUIRE_BROWSER"

// Chromium returns the browser to run for the test of what ("the HTML
// report", "the web UI"), or skips the test (fails it under RequireEnv).
func Chromium(t *testing.T, what string) string {
	t.Helper()
	if p := os.Getenv("PEDIGREE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "headless Chromium not found: install Debian's chromium package or set PEDIGREE_CHROMIUM to run the browser test of " + what
	if os.Getenv(RequireEnv) != "" {
		t.Fatal(msg + " (" + RequireEnv + " is set: CI must run it)")
	}
	t.Skip(msg)
	return ""
}
