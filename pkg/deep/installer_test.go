package deep

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// TestInstallerContents: the files inside an msi's embedded cab reach the
// content pass, at their location inside both, and so does what the
// installer says of itself (its Property table as text).
func TestInstallerContents(t *testing.T) {
	in, _ := inspector(t)
	data, err := os.ReadFile("../walk/testdata/kav.msi")
	if err != nil {
		t.Fatal(err)
	}
	var copyright, property string
	rep, err := walk.WalkBytes(context.Background(), "setup.msi", data, walk.Limits{}, func(f *walk.File) error {
		if f.Location == "setup.msi!Property" {
			property = string(f.Data)
		}
		if fa := in.Inspect(f); fa != nil && slices.Contains(fa.Copyrights, "Copyright (C) 1997-2010 Kaspersky Lab ZAO") {
			copyright = f.Location
		}
		return nil
	})
	if err != nil || rep.GapCount != 0 {
		t.Fatalf("%v, %q", err, rep.Warnings)
	}
	if copyright != "setup.msi!kav.cab!libkavcore" {
		t.Errorf("copyright found at %q", copyright)
	}
	if !strings.Contains(property, "Manufacturer=Northwind Security Ltd\n") {
		t.Errorf("Property: %q", property)
	}
}
