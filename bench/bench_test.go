package bench

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/signatures"
)

// ---------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------

// genConfig says what SBOM to generate.
type genConfig struct {
	// Components is the number of components, not counting the root
	// (metadata.component).
	Components int
	// Seed makes the output deterministic: the same config gives the same
	// bytes.
	Seed uint64
	// PlantEvery puts one Kaspersky-made component and one look-alike in
	// every PlantEvery components (1000 gives 0.1% of each).
	PlantEvery int
}

// genResult is the generated SBOM and what was planted in it.
type genResult struct {
	JSON []byte
	// Root is the bom-ref of metadata.component.
	Root string
	// Kaspersky are the bom-refs of the Kaspersky-made components; every one
	// names Kaspersky in a maker field (supplier, author or manufacturer),
	// which rule KL-VENDOR-001 catches.
	Kaspersky []string
	// Lookalikes are the bom-refs of components whose makers only look like
	// Kaspersky (Kasper, Casper, Kaspa) and must not be flagged.
	Lookalikes []string
	// Edges is the number of dependsOn edges.
	Edges int
}

// CycloneDX 1.6 JSON, only the parts the generator writes.
type cdxBOM struct {
	BOMFormat    string          `json:"bomFormat"`
	SpecVersion  string          `json:"specVersion"`
	SerialNumber string          `json:"serialNumber"`
	Version      int             `json:"version"`
	Metadata     cdxMetadata     `json:"metadata"`
	Components   []cdxComponent  `json:"components"`
	Dependencies []cdxDependency `json:"dependencies"`
}

type cdxMetadata struct {
	Timestamp string         `json:"timestamp"`
	Tools     cdxTools       `json:"tools"`
	Authors   []cdxContact   `json:"authors,omitempty"`
	Component cdxComponent   `json:"component"`
	Supplier  *cdxEntity     `json:"supplier,omitempty"`
	Props     []cdxProperty  `json:"properties,omitempty"`
	Lifecycle []cdxLifecycle `json:"lifecycles,omitempty"`
}

type cdxLifecycle struct {
	Phase string `json:"phase"`
}

type cdxTools struct {
	Components []cdxComponent `json:"components"`
}

type cdxEntity struct {
	Name    string       `json:"name"`
	URL     []string     `json:"url,omitempty"`
	Contact []cdxContact `json:"contact,omitempty"`
}

type cdxContact struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

type cdxComponent struct {
	Type         string         `json:"type"`
	BOMRef       string         `json:"bom-ref,omitempty"`
	Supplier     *cdxEntity     `json:"supplier,omitempty"`
	Manufacturer *cdxEntity     `json:"manufacturer,omitempty"`
	Authors      []cdxContact   `json:"authors,omitempty"`
	Group        string         `json:"group,omitempty"`
	Name         string         `json:"name"`
	Version      string         `json:"version,omitempty"`
	Description  string         `json:"description,omitempty"`
	Scope        string         `json:"scope,omitempty"`
	Hashes       []cdxHash      `json:"hashes,omitempty"`
	Licenses     []cdxLicense   `json:"licenses,omitempty"`
	Copyright    string         `json:"copyright,omitempty"`
	CPE          string         `json:"cpe,omitempty"`
	PURL         string         `json:"purl,omitempty"`
	ExternalRefs []cdxExtRef    `json:"externalReferences,omitempty"`
	Properties   []cdxProperty  `json:"properties,omitempty"`
	Components   []cdxComponent `json:"components,omitempty"`
}

type cdxHash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

type cdxLicense struct {
	License    *cdxLicenseID `json:"license,omitempty"`
	Expression string        `json:"expression,omitempty"`
}

type cdxLicenseID struct {
	ID string `json:"id"`
}

type cdxExtRef struct {
	URL  string `json:"url"`
	Type string `json:"type"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type cdxDependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn"`
}

