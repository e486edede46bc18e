package limits_test

import (
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/limits"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// TestPackagesUseTheDefaults shows that the packages that enforce the
// limits take their defaults from pkg/limits.
func TestPackagesUseTheDefaults(t *testing.T) {
	d := limits.Default()
	if ingest.DefaultOptions() != (ingest.Options{Ingest: d.Ingest}) || walk.DefaultLimits() != d.Walk {
		t.Fatalf("ingest %+v, walk %+v; want %+v", ingest.DefaultOptions(), walk.DefaultLimits(), d)
	}
}

// TestWithDefaults fills each kind of unset limit, and keeps set ones.
func TestWithDefaults(t *testing.T) {
	d := limits.Default()
	in := ingest.Options{Ingest: limits.Ingest{MaxBytes: 10, MaxDepth: -1}, Strict: true}.WithDefaults()
	if want := (ingest.Options{Ingest: limits.Ingest{MaxBytes: 10, MaxDepth: d.Ingest.MaxDepth, MaxComponents: d.Ingest.MaxComponents, MaxStringBytes: d.Ingest.MaxStringBytes}, Strict: true}); in != want {
		t.Errorf("ingest: %+v, want %+v", in, want)
	}
	w := walk.Limits{MaxFiles: 3, MaxRatio: -5}.WithDefaults()
	if want := (walk.Limits{MaxDepth: d.Walk.MaxDepth, MaxFiles: 3, MaxFileBytes: d.Walk.MaxFileBytes, MaxTotalBytes: d.Walk.MaxTotalBytes, MaxRatio: d.Walk.MaxRatio}); w != want {
		t.Errorf("walk: %+v, want %+v", w, want)
	}
	// A negative archive depth opens no archive: 0 once filled.
	if got := (walk.Limits{MaxDepth: -1}).WithDefaults().MaxDepth; got != 0 {
		t.Errorf("archive depth -1 filled is %d, want 0", got)
	}
}
