// Command pedigree finds software made by a prohibited vendor inside a
// product, whatever name the product is sold under.
//
// The command is a thin adapter over the library in pkg/: it parses flags,
// calls the library, prints, and maps the outcome to an exit code in one
// place (exitCode).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"sync/atomic"
	"syscall"
)

// appContext is the context commands run with (app.RunContext in run). It
// never ends in tests; main replaces it with one that SIGINT and SIGTERM
// cancel.
var appContext = context.Background()

// noHome is HOME when the environment has none.
const noHome = "/nonexistent"

// exitInterrupted is the exit code after SIGINT, as shells report a
// process that SIGINT ended (128+2). After SIGTERM it is exitError: an
// interrupted scan never passes.
const exitInterrupted = 130

// stoppedBySignal is set by a command for which SIGINT and SIGTERM are its
// normal end (serve, once it has stopped cleanly): it then exits as it
// returned, not as an interrupted scan.
var stoppedBySignal atomic.Bool

// gcPercent is the garbage collector's target (GOGC) when GOGC is unset.
const gcPercent = 60

func main() {
	// syft's default settings look up the user's home directory (for the Go
	// module cache and the Maven repository, both of which pedigree leaves
	// unused), and with HOME unset that runs getent and sh. A scan starts
	// no process: with no HOME, the home is a directory that does not
	// exist, as for system users.
	if os.Getenv("HOME") == "" {
		os.Setenv("HOME", noHome)
	}
	// A generation holds two programs' garbage at once, syft's and the
	// walk's (buffers of decompressed entries, short-lived), on a live
	// heap of a few hundred MB: collecting at 60% growth instead of 100%
	// costs about 2% more CPU and keeps the peak memory near syft's alone
	// (docs/performance.md). GOGC, when set, wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var got atomic.Value // the signal received, if any
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		got.Store(s)
		// The work in progress sees ctx end, stops, and removes its
		// temporary files on the way out; a second signal ends the
		// process at once, as if pedigree did not handle signals.
		signal.Stop(sigs)
		cancel(fmt.Errorf("%v", s))
	}()
	appContext = ctx

	code := run(os.Args, os.Stdout, os.Stderr)
	signal.Stop(sigs)
	if s, ok := got.Load().(os.Signal); ok && !(stoppedBySignal.Load() && code == 0) {
		fmt.Fprintf(os.Stderr, "pedigree: interrupted by %s: stopped without a verdict\n", signalName(s))
		code = exitError
		if s == os.Interrupt {
			code = exitInterrupted
		}
	}
	os.Exit(code)
}

func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}