// Pools the ordinary components draw from. The names are invented or
// common open-source ones; none is made by, or looks like, Kaspersky.
var (
	nameWords1 = []string{"fast", "tiny", "json", "yaml", "http", "async", "stream", "crypto", "date", "color",
		"path", "url", "log", "config", "cache", "event", "schema", "xml", "csv", "image", "query", "token",
		"proto", "grpc", "retry", "mime", "glob", "semver", "uuid", "zip", "tar", "ansi", "term", "form"}
	nameWords2 = []string{"parser", "utils", "client", "server", "core", "kit", "lite", "tools", "helpers",
		"loader", "builder", "runner", "validator", "formatter", "encoder", "decoder", "router", "store",
		"bridge", "adapter", "plugin", "cli", "engine", "sdk", "wrapper", "compat", "polyfill", "types"}
	suppliers = []struct{ name, domain, slug string }{
		{"Acme Software Inc.", "acme.example", "acme"},
		{"Globex Corporation", "globex.example", "globex"},
		{"Initech LLC", "initech.example", "initech"},
		{"Umbrella Labs GmbH", "umbrella-labs.example", "umbrella"},
		{"Hooli, Inc.", "hooli.example", "hooli"},
		{"Stark Industries", "stark.example", "stark"},
		{"Wayne Enterprises", "wayne.example", "wayne"},
		{"Northwind Traders", "northwind.example", "northwind"},
		{"Contoso Ltd.", "contoso.example", "contoso"},
		{"Fabrikam, Inc.", "fabrikam.example", "fabrikam"},
		{"Tyrell Corporation", "tyrell.example", "tyrell"},
		{"Cyberdyne Systems", "cyberdyne.example", "cyberdyne"},
		{"Vandelay Industries", "vandelay.example", "vandelay"},
		{"Aperture Science", "aperture.example", "aperture"},
		{"Massive Dynamic", "massive.example", "massive"},
		{"Pied Piper", "piedpiper.example", "piedpiper"},
		{"The Apache Software Foundation", "apache.org", "apache"},
		{"Eclipse Foundation", "eclipse.org", "eclipse"},
		{"Python Software Foundation", "python.org", "python"},
		{"OpenJS Foundation", "openjsf.org", "openjsf"},
		{"The Go Authors", "go.dev", "golang"},
		{"Debian Project", "debian.org", "debian"},
	}
	people = []string{"Jane Roe", "John Doe", "Ada Lovelace", "Alan Turing", "Grace Hopper", "Linus Nilsson",
		"Maria Garcia", "Wei Zhang", "Priya Patel", "Olga Ivanova", "Kenji Sato", "Fatima Khan", "Lars Berg",
		"Chloé Martin", "Sven Müller", "Ana Souza"}
	licenseIDs = []string{"MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "BSD-2-Clause", "MPL-2.0", "GPL-2.0-only",
		"LGPL-2.1-or-later", "Unlicense", "0BSD"}
	descriptions = []string{"Small, fast utility library", "Client for a REST API", "Parser and serializer",
		"Command-line helpers", "Bindings for a native library", "Test fixtures and helpers",
		"Type definitions", "Compatibility shims for older runtimes"}
)

// purlKinds are the ecosystems of ordinary components with their weights
// in percent.
var purlKinds = []struct {
	typ    string
	weight int
}{{"npm", 35}, {"maven", 25}, {"pypi", 15}, {"golang", 15}, {"deb", 10}}

