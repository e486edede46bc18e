package ingest

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/limits"
)

func TestMaySBOM(t *testing.T) {
	long := strings.Repeat("a line of notes that is not an SBOM\n", 3000) // past the first look
	for _, c := range []struct {
		name, data string
		want       bool
	}{
		{"json", `{"bomFormat":"CycloneDX"}`, true},
		{"json after a BOM and white space", "\xef\xbb\xbf \n\t{}", true},
		{"json array", `[1]`, true},
		{"xml", `<?xml version="1.0"?><bom/>`, true},
		{"tag-value", "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n", true},
		{"yaml", "spdxVersion: SPDX-2.3\nname: x\n", true},
		{"tag-value after a long preamble", long + "SPDXVersion: SPDX-2.2\n", true},
		{"a line longer than the buffer, then the marker", strings.Repeat("x", 200<<10) + "\nSPDXVersion: SPDX-2.3\n", true},
		{"text", long, false},
		{"gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + long, false},
		{"elf", "\x7fELF\x02\x01\x01\x00\x00\x00", false},
		{"nul", "SPDXVersion\x00", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := MaySBOM(strings.NewReader(c.data), 1<<30)
			if err != nil || got != c.want {
				t.Errorf("MaySBOM = %v, %v; want %v", got, err, c.want)
			}
		})
	}
	// Nothing but white space (or a byte-order mark) is nothing to evaluate.
	for _, blank := range []string{"", " \n\n ", "\xef\xbb\xbf", "\xef\xbb\xbf\t\r\n"} {
		if got, err := MaySBOM(strings.NewReader(blank), 1<<30); got || !errors.Is(err, ErrBlank) {
			t.Errorf("MaySBOM(%q) = %v, %v; want ErrBlank", blank, got, err)
		}
	}
	// The marker past max bytes is not looked for.
	if got, _ := MaySBOM(strings.NewReader(long+"SPDXVersion: SPDX-2.3\n"), 1000); got {
		t.Error("the marker was looked for past max bytes")
	}
}

// TestMaySBOMReadsLittle: binary content is judged from its first bytes.
func TestMaySBOMReadsLittle(t *testing.T) {
	r := &counting{r: io.MultiReader(strings.NewReader("\x1f\x8b\x08"), zeros{})}
	if got, err := MaySBOM(io.LimitReader(r, 1<<30), 1<<30); got || err != nil {
		t.Fatalf("MaySBOM = %v, %v", got, err)
	}
	if r.n > 128<<10 {
		t.Errorf("read %d bytes of a binary stream", r.n)
	}
}

