// Package limits names every bound pedigree puts on what it reads, gives
// each its default, and sets them from NAME=VALUE settings (the --limit
// flag, the limits section of the config file, PEDIGREE_LIMIT).
//
// The bounds themselves are enforced where the reading happens: the SBOM
// limits by pkg/ingest, the file and archive limits by pkg/walk. Errors and
// warnings there name the limit as "(limit NAME)", so a user can raise it.
// Those packages use this package's types (ingest.Options holds an Ingest,
// walk.Limits is Walk) and its WithDefaults, so that the defaults and the
// filling of unset limits are written once, here; this package imports
// neither.
//
// Two protections are not limits and cannot be turned off: symbolic links
// are never followed inside a tree or an archive (so they cannot loop or
// lead outside it), and archive entry names are cleaned so that none
// reaches outside the archive ("../" and absolute paths).
package limits

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limits are every bound of one run.
type Limits struct {
	Ingest Ingest
	Walk   Walk
}

// Ingest bounds what one SBOM may cost. pkg/ingest enforces them;
// ingest.Options holds them beside the reading switches that are not
// limits (Strict). A field left at zero (or below) takes its default.
type Ingest struct {
	// MaxBytes is the largest input accepted, not counting leading white space.
	MaxBytes int64
	// MaxDepth is the deepest nesting of JSON/YAML brackets or XML elements accepted.
	MaxDepth int
	// MaxComponents is the most components a document may hold, nested
	// ones included.
	MaxComponents int
	// MaxStringBytes is the longest text value accepted in any field.
	MaxStringBytes int
}

// Walk bounds a walk of files and archives. pkg/walk enforces them; it
// calls this type walk.Limits. A zero field takes its default.
type Walk struct {
	// MaxDepth is the deepest archive nesting opened: entries of an archive
	// on disk are at depth 1, of an archive inside it at depth 2. An archive
	// at depth MaxDepth is visited as a plain file, with a warning. A
	// negative MaxDepth opens no archive at all. Default 6.
	MaxDepth int
	// MaxFiles is the number of regular files visited in all; the walk stops
	// there, truncated. Default 2,000,000.
	MaxFiles int
	// MaxFileBytes is the largest file or archive entry read into memory.
	// Larger files are visited with Data == nil and Skipped set; a larger
	// tar, gzip, bzip2, xz, zstd, lz4, brotli or rar is still walked as a
	// stream, and a larger zip or 7z on disk through random access. Archives nested in memory hold one
	// such buffer per level. Default 256 MiB.
	MaxFileBytes int64
	// MaxTotalBytes bounds the bytes read out of archives (decompressed),
	// counted at every nesting level; the walk stops there, truncated.
	// Default 32 GiB.
	MaxTotalBytes int64
	// MaxRatio is the largest decompressed/compressed ratio of one zip entry,
	// one gzip, bzip2, xz, zstd, lz4 or brotli stream, or a whole 7z or rar
	// archive so far (a zip bomb guard). The first MiB of any stream is
	// exempt. Default 1000.
	MaxRatio int64
}

// Defaults of the SBOM limits: 1 GiB, 1,000 levels, 5,000,000 components
// and 16 MiB per value, far beyond any real SBOM and far below what would
// exhaust the decoders or the matcher.
const (
	DefaultSBOMBytes   = 1 << 30
	DefaultSBOMDepth   = 1000
	DefaultComponents  = 5_000_000
	DefaultStringBytes = 16 << 20
)

// Defaults of the walk limits.
const (
	DefaultArchiveDepth = 6
	DefaultFiles        = 2_000_000
	DefaultFileBytes    = 256 << 20
	DefaultTotalBytes   = 32 << 30
	DefaultRatio        = 1000
)

// Default returns the default limits, every one set.
func Default() Limits {
	return Limits{
		Ingest: Ingest{MaxBytes: DefaultSBOMBytes, MaxDepth: DefaultSBOMDepth, MaxComponents: DefaultComponents, MaxStringBytes: DefaultStringBytes},
		Walk: Walk{MaxDepth: DefaultArchiveDepth, MaxFiles: DefaultFiles, MaxFileBytes: DefaultFileBytes,
			MaxTotalBytes: DefaultTotalBytes, MaxRatio: DefaultRatio},
	}
}