// generate writes a CycloneDX 1.6 JSON SBOM with cfg.Components components
// below a root application. The dependency graph is a DAG reaching every
// component from the root: component i depends on later components only,
// every component has one parent chosen among the earlier ones (the first
// 20 hang off the root), and about half get one or two extra edges.
func generate(cfg genConfig) genResult {
	n := cfg.Components
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	hexN := func(nbytes int) string {
		b := make([]byte, nbytes)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return hex.EncodeToString(b)
	}
	pick := func(s []string) string { return s[rng.IntN(len(s))] }

	res := genResult{Root: "pkg:generic/acme/acme-platform@7.4.0"}
	u := hexN(16)
	serial := fmt.Sprintf("urn:uuid:%s-%s-4%s-a%s-%s", u[0:8], u[8:12], u[13:16], u[17:20], u[20:32])
	bom := cdxBOM{
		BOMFormat: "CycloneDX", SpecVersion: "1.6", SerialNumber: serial, Version: 1,
		Metadata: cdxMetadata{
			Timestamp: "2026-01-15T09:30:00Z",
			Tools: cdxTools{Components: []cdxComponent{{Type: "application", Group: "pedigree", Name: "bench-generator", Version: "1.0.0",
				Supplier: &cdxEntity{Name: "pedigree"}}}},
			Authors: []cdxContact{{Name: "Jane Roe", Email: "jane@acme.example"}},
			Component: cdxComponent{
				Type: "application", BOMRef: res.Root, Name: "Acme Platform", Version: "7.4.0",
				Supplier: &cdxEntity{Name: "Acme Software Inc.", URL: []string{"https://acme.example"},
					Contact: []cdxContact{{Name: "Jane Roe", Email: "jane@acme.example"}}},
				PURL:     res.Root,
				Licenses: []cdxLicense{{Expression: "LicenseRef-Acme-Commercial"}},
			},
			Supplier:  &cdxEntity{Name: "Acme Software Inc.", URL: []string{"https://acme.example"}},
			Lifecycle: []cdxLifecycle{{Phase: "build"}},
		},
		Components: make([]cdxComponent, 0, n),
	}

	for i := range n {
		var c cdxComponent
		switch {
		case cfg.PlantEvery > 0 && i%cfg.PlantEvery == cfg.PlantEvery/2:
			c = kasperskyComponent(len(res.Kaspersky), hexN)
			res.Kaspersky = append(res.Kaspersky, c.BOMRef)
		case cfg.PlantEvery > 0 && i%cfg.PlantEvery == cfg.PlantEvery/4:
			c = lookalikeComponent(len(res.Lookalikes), hexN)
			res.Lookalikes = append(res.Lookalikes, c.BOMRef)
		default:
			c = ordinaryComponent(rng, hexN, pick)
		}
		bom.Components = append(bom.Components, c)
	}

	// Dependencies: a random recursive tree from the root, plus extra
	// forward edges, so the graph is a DAG with shared dependencies.
	deps := make([][]string, n)
	var rootDeps []string
	for i := range n {
		if i < 20 {
			rootDeps = append(rootDeps, bom.Components[i].BOMRef)
			continue
		}
		p := rng.IntN(i)
		deps[p] = append(deps[p], bom.Components[i].BOMRef)
	}
	for i := range n {
		if rng.IntN(2) == 0 || i+1 >= n {
			continue
		}
		for range 1 + rng.IntN(2) {
			j := i + 1 + rng.IntN(min(n-i-1, 5000))
			ref := bom.Components[j].BOMRef
			if !contains(deps[i], ref) {
				deps[i] = append(deps[i], ref)
			}
		}
	}
	bom.Dependencies = make([]cdxDependency, 0, n+1)
	bom.Dependencies = append(bom.Dependencies, cdxDependency{Ref: res.Root, DependsOn: rootDeps})
	res.Edges = len(rootDeps)
	for i := range n {
		d := deps[i]
		if d == nil {
			d = []string{}
		}
		res.Edges += len(d)
		bom.Dependencies = append(bom.Dependencies, cdxDependency{Ref: bom.Components[i].BOMRef, DependsOn: d})
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&bom); err != nil {
		panic(err) // the structs above always encode
	}
	// A copy, so that the buffer's spare capacity does not count as input
	// in the heap baselines.
	res.JSON = bytes.Clone(buf.Bytes())
	return res
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// ordinaryComponent is one third-party package of one of the ecosystems.
func ordinaryComponent(rng *rand.Rand, hexN func(int) string, pick func([]string) string) cdxComponent {
	sup := suppliers[rng.IntN(len(suppliers))]
	name := pick(nameWords1) + "-" + pick(nameWords2)
	if rng.IntN(3) == 0 {
		name += "-" + pick(nameWords1)
	}
	ver := fmt.Sprintf("%d.%d.%d", rng.IntN(8), rng.IntN(30), rng.IntN(20))

	w := rng.IntN(100)
	typ := purlKinds[len(purlKinds)-1].typ
	for _, k := range purlKinds {
		if w < k.weight {
			typ = k.typ
			break
		}
		w -= k.weight
	}
	c := cdxComponent{Type: "library", Name: name, Version: ver}
	var location, foundBy string
	switch typ {
	case "npm":
		if rng.IntN(4) == 0 {
			c.Group = "@" + sup.slug
			c.PURL = fmt.Sprintf("pkg:npm/%%40%s/%s@%s", sup.slug, name, ver)
			location = fmt.Sprintf("/app/node_modules/@%s/%s/package.json", sup.slug, name)
		} else {
			c.PURL = fmt.Sprintf("pkg:npm/%s@%s", name, ver)
			location = fmt.Sprintf("/app/node_modules/%s/package.json", name)
		}
		foundBy = "javascript-package-cataloger"
	case "maven":
		c.Group = "org." + sup.slug + "." + pick(nameWords1)
		c.PURL = fmt.Sprintf("pkg:maven/%s/%s@%s", c.Group, name, ver)
		location = fmt.Sprintf("/app/lib/%s-%s.jar", name, ver)
		foundBy = "java-archive-cataloger"
	case "pypi":
		name = strings.ReplaceAll(name, "-", "_")
		c.Name = name
		c.PURL = fmt.Sprintf("pkg:pypi/%s@%s", name, ver)
		location = fmt.Sprintf("/usr/lib/python3/site-packages/%s-%s.dist-info/METADATA", name, ver)
		foundBy = "python-installed-package-cataloger"
	case "golang":
		c.Group = "github.com/" + sup.slug
		c.Version = "v" + ver
		c.PURL = fmt.Sprintf("pkg:golang/github.com/%s/%s@v%s", sup.slug, name, ver)
		location = "/app/bin/server"
		foundBy = "go-module-binary-cataloger"
	case "deb":
		c.Version = ver + "-" + strconv.Itoa(1+rng.IntN(4))
		c.PURL = fmt.Sprintf("pkg:deb/debian/lib%s@%s?arch=amd64&distro=debian-12", name, c.Version)
		c.Name = "lib" + name
		location = "/var/lib/dpkg/status"
		foundBy = "dpkg-db-cataloger"
	}
	c.BOMRef = packageRef(c.PURL, hexN(8))

	// Makers: a supplier on most, an author on some, both on a few.
	switch r := rng.IntN(10); {
	case r < 6:
		c.Supplier = &cdxEntity{Name: sup.name, URL: []string{"https://" + sup.domain}}
	case r < 9:
		p := pick(people)
		c.Authors = []cdxContact{{Name: p, Email: strings.ToLower(strings.Fields(p)[0]) + "@" + sup.domain}}
	default:
		c.Supplier = &cdxEntity{Name: sup.name}
		c.Authors = []cdxContact{{Name: pick(people)}}
	}
	if rng.IntN(4) == 0 {
		c.Description = pick(descriptions)
	}
	if rng.IntN(8) == 0 {
		c.Scope = "optional"
	}

	c.Hashes = []cdxHash{{Alg: "SHA-256", Content: hexN(32)}}
	switch rng.IntN(3) {
	case 0:
		c.Hashes = append(c.Hashes, cdxHash{Alg: "SHA-1", Content: hexN(20)})
	case 1:
		c.Hashes = append(c.Hashes, cdxHash{Alg: "SHA-512", Content: hexN(64)})
	}
	if rng.IntN(5) == 0 {
		c.Licenses = []cdxLicense{{Expression: pick(licenseIDs) + " OR " + pick(licenseIDs)}}
	} else {
		c.Licenses = []cdxLicense{{License: &cdxLicenseID{ID: pick(licenseIDs)}}}
	}
	if rng.IntN(5) == 0 {
		c.CPE = fmt.Sprintf("cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*", sup.slug, strings.ReplaceAll(c.Name, "-", "_"), strings.TrimPrefix(c.Version, "v"))
	}
	if rng.IntN(3) == 0 {
		c.Copyright = fmt.Sprintf("Copyright (c) %d %s", 2005+rng.IntN(21), sup.name)
	}
	if rng.IntN(5) < 2 {
		c.ExternalRefs = []cdxExtRef{{URL: "https://" + sup.domain + "/" + name, Type: "website"}}
		if rng.IntN(2) == 0 {
			c.ExternalRefs = append(c.ExternalRefs, cdxExtRef{URL: "https://github.com/" + sup.slug + "/" + name + ".git", Type: "vcs"})
		}
	}
	c.Properties = []cdxProperty{
		{Name: "syft:package:foundBy", Value: foundBy},
		{Name: "syft:location:0:path", Value: location},
	}
	if typ == "npm" && rng.IntN(2) == 0 {
		c.Properties = append(c.Properties, cdxProperty{Name: "cdx:npm:package:development", Value: "false"})
	}
	if typ == "maven" {
		c.Properties = append(c.Properties, cdxProperty{Name: "syft:metadata:manifest.main.Implementation-Vendor", Value: sup.name})
	}
	return c
}

// packageRef is a syft-style bom-ref: the purl with a package id, unique
// even when the same package appears twice.
func packageRef(purl, id string) string {
	if strings.Contains(purl, "?") {
		return purl + "&package-id=" + id
	}
	return purl + "?package-id=" + id
}

// kasperskyComponent is the k-th Kaspersky-made component. Every variant
// names Kaspersky in a maker field; some are white-labelled (offered under
// another supplier with Kaspersky as the manufacturer).
func kasperskyComponent(k int, hexN func(int) string) cdxComponent {
	var c cdxComponent
	switch k % 4 {
	case 0:
		c = cdxComponent{Type: "library", Group: "com.kavsdk", Name: "kavsdk", Version: "5.13.0." + strconv.Itoa(1000+k),
			PURL:      "pkg:maven/com.kavsdk/kavsdk@5.13.0." + strconv.Itoa(1000+k),
			Supplier:  &cdxEntity{Name: "AO Kaspersky Lab", URL: []string{"https://www.kaspersky.com"}},
			Copyright: "© 1997-2024 AO Kaspersky Lab. All Rights Reserved.",
			Licenses:  []cdxLicense{{License: &cdxLicenseID{ID: "LicenseRef-Kaspersky-EULA"}}},
		}
	case 1:
		v := "2.1.0." + strconv.Itoa(1000+k)
		c = cdxComponent{Type: "application", Name: "Kaspersky Scan Engine", Version: v,
			PURL:     "pkg:generic/kaspersky/kaspersky-scan-engine@" + v,
			CPE:      "cpe:2.3:a:kaspersky:kaspersky_scan_engine:" + v + ":*:*:*:*:*:*:*",
			Supplier: &cdxEntity{Name: "KASPERSKY LAB, JSC"},
		}
	case 2:
		v := "12.1.0." + strconv.Itoa(1000+k)
		c = cdxComponent{Type: "application", Name: "kesl", Version: v,
			PURL:    "pkg:deb/kaspersky/kesl@" + v + "?arch=amd64",
			Authors: []cdxContact{{Name: "Kaspersky Lab ZAO"}},
			Properties: []cdxProperty{{Name: "syft:package:foundBy", Value: "dpkg-db-cataloger"},
				{Name: "syft:location:0:path", Value: "/var/lib/dpkg/status"}},
		}
	default:
		// White-labelled: offered by another company, made by Kaspersky.
		v := "3.0." + strconv.Itoa(k)
		c = cdxComponent{Type: "library", Name: "globex-threat-engine", Version: v,
			PURL:         "pkg:npm/globex-threat-engine@" + v,
			Supplier:     &cdxEntity{Name: "Globex Security"},
			Manufacturer: &cdxEntity{Name: "Kaspersky Labs GmbH"},
			Description:  "Anti-malware scanning engine",
		}
	}
	c.BOMRef = packageRef(c.PURL, hexN(8))
	c.Hashes = []cdxHash{{Alg: "SHA-256", Content: hexN(32)}}
	return c
}

// lookalikeComponent is the k-th component whose maker only looks like
// Kaspersky. Whole-word matching must keep every one of them clean.
func lookalikeComponent(k int, hexN func(int) string) cdxComponent {
	var c cdxComponent
	switch k % 5 {
	case 0:
		c = cdxComponent{Type: "library", Name: "kasper-tools-cli", Version: "1.4.2", PURL: "pkg:npm/kasper-tools-cli@1.4.2",
			Supplier: &cdxEntity{Name: "Kasper Tools"}}
	case 1:
		c = cdxComponent{Type: "library", Name: "casper-js-sdk", Version: "2.15.4", PURL: "pkg:npm/casper-js-sdk@2.15.4",
			Supplier: &cdxEntity{Name: "Casper Labs", URL: []string{"https://casperlabs.io"}}}
	case 2:
		c = cdxComponent{Type: "library", Name: "kaspa", Version: "0.13.0", PURL: "pkg:pypi/kaspa@0.13.0",
			Authors: []cdxContact{{Name: "Kaspa Developers"}}}
	case 3:
		c = cdxComponent{Type: "library", Name: "casperjs", Version: "1.1.4", PURL: "pkg:npm/casperjs@1.1.4",
			Supplier: &cdxEntity{Name: "CasperJS contributors"}}
	default:
		c = cdxComponent{Type: "library", Group: "de.kasper", Name: "kasper-report", Version: "4.0.1",
			PURL:      "pkg:maven/de.kasper/kasper-report@4.0.1",
			Supplier:  &cdxEntity{Name: "Kasper Software AG"},
			Copyright: "Copyright 2021 Kasper Software AG"}
	}
	c.BOMRef = packageRef(c.PURL, hexN(8))
	c.Hashes = []cdxHash{{Alg: "SHA-256", Content: hexN(32)}}
	c.Licenses = []cdxLicense{{License: &cdxLicenseID{ID: "MIT"}}}
	return c
}

// ---------------------------------------------------------------------------
// Shared fixtures
// ---------------------------------------------------------------------------

const (
	benchComponents = 100_000
	benchSeed       = 20260115
)

// sbom100k is generated once per test binary and shared by the benchmarks.
var sbom100k = sync.OnceValue(func() genResult {
	return generate(genConfig{Components: benchComponents, Seed: benchSeed, PlantEvery: 1000})
})

func newEngine(tb testing.TB) *match.Engine {
	tb.Helper()
	set, err := signatures.Set()
	if err != nil {
		tb.Fatal(err)
	}
	e, err := match.New(set)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func decode(tb testing.TB, data []byte) *model.Document {
	tb.Helper()
	doc, err := ingest.Decode("bench.cdx.json", bytes.NewReader(data), ingest.DefaultOptions())
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// ---------------------------------------------------------------------------
// Peak memory
// ---------------------------------------------------------------------------

// peakMem samples the Go heap every millisecond while a benchmark runs and
// records the peak resident set size of the process over the same span.
type peakMem struct {
	stop     chan struct{}
	done     chan struct{}
	base     uint64 // heap after a full GC, before the timed loop
	peak     uint64 // largest heap seen while the loop ran
	rssReset bool
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func heapObjects(s []metrics.Sample) uint64 {
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// startPeak collects garbage, returns freed memory to the OS, resets the
// kernel's peak-RSS counter (Linux) and starts sampling.
func startPeak() *peakMem {
	// Two full collections: a cycle that was under way when the first one
	// was asked for can leave the previous setup's garbage marked live.
	runtime.GC()
	debug.FreeOSMemory() // a full GC, and unused heap handed back
	p := &peakMem{stop: make(chan struct{}), done: make(chan struct{})}
	// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
	p.rssReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	s := []metrics.Sample{{Name: heapMetric}}
	p.base = heapObjects(s)
	p.peak = p.base
	go func() {
		defer close(p.done)
		s := []metrics.Sample{{Name: heapMetric}}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				if v := heapObjects(s); v > p.peak {
					p.peak = v
				}
			}
		}
	}()
	return p
}

// report stops sampling and reports the peaks as benchmark metrics:
// peak-heap-MiB is the largest Go heap (live and not yet collected
// objects), work-heap-MiB the part of it above the heap the benchmark
// started from (the input, and the decoded document when only matching is
// timed), peak-RSS-MiB the peak resident set size of the process.
func (p *peakMem) report(b *testing.B) {
	close(p.stop)
	<-p.done
	const mib = 1 << 20
	b.ReportMetric(float64(p.peak)/mib, "peak-heap-MiB")
	b.ReportMetric(float64(p.peak-p.base)/mib, "work-heap-MiB")
	if p.rssReset {
		if kb, ok := vmHWM(); ok {
			b.ReportMetric(float64(kb)/1024, "peak-RSS-MiB")
		}
	}
}

// vmHWM reads the peak resident set size in KiB from /proc/self/status.
func vmHWM() (uint64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			v, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return v, err == nil
		}
	}
	return 0, false
}

func reportRate(b *testing.B, components int) {
	b.ReportMetric(float64(components)*float64(b.N)/b.Elapsed().Seconds(), "components/s")
}

// ---------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------

// BenchmarkIngest100k times ingest.Decode of the 100,000-component SBOM:
// size and depth checks, detection, JSON decoding, conversion to the model
// and normalisation.
func BenchmarkIngest100k(b *testing.B) {
	g := sbom100k()
	b.SetBytes(int64(len(g.JSON)))
	b.ReportAllocs()
	var doc *model.Document
	p := startPeak()
	for b.Loop() {
		doc = decode(b, g.JSON)
	}
	p.report(b)
	reportRate(b, benchComponents)
	if len(doc.Components) != benchComponents+1 {
		b.Fatalf("decoded %d components, want %d", len(doc.Components), benchComponents+1)
	}
}

// BenchmarkCycloneDXDecode100k times cyclonedx-go alone decoding the same
// SBOM into its BOM type: the floor that ingest and matching are measured
// against (issue: ingest+match within 1.5x of it).
func BenchmarkCycloneDXDecode100k(b *testing.B) {
	g := sbom100k()
	b.SetBytes(int64(len(g.JSON)))
	b.ReportAllocs()
	var bom cdx.BOM
	p := startPeak()
	for b.Loop() {
		bom = cdx.BOM{}
		if err := cdx.NewBOMDecoder(bytes.NewReader(g.JSON), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
			b.Fatal(err)
		}
	}
	p.report(b)
	reportRate(b, benchComponents)
	if bom.Components == nil || len(*bom.Components) != benchComponents {
		b.Fatalf("decoded %v components", bom.Components)
	}
}

// BenchmarkMatch100k times only engine.Match on the decoded document: the
// signature indexes are built and the document decoded before the timer
// starts.
func BenchmarkMatch100k(b *testing.B) {
	g := sbom100k()
	doc := decode(b, g.JSON)
	e := newEngine(b)
	b.ReportAllocs()
	var findings []match.Finding
	p := startPeak()
	for b.Loop() {
		findings = e.Match(doc)
	}
	p.report(b)
	reportRate(b, benchComponents)
	b.ReportMetric(float64(len(findings)), "findings")
	if len(findings) < len(g.Kaspersky) {
		b.Fatalf("%d findings, want at least the %d planted Kaspersky components", len(findings), len(g.Kaspersky))
	}
}

// BenchmarkScanEndToEnd100k times decoding and matching together, as
// `pedigree scan` does them (without the report).
func BenchmarkScanEndToEnd100k(b *testing.B) {
	g := sbom100k()
	e := newEngine(b)
	b.SetBytes(int64(len(g.JSON)))
	b.ReportAllocs()
	var findings []match.Finding
	p := startPeak()
	for b.Loop() {
		findings = e.Match(decode(b, g.JSON))
	}
	p.report(b)
	reportRate(b, benchComponents)
	b.ReportMetric(float64(len(findings)), "findings")
}

// BenchmarkScaleComponents times ingest and matching together, as
// BenchmarkScanEndToEnd100k does, and cyclonedx-go's decode of the same
// SBOM, at 10,000, 100,000 and 1,000,000 components (one in a thousand
// Kaspersky-made), for the scaling table of docs/performance.md: the cost
// per component stays the same when the cost is linear. The SBOM of each
// size is generated before its timer starts; the 1M one is about 1.4 GB
// and its ingest peaks near 4 GB, so pick sizes with -bench, e.g.
// 'ScaleComponents/10k'.
func BenchmarkScaleComponents(b *testing.B) {
	e := newEngine(b)
	for _, n := range []struct {
		name string
		n    int
	}{{"10k", 10_000}, {"100k", 100_000}, {"1M", 1_000_000}} {
		var g genResult
		gen := func() genResult {
			if g.JSON == nil {
				g = generate(genConfig{Components: n.n, Seed: benchSeed, PlantEvery: 1000})
			}
			return g
		}
		opts := ingest.DefaultOptions()
		opts.MaxBytes = 4 << 30
		b.Run(n.name+"/scan", func(b *testing.B) {
			g := gen()
			b.SetBytes(int64(len(g.JSON)))
			b.ReportAllocs()
			var findings []match.Finding
			p := startPeak()
			for b.Loop() {
				doc, err := ingest.Decode("bench.cdx.json", bytes.NewReader(g.JSON), opts)
				if err != nil {
					b.Fatal(err)
				}
				findings = e.Match(doc)
			}
			p.report(b)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n.n), "ns/component")
			if len(findings) < len(g.Kaspersky) {
				b.Fatalf("%d findings, want at least the %d planted Kaspersky components", len(findings), len(g.Kaspersky))
			}
		})
		b.Run(n.name+"/cyclonedx-go", func(b *testing.B) {
			g := gen()
			b.SetBytes(int64(len(g.JSON)))
			b.ReportAllocs()
			p := startPeak()
			for b.Loop() {
				var bom cdx.BOM
				if err := cdx.NewBOMDecoder(bytes.NewReader(g.JSON), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
					b.Fatal(err)
				}
			}
			p.report(b)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n.n), "ns/component")
		})
		g = genResult{}
	}
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

