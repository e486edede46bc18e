package deep

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/recipe"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// Assembler turns the facts of a walk into components, in walk order.
// A file with facts becomes a component of type "file" named by its
// location; an archive that holds such files becomes one too, and is their
// parent, so the path from the product root runs through the archives.
// Class files and Java manifests do not become components of their own:
// their packages and vendor fields go to the archive that holds them; so
// does an Android manifest's identity (the app's package and version),
// while the components it declares stay its own evidence.
type Assembler struct {
	comps []*model.Component
	byLoc map[string]*model.Component
}

// NewAssembler returns an empty Assembler.
func NewAssembler() *Assembler { return &Assembler{byLoc: map[string]*model.Component{}} }

// RefPrefix starts the ref of every component deep inspection makes.
const RefPrefix = "file:"

// Add records one file's facts.
func (a *Assembler) Add(f *Facts) {
	if f == nil {
		return
	}
	if len(f.Android) > 0 {
		a.android(f) // android.go
		if f.identityOnly() {
			return
		}
	}
	container, inArchive := parentLocation(f.Location)
	target := f.Location
	if (f.ClassFile || f.ManifestFile) && inArchive {
		target = container
	}
	c := a.get(target)
	if f.ManifestFile && inArchive {
		keys := sortedKeys(f.Manifest)
		for _, k := range keys {
			c.Properties = appendProp(c.Properties, "pedigree:manifest:"+k, f.Manifest[k])
		}
		if c.Version == "" {
			c.Version = f.Manifest["Implementation-Version"]
		}
	}
	for _, s := range f.Classes {
		c.Properties = appendProp(c.Properties, "pedigree:java-package", s)
	}
	for _, s := range f.Copyrights {
		c.Properties = appendProp(c.Properties, "pedigree:copyright", s)
	}
	for _, s := range f.Strings {
		c.Properties = appendProp(c.Properties, "pedigree:string", s)
	}
	for _, s := range f.Hosts {
		c.Properties = appendProp(c.Properties, "pedigree:url", s)
	}
	for _, s := range f.Paths {
		c.Properties = appendProp(c.Properties, "pedigree:path", s)
	}
	for _, s := range f.Content {
		c.Properties = appendProp(c.Properties, "pedigree:content:"+f.Location, s)
	}
	if info := f.PE; info != nil {
		for _, k := range sortedKeys(info.Version) {
			c.Properties = appendProp(c.Properties, "pedigree:pe:"+k, info.Version[k])
		}
		if c.Version == "" {
			c.Version = info.Version["FileVersion"]
		}
		if sig := info.Signature; sig != nil {
			c.Properties = appendProp(c.Properties, "pedigree:signer", signerText(sig.Signer.Subject, sig.Signer.Issuer, sig.Verified, sig.VerifyError))
		}
	}
	c.Hashes = append(c.Hashes, f.Hashes...)
	for _, it := range f.Declared {
		a.declared(c, f.Location, it)
	}
}

// declared adds what a recipe declares: an import becomes a property of
// the source file ("pedigree:import:LOCATION:LINE"), anything else a
// component under the recipe's, at "LOCATION:LINE", with how it was
// declared (pedigree:declared-by) and the file path it names
// (pedigree:declared-path, matched as a location). Its ref is
// "file:LOCATION#KIND:NAME[@VERSION]".
func (a *Assembler) declared(c *model.Component, loc string, it recipe.Item) {
	at := fmt.Sprintf("%s:%d", loc, it.Line)
	if it.Kind == decl.Import {
		c.Properties = appendProp(c.Properties, "pedigree:import:"+at, it.Name)
		return
	}
	// One component per thing a file declares: declared again (COPY of
	// a package file, then dpkg -i of it), it gains a location.
	id := it.Kind + ":" + it.Name
	if it.Group != "" {
		id = it.Kind + ":" + it.Group + ":" + it.Name
	}
	if it.Version != "" {
		id += "@" + it.Version
	}
	ref := RefPrefix + loc + "#" + id
	if d := a.byLoc[ref]; d != nil {
		if !slices.Contains(d.Locations, at) {
			d.Locations = append(d.Locations, at)
		}
		d.Properties = appendProp(d.Properties, "pedigree:declared-by", it.By)
		if it.Path != "" {
			d.Properties = appendProp(d.Properties, "pedigree:declared-path", it.Path)
		}
		return
	}
	typ := map[string]string{decl.Package: "library", decl.Image: "container"}[it.Kind]
	if typ == "" {
		typ = "application" // a kit or a program: its name is a product's name too
	}
	d := &model.Component{Ref: ref, Type: typ, Group: it.Group, Name: it.Name, Version: it.Version, PURL: it.PURL,
		Locations: []string{at}, Parent: c.Ref}
	d.Properties = appendProp(d.Properties, "pedigree:declared-by", it.By)
	if it.Path != "" {
		d.Properties = appendProp(d.Properties, "pedigree:declared-path", it.Path)
	}
	a.byLoc[ref] = d
	a.comps = append(a.comps, d)
}

// signerText describes a signer for reports; the subject comes first so
// that it is what the signature names match.
func signerText(subject, issuer string, verified bool, why string) string {
	state := "chain verified"
	if !verified {
		state = "chain not verified"
		if why != "" {
			state += ": " + why
		}
	}
	return fmt.Sprintf("%s (issuer %s; %s)", subject, issuer, state)
}

// get returns the component for a location, creating it and the archives
// around it.
func (a *Assembler) get(loc string) *model.Component {
	if c := a.byLoc[loc]; c != nil {
		return c
	}
	c := &model.Component{Ref: RefPrefix + loc, Type: "file", Name: loc, Locations: []string{loc}}
	if container, ok := parentLocation(loc); ok {
		c.Parent = a.get(container).Ref
	}
	a.byLoc[loc] = c
	a.comps = append(a.comps, c)
	return c
}

// Components returns the components made so far, in walk order (an archive
// before what it holds).
func (a *Assembler) Components() []*model.Component { return a.comps }

// parentLocation is the archive that holds a location ("a.zip!b/c" is in
// "a.zip").
func parentLocation(loc string) (string, bool) {
	i := strings.LastIndexByte(loc, '!')
	if i < 0 {
		return "", false
	}
	return loc[:i], true
}

// DiskPath is the part of a location outside every archive.
func DiskPath(loc string) string {
	if i := strings.IndexByte(loc, '!'); i >= 0 {
		return loc[:i]
	}
	return loc
}

func appendProp(ps []model.Property, name, value string) []model.Property {
	p := model.Property{Name: name, Value: value}
	if slices.Contains(ps, p) {
		return ps
	}
	return append(ps, p)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