// WithDefaults returns l with every limit left unset taken from Default:
// the ones at zero or below, except that a negative Walk.MaxDepth means
// "open no archive" and becomes 0. It is the one place that fills limits;
// pkg/ingest and pkg/walk call it on the limits they are given.
func (l Limits) WithDefaults() Limits {
	d := Default()
	in := &l.Ingest
	in.MaxBytes = orDefault(in.MaxBytes, d.Ingest.MaxBytes)
	in.MaxDepth = orDefault(in.MaxDepth, d.Ingest.MaxDepth)
	in.MaxComponents = orDefault(in.MaxComponents, d.Ingest.MaxComponents)
	in.MaxStringBytes = orDefault(in.MaxStringBytes, d.Ingest.MaxStringBytes)
	w := &l.Walk
	switch {
	case w.MaxDepth == 0:
		w.MaxDepth = d.Walk.MaxDepth
	case w.MaxDepth < 0:
		w.MaxDepth = 0 // none
	}
	w.MaxFiles = orDefault(w.MaxFiles, d.Walk.MaxFiles)
	w.MaxFileBytes = orDefault(w.MaxFileBytes, d.Walk.MaxFileBytes)
	w.MaxTotalBytes = orDefault(w.MaxTotalBytes, d.Walk.MaxTotalBytes)
	w.MaxRatio = orDefault(w.MaxRatio, d.Walk.MaxRatio)
	return l
}

// WithDefaults returns i with every limit at zero or below set to its
// default (see Limits.WithDefaults).
func (i Ingest) WithDefaults() Ingest { return Limits{Ingest: i}.WithDefaults().Ingest }

// WithDefaults returns w with every zero limit set to its default, and a
// negative MaxDepth set to 0, no archive opened (see Limits.WithDefaults).
func (w Walk) WithDefaults() Walk { return Limits{Walk: w}.WithDefaults().Walk }

// orDefault is v, or d when v is not set (zero or below).
func orDefault[T int | int64](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}

// Unit says how a limit's value is written.
type Unit string

// Units of limits.
const (
	Bytes  Unit = "bytes"  // a size: 1048576, 1024KiB, 1MiB, 1GiB, 1MB
	Count  Unit = "count"  // a number of things
	Levels Unit = "levels" // a nesting depth
	Ratio  Unit = "ratio"  // N for N:1
)

// Limit is one named bound.
type Limit struct {
	Name string
	Unit Unit
	// Min is the smallest value accepted.
	Min int64
	// Doc says what the limit bounds and what happens past it.
	Doc string
	get func(*Limits) int64
	set func(*Limits, int64)
}

// Get returns the limit's value in l.
func (m Limit) Get(l *Limits) int64 { return m.get(l) }

