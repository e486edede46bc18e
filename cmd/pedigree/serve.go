package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pedigree-sbom/pedigree/cmd/pedigree/internal/options"
	"github.com/pedigree-sbom/pedigree/pkg/generate"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/scan"
	"github.com/pedigree-sbom/pedigree/pkg/serve"
	"github.com/pedigree-sbom/pedigree/pkg/store"
	"github.com/pedigree-sbom/pedigree/pkg/webui"
)

// The environment variables of serve's own settings.
const (
	envDB     = "PEDIGREE_DB"
	envListen = "PEDIGREE_LISTEN"
)

// serveCommand is `pedigree serve`, and `pedigree serve token create`.
// The token subcommand is read from serve's arguments, not declared as a
// urfave/cli subcommand: a command with flags of its own has no
// subcommands (reorderArgs gives every flag to the leaf), so serve holds
// token create's --role and --name too, and refuses them without it.
func serveCommand() *cli.Command {
	opts := options.WithFile(
		&options.Setting{Flag: &cli.StringFlag{Name: "db", EnvVars: []string{envDB},
			Usage: "the database: sqlite://PATH or postgres://… (default: sqlite, pedigree/pedigree.db in the user data directory)"}},
		&options.Setting{Flag: &cli.StringFlag{Name: "listen", Value: serve.DefaultListen, EnvVars: []string{envListen},
			Usage: "the address to serve on, HOST:PORT; give another host than 127.0.0.1 to serve beyond this machine"}},
		options.FailOn(),
		options.Signatures("rule file or directory that adds rules or overrides embedded ones by id, repeatable"),
		options.Config(),
		options.Limit(),
		options.Strict(),
		options.Quiet("log only errors"),
		&options.Setting{Flag: &cli.BoolFlag{Name: "demo", Usage: "start with an example record: two example products submitted (one white-labelled), an admin token printed once; the database is a temporary one, removed on exit, unless --db names one"}},
		&options.Setting{Flag: &cli.StringFlag{Name: "role", Usage: "serve token create: the token's role: viewer, reviewer or admin"}},
		&options.Setting{Flag: &cli.StringFlag{Name: "name", Usage: "serve token create: the token's name, as the record shows who acted (default: the role)"}},
	)
	return &cli.Command{
		Name:      "serve",
		Usage:     "serve the review record: stored SBOMs, their verdicts, re-evaluated when the signatures change",
		ArgsUsage: "[token create --role ROLE [--name NAME]]",
		Description: "pedigree serve keeps the SBOMs submitted for products (pedigree submit, or the API under\n" +
			"/api/v1: docs/api.md), evaluates each as scan would, and re-evaluates every one when the\n" +
			"signature pack or the waivers change, recording each verdict change. A pack installed by\n" +
			"pedigree signatures update is taken up without a restart: within the worker's interval (a\n" +
			"minute), or at once with POST /api/v1/signatures/reload (admin). Every API call needs\n" +
			"a token: pedigree serve token create --role viewer|reviewer|admin [--name NAME] makes one\n" +
			"and prints it once, as its last line. The web pages at / (products, findings with their\n" +
			"paths, upload, changes, waivers) take the same token to log in. A file that is not an\n" +
			"SBOM is kept as it is and inspected as scan inspects a file, at every evaluation.\n\n" +
			"The database is --db: sqlite://PATH, or postgres://USER@HOST/DB for a team (several\n" +
			"serve replicas may share one PostgreSQL database). Without it, an SQLite file in the user\n" +
			"data directory. It serves on 127.0.0.1:8080 unless --listen says otherwise, until SIGINT\n" +
			"or SIGTERM, when it finishes the requests in progress and stops.",
		Flags:  opts.Flags(),
		Before: opts.Load,
		Action: runServe,
	}
}

