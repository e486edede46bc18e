package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pedigree-sbom/pedigree/internal/registrytest"
	"github.com/pedigree-sbom/pedigree/pkg/sigpack"
	"github.com/pedigree-sbom/pedigree/signatures"
)

// testSigningKey signs the packs of the CLI tests. It comes from a fixed
// seed and is trusted only by this test binary: main's trustedKeys gets it
// here, in TestMain, which also runs in every "exec pedigree" of a script.
var testSigningKey = func() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("pedigree CLI test signing key"))
	return ed25519.NewKeyFromSeed(seed[:])
}()

func TestMain(m *testing.M) {
	trustedKeys = func() ([]sigpack.Key, error) {
		keys, err := signatures.TrustedKeys()
		pub := testSigningKey.Public().(ed25519.PublicKey)
		return append(keys, sigpack.Key{ID: sigpack.KeyID(pub), Public: pub}), err
	}
	testscript.Main(m, map[string]func(){
		"pedigree": main,
	})
}

// TestScript runs the CLI scripts in testdata/script. Each is a txtar
// archive: commands with their expected output, and the input files.
// $FIXTURES is the repository's fixtures/ directory. Under -short the
// scripts that generate SBOMs with syft (directories, archives, images:
// seconds each) skip or stop early with "[short] skip" or "[short] stop",
// saying so; go test without -short runs all of them.
func TestScript(t *testing.T) {
	fixtures, err := filepath.Abs("../../fixtures")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("FIXTURES", fixtures)
			return nil
		},
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") == "1",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mkinput":  mkinput,
			"registry": registryCmd,
			"exits":    exits,
			// nestzip N FILE OUT zips FILE, then that zip, N times in all:
			// OUT holds FILE N archive levels deep.
			"nestzip": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 3 {
					ts.Fatalf("usage: nestzip N FILE OUT")
				}
				n, err := strconv.Atoi(args[0])
				ts.Check(err)
				data, err := os.ReadFile(ts.MkAbs(args[1]))
				ts.Check(err)
				name := filepath.Base(args[1])
				for i := n; i > 0; i-- {
					data = zipOf(ts, name, data)
					name = fmt.Sprintf("level%d.zip", i-1)
				}
				ts.Check(os.WriteFile(ts.MkAbs(args[2]), data, 0o644))
			},
			// mkfifo FILE makes a named pipe.
			"mkfifo": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: mkfifo FILE")
				}
				ts.Check(syscall.Mkfifo(ts.MkAbs(args[0]), 0o644))
			},
			// testkey FILE writes the test signing key's private key file.
			"testkey": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: testkey FILE")
				}
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), sigpack.MarshalPrivate(testSigningKey), 0o600))
			},
			// tamper FILE flips one bit in the middle of FILE.
			"tamper": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: tamper FILE")
				}
				data, err := os.ReadFile(ts.MkAbs(args[0]))
				ts.Check(err)
				data[len(data)/2] ^= 1
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
			},
		},
	})
}

// registryCmd serves images from an in-process registry on 127.0.0.1
// (plain HTTP, no network), started by the script's first call, whose
// host:port is then $REGISTRY; it lives until the script ends:
//
//	registry REF DIR                       the files under DIR as a linux/amd64 image, $REGISTRY/REF
//	registry REF PLATFORM=DIR...           a multi-platform image: one image per DIR, of its PLATFORM
func registryCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: registry REF [PLATFORM=]DIR...")
	}
	host := ts.Getenv("REGISTRY")
	if host == "" {
		var stop func()
		host, stop = registrytest.Serve()
		ts.Defer(stop)
		ts.Setenv("REGISTRY", host)
	}
	var imgs []v1.Image
	for _, a := range args[1:] {
		platform, dir, ok := strings.Cut(a, "=")
		if !ok {
			platform, dir = "linux/amd64", a
		}
		imgs = append(imgs, registrytest.DirImage(ts, platform, ts.MkAbs(dir)))
	}
	if len(imgs) == 1 && !strings.Contains(args[1], "=") {
		registrytest.Push(ts, host+"/"+args[0], imgs[0])
		return
	}
	registrytest.PushIndex(ts, host+"/"+args[0], imgs...)
}

// exits N PROG ARGS... runs PROG as exec does and wants its exit code to
// be N (exec only tells zero from non-zero).
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = exit.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// mkinput writes a hostile input too large to keep in a script:
//
//	mkinput whitespace BYTES FILE   BYTES of spaces and newlines
//	mkinput zeros BYTES FILE        BYTES of zeros
//	mkinput deep-json LEVELS FILE   a CycloneDX header, then LEVELS nested arrays
//	mkinput nested-zip LEVELS FILE  LEVELS zips, each inside the next; the
//	                                innermost holds libkav.txt (1 KiB)
//	mkinput text-zip BYTES FILE     a zip of one deflated entry of BYTES of
//	                                text that compresses about 4:1
func mkinput(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: mkinput whitespace|zeros|deep-json|nested-zip|text-zip N FILE")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("mkinput: %v", err)
	}
	f, err := os.Create(ts.MkAbs(args[2]))
	ts.Check(err)
	defer f.Close()
	w := bufio.NewWriter(f)
	switch args[0] {
	case "whitespace":
		for i := 0; i < n; i++ {
			w.WriteByte(" \n"[i%2])
		}
	case "zeros":
		w.Write(make([]byte, n))
	case "deep-json":
		w.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.6","x":`)
		w.WriteString(strings.Repeat("[", n) + strings.Repeat("]", n) + "}")
	case "nested-zip":
		data := bytes.Repeat([]byte("k"), 1024)
		name := "libkav.txt"
		for i := n; i > 0; i-- {
			data = zipOf(ts, name, data)
			name = fmt.Sprintf("level%d.zip", i-1)
		}
		w.Write(data)
	case "text-zip":
		// Four letters in a pseudo-random order: deflate gets about 4:1.
		text, x := make([]byte, n), uint32(1)
		for i := range text {
			x = x*1664525 + 1013904223
			text[i] = "acgt"[x>>30]
		}
		w.Write(zipOf(ts, "genome.txt", text))
	default:
		ts.Fatalf("mkinput: unknown kind %q", args[0])
	}
	ts.Check(w.Flush())
}

// zipOf is a zip archive of one deflated entry.
func zipOf(ts *testscript.TestScript, name string, data []byte) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	f, err := zw.Create(name)
	ts.Check(err)
	_, err = f.Write(data)
	ts.Check(err)
	ts.Check(zw.Close())
	return b.Bytes()
}
