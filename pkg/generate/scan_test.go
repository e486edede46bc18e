package generate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/result"
	"github.com/pedigree-sbom/pedigree/pkg/scan"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/source"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// Generator is what scan takes to read targets that are not SBOMs.
var _ scan.Generator = Generator{}

// TestScanIncomplete runs scan with the real generator: a Kaspersky
// library one archive level deeper than the depth limit is not a pass;
// one level shallower it fails the gate. Allowed, the gap is listed and
// the verdict is what was read.
func TestScanIncomplete(t *testing.T) {
	if testing.Short() {
		t.Skip("generation runs syft; skipped with -short")
	}
	dir := t.TempDir()
	data := elf("libkavcore.so", "Copyright (C) 1997-2010 Kaspersky Lab ZAO")
	name := "libkavcore.so"
	for i := 3; i > 0; i-- { // level0.zip!level1.zip!level2.zip!libkavcore.so
		data = archivetest.Zip(t, archivetest.File{Name: name, Data: data})
		name = fmt.Sprintf("level%d.zip", i-1)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	eng := engine(t)
	scanAt := func(target string, depth int, allow bool) *result.Target {
		res, err := scan.Scan(context.Background(), scan.Config{Targets: []string{target}, Engine: eng, FailOn: signature.High,
			Ingest: ingest.DefaultOptions(), Now: time.Now(), AllowIncomplete: allow,
			Generator: Generator{Engine: eng, Options: Options{Limits: walk.Limits{MaxDepth: depth}}}})
		if err != nil {
			t.Fatal(err)
		}
		return res.Targets[0]
	}
	if tg := scanAt("dir:"+dir, 3, false); tg.Verdict != result.Fail || !tg.Complete() || tg.Source != source.KindDir {
		t.Errorf("depth 3: verdict %s, complete %v, source %s, gaps %v", tg.Verdict, tg.Complete(), tg.Source, tg.Gaps)
	}
	tg := scanAt("dir:"+dir, 2, false)
	wantGap := model.Gap{Location: "level0.zip!level1.zip!level2.zip", Limit: "archive-depth",
		Reason: "zip archive nested deeper than 2 levels (limit archive-depth), not opened"}
	if tg.Verdict != result.Incomplete || tg.Complete() || len(tg.Gaps) != 1 || tg.Gaps[0] != wantGap || tg.GapCount != 1 {
		t.Errorf("depth 2: verdict %s, gaps %+v (%d)", tg.Verdict, tg.Gaps, tg.GapCount)
	}
	if tg := scanAt("dir:"+dir, 2, true); tg.Verdict != result.Pass || tg.Complete() || len(tg.Gaps) != 1 {
		t.Errorf("depth 2, allowed: verdict %s, gaps %+v", tg.Verdict, tg.Gaps)
	}
	// The zip alone, as a file: an archive.
	if tg := scanAt(filepath.Join(dir, name), 4, false); tg.Verdict != result.Fail || tg.Source != source.KindArchive {
		t.Errorf("the zip as a file: verdict %s, source %s (%v)", tg.Verdict, tg.Source, tg.Errors)
	}
}