// All are the limits, in the order documented and printed.
var All = []Limit{
	{Name: "sbom-bytes", Unit: Bytes, Min: 1, Doc: "largest SBOM read; a larger one is refused (exit 2)",
		get: func(l *Limits) int64 { return l.Ingest.MaxBytes }, set: func(l *Limits, v int64) { l.Ingest.MaxBytes = v }},
	{Name: "sbom-depth", Unit: Levels, Min: 1, Doc: "deepest nesting of JSON/YAML brackets or XML elements in an SBOM, checked before any parser runs; deeper is refused",
		get: func(l *Limits) int64 { return int64(l.Ingest.MaxDepth) }, set: func(l *Limits, v int64) { l.Ingest.MaxDepth = int(v) }},
	{Name: "components", Unit: Count, Min: 1, Doc: "most components in one SBOM, those nested in pedigree included; more is refused",
		get: func(l *Limits) int64 { return int64(l.Ingest.MaxComponents) }, set: func(l *Limits, v int64) { l.Ingest.MaxComponents = int(v) }},
	{Name: "string-bytes", Unit: Bytes, Min: 1, Doc: "longest text value in any SBOM field; longer is refused, naming the field",
		get: func(l *Limits) int64 { return int64(l.Ingest.MaxStringBytes) }, set: func(l *Limits, v int64) { l.Ingest.MaxStringBytes = int(v) }},
	{Name: "archive-depth", Unit: Levels, Min: 0, Doc: "deepest archive nesting opened (0 opens none); a deeper archive is read as a plain file, with a warning",
		get: func(l *Limits) int64 {
			if l.Walk.MaxDepth < 0 {
				return 0
			}
			return int64(l.Walk.MaxDepth)
		},
		set: func(l *Limits, v int64) {
			if v == 0 {
				l.Walk.MaxDepth = -1 // walk's "none"; its zero means the default
				return
			}
			l.Walk.MaxDepth = int(v)
		}},
	{Name: "files", Unit: Count, Min: 1, Doc: "most files visited in one target, inside archives included; the walk stops there, with a warning",
		get: func(l *Limits) int64 { return int64(l.Walk.MaxFiles) }, set: func(l *Limits, v int64) { l.Walk.MaxFiles = int(v) }},
	{Name: "file-bytes", Unit: Bytes, Min: 1, Doc: "largest file or archive entry read into memory; a larger one is not inspected (archives are still streamed), with a warning",
		get: func(l *Limits) int64 { return l.Walk.MaxFileBytes }, set: func(l *Limits, v int64) { l.Walk.MaxFileBytes = v }},
	{Name: "total-bytes", Unit: Bytes, Min: 1, Doc: "most bytes decompressed out of archives in one target, at every level; the walk stops there, with a warning",
		get: func(l *Limits) int64 { return l.Walk.MaxTotalBytes }, set: func(l *Limits, v int64) { l.Walk.MaxTotalBytes = v }},
	{Name: "ratio", Unit: Ratio, Min: 1, Doc: "largest decompressed/compressed ratio of one archive entry or stream past its first MiB (a zip bomb guard); the rest is not read, with a warning",
		get: func(l *Limits) int64 { return l.Walk.MaxRatio }, set: func(l *Limits, v int64) { l.Walk.MaxRatio = v }},
}

// Names lists the limit names.
func Names() []string {
	out := make([]string, len(All))
	for i, m := range All {
		out[i] = m.Name
	}
	return out
}

// Lookup returns the limit called name.
func Lookup(name string) (Limit, bool) {
	for _, m := range All {
		if m.Name == name {
			return m, true
		}
	}
	return Limit{}, false
}

// Set applies one "NAME=VALUE" setting.
func (l *Limits) Set(setting string) error {
	name, value, ok := strings.Cut(setting, "=")
	if !ok {
		return fmt.Errorf("limit %q: want NAME=VALUE (names: %s)", setting, strings.Join(Names(), ", "))
	}
	return l.SetValue(strings.TrimSpace(name), strings.TrimSpace(value))
}

// SetValue sets the limit called name from its written value.
func (l *Limits) SetValue(name, value string) error {
	m, ok := Lookup(name)
	if !ok {
		return fmt.Errorf("unknown limit %q (names: %s)", name, strings.Join(Names(), ", "))
	}
	v, err := parse(value, m.Unit)
	if err != nil {
		return fmt.Errorf("limit %s: %w", name, err)
	}
	if v < m.Min {
		return fmt.Errorf("limit %s: %d is below the smallest value, %d", name, v, m.Min)
	}
	if m.Unit != Bytes && v > math.MaxInt32 {
		return fmt.Errorf("limit %s: %d is too large", name, v)
	}
	m.set(l, v)
	return nil
}

var sizeSuffixes = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
}

// parse reads a non-negative integer; a size may end in B, KB, MB, GB, TB
// or KiB, MiB, GiB, TiB.
func parse(s string, u Unit) (int64, error) {
	orig, mult := s, int64(1)
	if u == Bytes {
		for _, sf := range sizeSuffixes {
			if strings.HasSuffix(s, sf.suffix) {
				s, mult = strings.TrimSpace(strings.TrimSuffix(s, sf.suffix)), sf.mult
				break
			}
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		want := "a whole number"
		if u == Bytes {
			want = "a size such as 1048576, 512KiB, 16MiB or 2GiB"
		}
		return 0, fmt.Errorf("%q is not %s", orig, want)
	}
	if v > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is too large", orig)
	}
	return v * mult, nil
}

// Format writes a value in its unit: sizes in the largest binary unit that
// divides them.
func Format(v int64, u Unit) string {
	if u == Bytes && v > 0 {
		for _, sf := range []struct {
			suffix string
			mult   int64
		}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
			if v%sf.mult == 0 {
				return strconv.FormatInt(v/sf.mult, 10) + sf.suffix
			}
		}
	}
	return strconv.FormatInt(v, 10)
}