func TestNamedLikeSBOM(t *testing.T) {
	for name, want := range map[string]bool{
		"bom.json": true, "BOM.XML": true, "app.cdx.json": true, "app.cdx.xml": true, "app.cdx": true,
		"app.spdx": true, "app.spdx.json": true, "app.spdx.rdf.xml": true, "app.syft.json": true,
		"app.bom.json": true, "sbom.json": true, "sbom": true, "release-sbom.json": true, "app.sbom.json": true,
		"dir/sub/sbom_2026.xml": true,
		"package.json":          false, "bom": false, "app.json": false, "kavsdk.dll": false, "bomb.zip": false,
		"notes.txt": false, "prebomb.json": false,
	} {
		if got := NamedLikeSBOM(name); got != want {
			t.Errorf("NamedLikeSBOM(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestUnmarkedJSON: a JSON object without a format marker is judged by its
// keys: a CycloneDX body with a specVersion is read with a warning, other
// SBOM keys are an SBOM that cannot be read, and the rest is no SBOM.
func TestUnmarkedJSON(t *testing.T) {
	for _, c := range []struct {
		name, data string
		kind       Kind
		want       string
	}{
		{"cyclonedx without bomFormat", `{"specVersion":"1.5","components":[{"type":"library","name":"x"}]}`, 0,
			"no bomFormat: read as CycloneDX 1.5 from its specVersion and components"},
		{"specVersion out of range", `{"specVersion":"1.1","components":[]}`, KindMalformed,
			`looks like CycloneDX (specVersion "1.1", components) but has no bomFormat`},
		{"specVersion alone", `{"specVersion":"1.6"}`, KindMalformed, `looks like CycloneDX (specVersion "1.6") but has no bomFormat`},
		{"components and metadata", `{"metadata":{},"components":[]}`, KindMalformed, "looks like CycloneDX (components, metadata) but has no bomFormat"},
		{"spdx keys", `{"SPDXID":"SPDXRef-DOCUMENT","packages":[]}`, KindMalformed, "looks like SPDX (SPDXID, packages) but has no spdxVersion"},
		{"spdx packages and relationships", `{"packages":[],"relationships":[]}`, KindMalformed, "looks like SPDX (packages, relationships) but has no spdxVersion"},
		{"empty object", "{ }\n", KindMalformed, "an empty JSON object"},
		{"package-lock", `{"name":"x","lockfileVersion":3,"packages":{"":{}}}`, KindNotSBOM, "not an SBOM"},
		{"package.json", `{"name":"x","dependencies":{"a":"1"}}`, KindNotSBOM, "not an SBOM"},
		{"components alone", `{"components":[]}`, KindNotSBOM, "not an SBOM"},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := Decode(c.name, strings.NewReader(c.data), DefaultOptions())
			if c.kind == 0 {
				if err != nil || !strings.Contains(strings.Join(doc.Warnings, "\n"), c.want) {
					t.Fatalf("err %v, warnings %q; want a warning %q", err, doc.Warnings, c.want)
				}
				return
			}
			if KindOf(err) != c.kind || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %v (kind %v), want %v saying %q", err, KindOf(err), c.kind, c.want)
			}
		})
	}
}

// TestStreamBounded: an input of unknown size is refused past the limit
// holding about the limit, and binary content is refused at once.
func TestStreamBounded(t *testing.T) {
	const limit = 16 << 20
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.TotalAlloc
	r := &counting{r: io.MultiReader(strings.NewReader("{"), text{})}
	_, err := Decode("stdin", r, Options{Ingest: limits.Ingest{MaxBytes: limit}})
	runtime.ReadMemStats(&ms)
	alloc := ms.TotalAlloc - before
	if KindOf(err) != KindLimit {
		t.Fatalf("err %v, want the sbom-bytes limit", err)
	}
	if alloc > limit*5/4 {
		t.Errorf("allocated %d MiB to refuse an input over %d MiB", alloc>>20, limit>>20)
	}
	z := &counting{r: zeros{}}
	if _, err := Decode("stdin", z, DefaultOptions()); KindOf(err) != KindNotSBOM || !strings.Contains(err.Error(), "binary content") {
		t.Errorf("zeros: %v", err)
	}
	if z.n > 1<<20 {
		t.Errorf("read %d bytes of zeros before refusing them", z.n)
	}
	// Within the limit, a stream is read whole.
	doc, err := Decode("stdin", io.MultiReader(strings.NewReader(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[`),
		strings.NewReader(strings.Repeat(`{"type":"library","name":"x"},`, 100000)), strings.NewReader(`{"type":"library","name":"y"}]}`)), DefaultOptions())
	if err != nil || len(doc.Components) != 100001 {
		t.Fatalf("a 3 MB stream: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// text reads "{" forever.
type text struct{}

func (text) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '{'
	}
	return len(p), nil
}

type counting struct {
	r io.Reader
	n int64
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if errors.Is(err, io.EOF) {
		return n, io.EOF
	}
	return n, err
}

// sizedReader is a strings.Reader (which says its length) that counts the
// bytes read from it.
type sizedReader struct {
	*strings.Reader
	read int
}

func (s *sizedReader) Read(p []byte) (int, error) {
	n, err := s.Reader.Read(p)
	s.read += n
	return n, err
}

// TestSizedRefusedUnread: an input whose size is known and over the limit
// is refused with the same error as one found to be over it, having read
// no more than the look at its start; leading white space does not count.
func TestSizedRefusedUnread(t *testing.T) {
	const limit = 1 << 20
	doc := `{"bomFormat":"CycloneDX","specVersion":"1.6","x":"` + strings.Repeat("a", 4*limit) + `"}`
	r := &sizedReader{Reader: strings.NewReader(doc)}
	_, err := Decode("big.json", r, Options{Ingest: limits.Ingest{MaxBytes: limit}})
	if KindOf(err) != KindLimit || err.Error() != "big.json: input is larger than 1048576 bytes (limit sbom-bytes)" {
		t.Fatalf("err %v", err)
	}
	if r.read > 128<<10 {
		t.Errorf("read %d bytes to refuse it", r.read)
	}
	small := `{"bomFormat":"CycloneDX","specVersion":"1.6"}`
	padded := strings.Repeat(" ", 2*len(small)) + small
	if _, err := Decode("padded.json", strings.NewReader(padded), Options{Ingest: limits.Ingest{MaxBytes: int64(len(small))}}); err != nil {
		t.Errorf("white space counted against the limit: %v", err)
	}
}