func runServe(c *cli.Context) error {
	if args := c.Args().Slice(); len(args) > 0 {
		if args[0] == "token" {
			return runToken(c, args[1:])
		}
		return usagef("serve takes no arguments but token create (got %q)", args[0])
	}
	for _, f := range []string{"role", "name"} {
		if c.IsSet(f) {
			return usagef("--%s is for pedigree serve token create", f)
		}
	}
	failOn, err := parseFailOn(c.String("fail-on"))
	if err != nil {
		return err
	}
	if failOn == "" {
		failOn = serve.NoGate
	}
	eng, err := loadEngine(c.StringSlice("signatures"))
	if err != nil {
		return err
	}
	lim, err := limitsOf(c)
	if err != nil {
		return err
	}
	dbURL, err := databaseURL(c)
	if err != nil {
		return err
	}
	if c.Bool("demo") && !c.IsSet("db") {
		dir, err := os.MkdirTemp("", "pedigree-demo-")
		if err != nil {
			return fmt.Errorf("serve --demo: %w", err)
		}
		defer os.RemoveAll(dir)
		dbURL = "sqlite://" + filepath.Join(dir, "demo.db")
	}
	level := slog.LevelInfo
	if c.Bool("quiet") {
		level = slog.LevelError
	}
	logh := slog.NewTextHandler(c.App.ErrWriter, &slog.HandlerOptions{Level: level})
	log := slog.New(logh)

	ctx := c.Context
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	srv, err := serve.New(serve.Config{Store: st, Engine: eng, FailOn: failOn, Ingest: ingestOptions(c, lim),
		ToolVersion: versionString(), Logger: log,
		Reload: func() (*match.Engine, error) { return loadEngine(c.StringSlice("signatures")) },
		Generator: func(e *match.Engine) scan.Generator {
			return generate.Generator{Engine: e, Options: generate.Options{Limits: lim.Walk}}
		}})
	if err != nil {
		return err
	}
	if err := webui.Mount(srv, st, webui.Options{Logger: log}); err != nil {
		return err
	}
	demoToken := ""
	if c.Bool("demo") {
		if demoToken, err = seedDemo(ctx, st, srv, c.App.Writer); err != nil {
			return err
		}
	}
	if toks, err := st.Tokens(ctx); err == nil && !slices.ContainsFunc(toks, func(t store.Token) bool { return t.Revoked.IsZero() }) {
		log.Warn("no API token: nobody can log in or call the API; make one with pedigree serve token create --role admin")
	}
	ln, err := net.Listen("tcp", c.String("listen"))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if demoToken != "" {
		fmt.Fprintf(c.App.Writer, "demo: open http://%s/ and log in with this admin token (the API takes it as Authorization: Bearer TOKEN); it is shown this once:\n%s\n",
			ln.Addr(), demoToken)
	}
	log.Info("serving", "url", "http://"+ln.Addr().String()+serve.APIPrefix, "database", redactDB(dbURL),
		"signatures", eng.Set().Version(), "digest", eng.Set().Digest)
	err = srv.Run(ctx, ln, srv.Worker(workerName(), serve.WorkerOptions{}), serve.DefaultGrace)
	if err == nil && ctx.Err() != nil {
		stoppedBySignal.Store(true) // a server's normal end: exit 0
	}
	return err
}

// runToken is `pedigree serve token create`: it makes a token and prints
// it, once, as the last line.
func runToken(c *cli.Context, args []string) error {
	if len(args) != 1 || args[0] != "create" {
		return usagef("usage: pedigree serve token create --role viewer|reviewer|admin [--name NAME] [--db URL]")
	}
	if set := options.Loaded(c); set != nil {
		for _, f := range []string{"listen", "fail-on", "signatures", "limit", "strict"} {
			if st := set.Setting(f); st != nil && st.Origin == options.Flag {
				return usagef("--%s is for pedigree serve, not token create", f)
			}
		}
	}
	role, ok := store.ParseRole(c.String("role"))
	if !ok {
		if c.String("role") == "" {
			return usagef("serve token create needs --role viewer, reviewer or admin")
		}
		return usagef("--role %q is not one of viewer, reviewer, admin", c.String("role"))
	}
	name := strings.TrimSpace(c.String("name"))
	if name == "" {
		name = string(role)
	}
	dbURL, err := databaseURL(c)
	if err != nil {
		return err
	}
	st, err := store.Open(c.Context, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	secret, tok, err := st.CreateToken(c.Context, "pedigree serve token create", name, role)
	if err != nil {
		return err
	}
	if !c.Bool("quiet") {
		fmt.Fprintf(c.App.Writer, "token %d %q, role %s, in %s; it is shown this once:\n", tok.ID, tok.Name, tok.Role, redactDB(dbURL))
	}
	fmt.Fprintln(c.App.Writer, secret)
	return nil
}

// databaseURL is --db, else the default database (defaultDatabase).
func databaseURL(c *cli.Context) (string, error) {
	if u := c.String("db"); u != "" {
		return u, nil
	}
	path, err := defaultDatabase()
	if err != nil {
		return "", err
	}
	return "sqlite://" + path, nil
}

// defaultDatabase is the SQLite file serve uses without --db:
// pedigree/pedigree.db in the user data directory, which is
// $XDG_DATA_HOME (else ~/.local/share) on Linux and other Unix systems,
// and the user config directory (os.UserConfigDir, where installed
// signature packs live too) on macOS and Windows.
func defaultDatabase() (string, error) {
	var dir string
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "plan9":
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("no --db given, and no user data directory for the default database: %w", err)
		}
		dir = d
	default:
		dir = os.Getenv("XDG_DATA_HOME")
		if dir == "" || !filepath.IsAbs(dir) {
			home, err := os.UserHomeDir()
			if err != nil || home == noHome {
				return "", errors.New("no --db given, and no home directory for the default database: give --db sqlite://PATH")
			}
			dir = filepath.Join(home, ".local", "share")
		}
	}
	return filepath.Join(dir, "pedigree", "pedigree.db"), nil
}

// redactDB is a database URL as it may be shown: without a password.
func redactDB(raw string) string {
	scheme, _, ok := strings.Cut(raw, "://")
	if !ok || strings.EqualFold(scheme, "sqlite") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return scheme + "://…"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// workerName names this process's re-evaluation worker in claims and
// evaluations: host, process id and a random suffix, unique among the
// replicas sharing a database.
func workerName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "pedigree"
	}
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}
