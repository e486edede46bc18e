package cyclonedx

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/pedigree-sbom/pedigree/pkg/internal/msgtext"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// validate checks the rules of the CycloneDX specification that bear on
// identifying components and their makers, and records each break as a
// warning on the document. It does not refuse the BOM: a procurement review
// needs a verdict on a sloppy SBOM too, with the sloppiness stated.
//
// Rules that do not affect identification (licence id spelling, data-flow
// classifications, citations) are not checked; docs/ingest.md lists them.
//
// streamed, when not nil, validated the components as the fast path read
// them (bom.Components is then nil): its warnings take their place, and
// the refs it saw are counted with the others.
func validate(bom *cdx.BOM, d *model.Document, streamed *validator) {
	v := &validator{doc: d, refs: make(map[string]int, len(d.Components))}
	if streamed != nil {
		for _, ref := range streamed.pending {
			v.refs[ref]++
		}
	}
	if s := bom.SerialNumber; s != "" && !serialRE.MatchString(s) {
		v.warn("serialNumber %q is not a urn:uuid (RFC 4122)", s)
	}
	if md := bom.Metadata; md != nil {
		if ts := md.Timestamp; ts != "" {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				v.warn("metadata.timestamp %q is not an RFC 3339 date-time", ts)
			}
		}
		v.properties(text("metadata"), md.Properties)
		if md.Component != nil {
			v.component(&place{field: "metadata.component", index: -1}, md.Component)
		}
	}
	if streamed != nil {
		d.Warnings = append(d.Warnings, streamed.doc.Warnings...)
	}
	if bom.Components != nil {
		for i := range *bom.Components {
			v.component(&place{field: "components", index: i}, &(*bom.Components)[i])
		}
	}
	if bom.Services != nil {
		for i := range *bom.Services {
			v.service(&place{field: "services", index: i}, &(*bom.Services)[i])
		}
	}
	v.properties(text("bom"), bom.Properties)
	if bom.Dependencies != nil {
		for i, dep := range *bom.Dependencies {
			// The place is formatted only for a warning, as for components.
			if strings.TrimSpace(dep.Ref) == "" {
				v.warn("dependencies[%d]: ref is empty", i)
			} else if v.refs[dep.Ref] == 0 {
				v.warn("dependencies[%d]: ref %q names no component or service", i, dep.Ref)
			}
			if dep.Dependencies != nil {
				for _, to := range *dep.Dependencies {
					if strings.TrimSpace(to) == "" {
						v.warn("dependencies[%d]: dependsOn has an empty ref", i)
					} else if v.refs[to] == 0 {
						v.warn("dependencies[%d]: dependsOn %q names no component or service", i, to)
					}
				}
			}
		}
	}
	dups := make([]string, 0)
	for ref, n := range v.refs {
		if n > 1 {
			dups = append(dups, ref)
		}
	}
	sort.Strings(dups) // for stable output
	for _, ref := range dups {
		v.warn("bom-ref %q is used %d times; a bom-ref must be unique", ref, v.refs[ref])
	}
}

type validator struct {
	doc  *model.Document
	refs map[string]int
	// pending are the refs seen while refs is nil: the fast path lists
	// them as it reads the components, and validate counts them once the
	// number of components is known.
	pending []string
}

func (v *validator) warn(format string, args ...any) {
	v.doc.Warnings = append(v.doc.Warnings, fmt.Sprintf(format, args...))
}