// TestGeneratorProducesValidSBOM checks that the generator writes what the
// benchmarks claim to measure: a clean CycloneDX 1.6 SBOM whose dependency
// graph reaches every component from the root, in which the engine flags
// exactly the planted Kaspersky components and none of the look-alikes.
func TestGeneratorProducesValidSBOM(t *testing.T) {
	const n = 1000
	cfg := genConfig{Components: n, Seed: 7, PlantEvery: 100}
	g := generate(cfg)
	if again := generate(cfg); !bytes.Equal(g.JSON, again.JSON) {
		t.Fatal("the generator is not deterministic")
	}
	if len(g.Kaspersky) != n/100 || len(g.Lookalikes) != n/100 {
		t.Fatalf("planted %d Kaspersky components and %d look-alikes, want %d of each", len(g.Kaspersky), len(g.Lookalikes), n/100)
	}

	doc := decode(t, g.JSON)
	if doc.Format != model.FormatCycloneDXJSON || doc.SpecVersion != "1.6" {
		t.Errorf("format %s %s, want cyclonedx-json 1.6", doc.Format, doc.SpecVersion)
	}
	if len(doc.Warnings) > 0 {
		t.Errorf("the generated SBOM breaks the specification: %d warnings, first: %s", len(doc.Warnings), doc.Warnings[0])
	}
	if got := len(doc.Components); got != n+1 {
		t.Fatalf("%d components, want %d (and the root)", got, n+1)
	}
	if len(doc.Roots) != 1 || doc.Roots[0] != g.Root {
		t.Fatalf("roots %v, want [%s]", doc.Roots, g.Root)
	}
	if doc.Supplier == nil || doc.Supplier.Name == "" || doc.Component(g.Root).Supplier == nil {
		t.Error("the document or its root has no supplier")
	}
	edges := map[[2]string]bool{}
	for _, r := range doc.Relationships {
		if r.Type == model.RelDependsOn {
			edges[[2]string{r.From, r.To}] = true
		}
	}
	if len(edges) != g.Edges {
		t.Errorf("%d dependsOn edges, want %d", len(edges), g.Edges)
	}

	// Every component is reached from the root through real dependency
	// edges (Paths would otherwise hang it directly under the root).
	paths := doc.Paths()
	deepest := 0
	for _, c := range doc.Components {
		p := paths[c.Ref]
		if len(p) == 0 || p[0] != g.Root || p[len(p)-1] != c.Ref {
			t.Fatalf("path of %s is %v, want root first and the component last", c.Ref, p)
		}
		for i := 0; i+1 < len(p); i++ {
			if !edges[[2]string{p[i], p[i+1]}] {
				t.Fatalf("path of %s uses %s -> %s, which is not a dependency edge", c.Ref, p[i], p[i+1])
			}
		}
		deepest = max(deepest, len(p))
	}
	if deepest < 4 {
		t.Errorf("deepest path has %d refs; the graph is too flat to be a tree", deepest)
	}

	// The engine flags exactly the planted components, each through the
	// vendor-name rule, and none of the look-alikes.
	findings := newEngine(t).Match(doc)
	flagged := map[string]match.Finding{}
	for _, f := range findings {
		flagged[f.Component.Ref] = f
	}
	for _, ref := range g.Kaspersky {
		f, ok := flagged[ref]
		if !ok {
			t.Errorf("planted Kaspersky component %s was not flagged", ref)
			continue
		}
		if f.Entity != "Kaspersky" || !contains(f.Rules, "KL-VENDOR-001") {
			t.Errorf("%s: entity %q, rules %v; want Kaspersky through KL-VENDOR-001", ref, f.Entity, f.Rules)
		}
		if len(f.Path) < 2 || f.Path[0] != g.Root {
			t.Errorf("%s: finding path %v does not start at the root", ref, f.Path)
		}
	}
	for _, ref := range g.Lookalikes {
		if f, ok := flagged[ref]; ok {
			t.Errorf("look-alike %s (%s) was flagged: %s %v", ref, f.Component.Name, f.Title, f.Rules)
		}
	}
	if len(findings) != len(g.Kaspersky) {
		for _, f := range findings {
			if !contains(g.Kaspersky, f.Component.Ref) {
				t.Errorf("unexpected finding: %s (%s) %v", f.Component.Ref, f.Title, f.Rules)
			}
		}
		t.Errorf("%d findings, want exactly the %d planted Kaspersky components", len(findings), len(g.Kaspersky))
	}
	t.Logf("%d bytes, %d components, %d edges, deepest path %d refs, %d findings, %d look-alikes clean",
		len(g.JSON), len(doc.Components), len(edges), deepest, len(findings), len(g.Lookalikes))
}
