package generate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
	"github.com/pedigree-sbom/pedigree/pkg/pe/petest"
	"github.com/pedigree-sbom/pedigree/pkg/source"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// TestTempDirs: whatever is unpacked under TMPDIR to read a target (syft
// extracts a file archive, stereoscope's image readers unpack an image or
// try to, catalogers spill archive entries) is gone when Generate returns,
// after success, failure and cancellation alike. Before, every file, zip,
// tar or dll target left a stereoscope-* directory behind.
func TestTempDirs(t *testing.T) {
	if testing.Short() {
		t.Skip("generation runs syft; skipped with -short")
	}
	eng := engine(t)
	in := t.TempDir()
	product := filepath.Join(in, "product")
	write(t, filepath.Join(product, "README"), []byte("Northwind Gateway 7.2\n"))
	write(t, filepath.Join(product, "lib", "libnwscan.so"), elf("libnwscan.so.7", "Copyright (c) 2023 AO Kaspersky Lab"))
	jar := archivetest.Zip(t,
		archivetest.File{Name: "META-INF/MANIFEST.MF", Data: []byte("Manifest-Version: 1.0\r\nImplementation-Title: nw\r\n\r\n")},
		archivetest.File{Name: "com/northwind/Main.class", Data: []byte("\xca\xfe\xba\xbe\x00\x00\x00\x34")})
	write(t, filepath.Join(product, "java", "nw.jar"), jar)
	dll := filepath.Join(in, "nwguard.dll")
	write(t, dll, petest.Build(map[string]string{"CompanyName": "Northwind Security Ltd", "OriginalFilename": "nwguard.dll"}, nil))
	zip := filepath.Join(in, "bundle.zip")
	write(t, zip, archivetest.Zip(t,
		archivetest.File{Name: "README", Data: []byte("bundle\n")},
		archivetest.File{Name: "lib/nw.jar", Data: jar},
		archivetest.File{Name: "lib/libnwscan.so", Data: elf("Copyright (c) 2023 AO Kaspersky Lab")}))
	files := []entry{{"opt/", nil}, {"opt/nw/", nil}, {"opt/nw/README", []byte("tar\n")}, {"opt/nw/nw.jar", jar}}
	tarball := filepath.Join(in, "bundle.tar")
	write(t, tarball, tarOf(t, files...))
	image := filepath.Join(in, "gateway.tar")
	write(t, image, dockerArchive(t, tarOf(t, append(files, entry{"etc/", nil}, entry{"etc/os-release", []byte("ID=northwind\n")})...)))

	tmp := t.TempDir() // before TMPDIR changes: t.TempDir itself uses it
	t.Setenv("TMPDIR", tmp)

	tests := []struct {
		name   string
		kind   source.Scheme
		target string
		// cancel cancels the context when deep inspection reads its
		// first file: syft has opened the source and is cataloging.
		cancel  bool
		wantErr string
	}{
		{name: "directory", kind: "dir", target: product},
		{name: "dll", kind: "file", target: dll},
		{name: "zip", kind: "file", target: zip},
		{name: "tar", kind: "file", target: tarball},
		{name: "image archive as a file", kind: "file", target: image},
		{name: "docker archive", kind: "docker-archive", target: image},
		{name: "not an OCI archive", kind: "oci-archive", target: tarball, wantErr: "cannot read as oci-archive"},
		{name: "not a docker archive", kind: "docker-archive", target: zip, wantErr: "cannot read as docker-archive"},
		{name: "missing", kind: "file", target: filepath.Join(in, "missing.zip"), wantErr: "missing.zip"},
		{name: "zip cancelled", kind: "file", target: zip, cancel: true, wantErr: context.Canceled.Error()},
		{name: "docker archive cancelled", kind: "docker-archive", target: image, cancel: true, wantErr: context.Canceled.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emptyDir(t, tmp) // each case on its own, whatever the one before left
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			opts := Options{Limits: walk.DefaultLimits()}
			if tt.cancel {
				opts.Progress = func(Progress) {
					if entries := tempEntries(t, tmp); len(entries) == 0 && tt.kind != "dir" {
						t.Errorf("nothing under TMPDIR while reading %s: the case tests no cleanup", tt.target)
					}
					cancel()
				}
			}
			res, err := Generate(ctx, tt.kind, tt.target, eng, opts)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Generate: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Generate: error %v, want one with %q", err, tt.wantErr)
			case tt.cancel && !errors.Is(err, context.Canceled):
				t.Errorf("Generate: error %v does not wrap context.Canceled", err)
			}
			if err == nil && len(res.Document.Components) == 0 {
				t.Errorf("no components: nothing was read")
			}
			if left := tempEntries(t, tmp); len(left) > 0 {
				t.Errorf("left under TMPDIR: %s", strings.Join(left, ", "))
			}
		})
	}
}

// emptyDir removes what is in dir.
func emptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
}

// tempEntries lists what is in dir, nested entries included.
func tempEntries(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}