var (
	serialRE = regexp.MustCompile(`^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)
)

// componentTypes are the CycloneDX component types of all versions up to 1.7.
var componentTypes = map[string]bool{
	"application": true, "framework": true, "library": true, "container": true, "platform": true,
	"operating-system": true, "device": true, "device-driver": true, "firmware": true, "file": true,
	"machine-learning-model": true, "data": true, "cryptographic-asset": true,
}

// hashLengths are the hex lengths of the CycloneDX hash algorithms; BLAKE3 has none fixed.
var hashLengths = map[cdx.HashAlgorithm]int{
	cdx.HashAlgoMD5: 32, cdx.HashAlgoSHA1: 40, cdx.HashAlgoSHA256: 64, cdx.HashAlgoSHA384: 96,
	cdx.HashAlgoSHA512: 128, cdx.HashAlgoSHA3_256: 64, cdx.HashAlgoSHA3_384: 96, cdx.HashAlgoSHA3_512: 128,
	cdx.HashAlgoBlake2b_256: 64, cdx.HashAlgoBlake2b_384: 96, cdx.HashAlgoBlake2b_512: 128, cdx.HashAlgoBlake3: 0,
	cdx.HashAlgoStreebog256: 64, cdx.HashAlgoStreebog512: 128,
}

// place is where in the BOM a check applies, as warnings name it
// (`components[3].components[0] ("zlib")`). It is formatted only when a
// warning is written: naming every component up front cost more than
// checking it.
type place struct {
	parent *place
	field  string // "components", or a fixed name such as "metadata.component"
	index  int    // the element of field, or -1
	name   string // the component's or service's name, shown after the place
}

// base is the place without the name.
func (p *place) base() string {
	s := p.field
	if p.index >= 0 {
		s += "[" + strconv.Itoa(p.index) + "]"
	}
	if p.parent != nil {
		s = p.parent.base() + "." + s
	}
	return s
}

func (p *place) String() string {
	if p.name != "" {
		return fmt.Sprintf("%s (%q)", p.base(), p.name)
	}
	return p.base()
}

// text is a place given as text.
type text string

func (t text) String() string { return string(t) }

// suffixed is a place with words after it (" license").
type suffixed struct {
	fmt.Stringer
	suffix string
}

func (s suffixed) String() string { return s.Stringer.String() + s.suffix }

func (v *validator) ref(ref string) {
	switch {
	case ref == "":
	case v.refs == nil:
		v.pending = append(v.pending, ref)
	default:
		v.refs[ref]++
	}
}

func (v *validator) component(where *place, c *cdx.Component) {
	where.name = c.Name
	w := where
	v.ref(c.BOMRef)
	if c.BOMRef == "" && c.Name == "" && c.Type == "" {
		v.warn("%s: component is empty", w)
	}
	switch {
	case c.Type == "":
		v.warn("%s: type is missing", w)
	case !componentTypes[string(c.Type)]:
		v.warn("%s: type %q is not a CycloneDX component type", w, c.Type)
	}
	if strings.TrimSpace(c.Name) == "" {
		v.warn("%s: name is missing", w)
	}
	switch c.Scope {
	case "", cdx.ScopeRequired, cdx.ScopeOptional, cdx.ScopeExcluded:
	default:
		v.warn("%s: scope %q is not required, optional or excluded", w, c.Scope)
	}
	v.hashes(w, c.Hashes)
	if s := c.SWID; s != nil && (s.TagID == "" || s.Name == "") {
		v.warn("%s: swid needs both tagId and name", w)
	}
	if c.Version != "" && c.VersionRange != "" {
		v.warn("%s: has both version and versionRange", w)
	}
	if c.VersionRange != "" && (c.IsExternal == nil || !*c.IsExternal) {
		v.warn("%s: versionRange is only allowed on an external component (isExternal: true)", w)
	}
	v.licenses(w, c.Licenses)
	v.properties(w, c.Properties)
	if c.Components != nil {
		for i := range *c.Components {
			v.component(&place{parent: where, field: "components", index: i}, &(*c.Components)[i])
		}
	}
	if p := c.Pedigree; p != nil && p.Patches != nil {
		for _, patch := range *p.Patches {
			switch patch.Type {
			case cdx.PatchTypeBackport, cdx.PatchTypeCherryPick, cdx.PatchTypeMonkey, cdx.PatchTypeUnofficial:
			default:
				v.warn("%s: pedigree patch type %q is not backport, cherry-pick, monkey or unofficial", w, patch.Type)
			}
		}
	}
}

func (v *validator) service(where *place, s *cdx.Service) {
	where.name = s.Name
	w := where
	v.ref(s.BOMRef)
	if strings.TrimSpace(s.Name) == "" {
		v.warn("%s: name is missing", w)
	}
	v.licenses(w, s.Licenses)
	v.properties(w, s.Properties)
	if s.Services != nil {
		for i := range *s.Services {
			v.service(&place{parent: where, field: "services", index: i}, &(*s.Services)[i])
		}
	}
}

func (v *validator) hashes(where fmt.Stringer, hs *[]cdx.Hash) {
	if hs == nil {
		return
	}
	for _, h := range *hs {
		n, known := hashLengths[h.Algorithm]
		switch {
		case !known:
			v.warn("%s: hash algorithm %q is not a CycloneDX algorithm", where, h.Algorithm)
		case !isHex(h.Value):
			v.warn("%s: %s value %q is not hexadecimal", where, h.Algorithm, msgtext.Clip(h.Value, 24))
		case n > 0 && len(h.Value) != n:
			v.warn("%s: %s value has %d hex digits, want %d", where, h.Algorithm, len(h.Value), n)
		}
	}
}

func (v *validator) licenses(where fmt.Stringer, l *cdx.Licenses) {
	if l == nil {
		return
	}
	for _, c := range *l {
		if c.Expression != "" && c.License != nil {
			v.warn("%s: a licence entry has both an expression and a license", where)
		}
		if lic := c.License; lic != nil {
			if lic.ID == "" && lic.Name == "" {
				v.warn("%s: a license has neither id nor name", where)
			}
			if lic.Text != nil && lic.Text.Encoding != "" && lic.Text.Encoding != "base64" {
				v.warn("%s: license text encoding %q is not base64", where, lic.Text.Encoding)
			}
			v.properties(suffixed{where, " license"}, lic.Properties)
		}
	}
}

func (v *validator) properties(where fmt.Stringer, p *[]cdx.Property) {
	if p == nil {
		return
	}
	for _, x := range *p {
		if x.Name == "" {
			v.warn("%s: a property has no name", where)
		}
	}
}

// isHex reports whether s is one or more hexadecimal digits.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}
