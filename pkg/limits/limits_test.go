package limits

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSet(t *testing.T) {
	for _, tc := range []struct {
		setting string
		check   func(Limits) bool
		err     string
	}{
		{"sbom-bytes=2GiB", func(l Limits) bool { return l.Ingest.MaxBytes == 2<<30 }, ""},
		{"sbom-bytes = 1500MB", func(l Limits) bool { return l.Ingest.MaxBytes == 1_500_000_000 }, ""},
		{"sbom-depth=50", func(l Limits) bool { return l.Ingest.MaxDepth == 50 }, ""},
		{"components=100000", func(l Limits) bool { return l.Ingest.MaxComponents == 100000 }, ""},
		{"string-bytes=64KiB", func(l Limits) bool { return l.Ingest.MaxStringBytes == 64<<10 }, ""},
		{"archive-depth=2", func(l Limits) bool { return l.Walk.MaxDepth == 2 }, ""},
		{"archive-depth=0", func(l Limits) bool { return l.Walk.MaxDepth < 0 }, ""},
		{"files=10", func(l Limits) bool { return l.Walk.MaxFiles == 10 }, ""},
		{"file-bytes=1MiB", func(l Limits) bool { return l.Walk.MaxFileBytes == 1<<20 }, ""},
		{"total-bytes=100GiB", func(l Limits) bool { return l.Walk.MaxTotalBytes == 100<<30 }, ""},
		{"ratio=50", func(l Limits) bool { return l.Walk.MaxRatio == 50 }, ""},
		{"files", nil, `limit "files": want NAME=VALUE (names: sbom-bytes, sbom-depth, components,`},
		{"depth=3", nil, `unknown limit "depth" (names: sbom-bytes,`},
		{"files=ten", nil, `limit files: "ten" is not a whole number`},
		{"files=10MiB", nil, `limit files: "10MiB" is not a whole number`},
		{"sbom-bytes=lots", nil, `limit sbom-bytes: "lots" is not a size such as 1048576, 512KiB, 16MiB or 2GiB`},
		{"sbom-bytes=-1", nil, `limit sbom-bytes: "-1" is not a size`},
		{"sbom-bytes=0", nil, "limit sbom-bytes: 0 is below the smallest value, 1"},
		{"ratio=0", nil, "limit ratio: 0 is below the smallest value, 1"},
		{"sbom-bytes=9000000000TiB", nil, `limit sbom-bytes: "9000000000TiB" is too large`},
		{"components=9999999999", nil, "limit components: 9999999999 is too large"},
	} {
		t.Run(tc.setting, func(t *testing.T) {
			l := Default()
			err := l.Set(tc.setting)
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("got %v, want %s", err, tc.err)
				}
				if l != Default() {
					t.Errorf("a refused setting changed the limits")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(l) {
				t.Errorf("not applied: %+v", l)
			}
		})
	}
}

// TestDefaults shows that unset limits are filled with the defaults, and
// that each default prints as it can be written back.
func TestDefaults(t *testing.T) {
	l := Default()
	if (Limits{}).WithDefaults() != l {
		t.Fatalf("zero limits filled are %+v, want Default() %+v", (Limits{}).WithDefaults(), l)
	}
	want := map[string]string{"sbom-bytes": "1GiB", "sbom-depth": "1000", "components": "5000000", "string-bytes": "16MiB",
		"archive-depth": "6", "files": "2000000", "file-bytes": "256MiB", "total-bytes": "32GiB", "ratio": "1000"}
	if len(All) != len(want) {
		t.Errorf("%d limits, want %d", len(All), len(want))
	}
	for _, m := range All {
		got := Format(m.Get(&l), m.Unit)
		if got != want[m.Name] {
			t.Errorf("%s: default %s, want %s", m.Name, got, want[m.Name])
		}
		again := Default()
		if err := again.SetValue(m.Name, got); err != nil || again != l {
			t.Errorf("%s=%s does not round-trip: %v", m.Name, got, err)
		}
		if m.Doc == "" {
			t.Errorf("%s has no doc", m.Name)
		}
	}
	if Format(1500, Bytes) != "1500" || Format(3<<20, Bytes) != "3MiB" {
		t.Errorf("Format")
	}
}

// TestDocumented shows docs/reliability.md lists every limit with its
// default, as pedigree config prints it.
func TestDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "reliability.md"))
	if err != nil {
		t.Fatal(err)
	}
	l := Default()
	for _, m := range All {
		row := "| `" + m.Name + "` | " + Format(m.Get(&l), m.Unit) + " |"
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/reliability.md has no row starting %q", row)
		}
	}
}
