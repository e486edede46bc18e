package cyclonedx

// The fast path of DecodeJSON: one pass over the input that fills in only
// the parts of the BOM that convert and validate read, and checks that the
// rest would decode as well.
//
// The decoder's plans are built once, by reflection, from the same
// cyclonedx-go types that encoding/json decodes into (pkg/cdxjson's BOM),
// so that every field the library models is known with its JSON name and
// type. A field that pedigree reads is decoded into its place in the
// library's struct; any other field is only checked: its value must be one
// that encoding/json would store without an error (a string where the
// library has a string, an integer in range where it has an int, ...). A
// key that is not a field is skipped after a syntax check.
//
// The fast path gives up, and DecodeJSON runs the reference decoder
// (encoding/json into cyclonedx-go's structs), on anything it does not
// reproduce exactly: a syntax error, a value of the wrong type, null where
// a custom unmarshaller would see it, a member named twice, a key that
// matches a field only without regard to case, nesting deeper than
// maxStreamDepth. All the errors, warnings and tolerated defects therefore
// come from the reference decoder, byte for byte, and well-formed input
// never pays for it. TestStreamEquivalence and FuzzStreamEquivalence hold
// the two paths to the same documents.
//
// When the metadata comes before the components, as every SBOM writer puts
// it, each component is converted to the model and validated as soon as it
// is read, and its library struct is reused for the next: the list of
// components is never held twice (see hooked). Strings are copied out of
// the input into shared blocks, and the values that repeat (types, hash
// algorithms, property names) are kept once.

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"reflect"
	"strconv"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/pedigree-sbom/pedigree/pkg/cdxjson"
	"github.com/pedigree-sbom/pedigree/pkg/model"
)

// maxStreamDepth is the nesting beyond which the fast path gives up
// (encoding/json refuses 10,000 levels; ingest's own limit is far lower).
const maxStreamDepth = 2000

// pkind is what a plan decodes.
type pkind uint8

const (
	pString    pkind = iota // a string kind
	pBool                   // a bool
	pInt                    // a signed integer kind
	pUint                   // an unsigned integer kind
	pFloat                  // float32 or float64
	pPtr                    // a pointer: null or the element
	pSlice                  // a slice: null or an array of elements
	pStruct                 // a struct: an object of fields
	pRaw                    // json.RawMessage: any value, never stored
	pUnmarshal              // another json.Unmarshaler: encoding/json decodes it
	pTools                  // cdx.ToolsChoice: an array of tools, or components and services
	pIdentity               // cdx.EvidenceIdentityChoice: one identity or an array
)

// plan says how to decode a JSON value into a Go type.
type plan struct {
	kind   pkind
	typ    reflect.Type
	intern bool // pString: keep one copy of each distinct value
	elem   *plan
	fields map[string]*field // pStruct: by JSON name
	byLen  [][]*field        // pStruct: the same by the length of the name, for lookups
	folded map[string]bool   // pStruct: the JSON names lower-cased
	// fill decodes the elements of a pSlice whose element type is a
	// common one without reflection (see sliceFills); nil for the others.
	fill fillFunc
}

// sliceFills decode, by element type, the slices that a large BOM holds by
// the hundred thousand, with append instead of reflection.
var sliceFills = fills(
	fillOf[string](), fillOf[cdx.Component](), fillOf[cdx.Hash](), fillOf[cdx.Property](),
	fillOf[cdx.ExternalReference](), fillOf[cdx.OrganizationalContact](), fillOf[cdx.LicenseChoice](),
	fillOf[cdx.Dependency](), fillOf[cdx.Service](), fillOf[cdx.EvidenceOccurrence](),
)

type fillFunc = func(d *streamDecoder, p *plan, dst unsafe.Pointer)

type fillEntry struct {
	elem reflect.Type
	fill fillFunc
}

// fillOf pairs fillSlice[E] with E, so that the two cannot disagree.
func fillOf[E any]() fillEntry { return fillEntry{reflect.TypeFor[E](), fillSlice[E]} }

func fills(entries ...fillEntry) map[reflect.Type]fillFunc {
	m := make(map[reflect.Type]fillFunc, len(entries))
	for _, e := range entries {
		m[e.elem] = e.fill
	}
	return m
}

// field is one member of a struct plan.
type field struct {
	name  string  // its JSON name
	index int     // its bit in the object's set of members seen
	off   uintptr // offset in the struct
	plan  *plan
	need  bool // decoded into the struct; otherwise only checked
	hook  hook // the BOM's metadata and components, which the decoder watches
}

// hook marks the two fields of the BOM whose order matters to streaming.
type hook uint8

const (
	noHook hook = iota
	hookMetadata
	hookComponents
)

// needed lists, per cyclonedx-go type, the Go fields that convert and
// validate read; every other field is checked but not stored.
var needed = map[reflect.Type][]string{
	reflect.TypeFor[cdx.BOM]():      {"SpecVersion", "SerialNumber", "Metadata", "Components", "Services", "Properties", "Dependencies", "Annotations"},
	reflect.TypeFor[cdx.Metadata](): {"Timestamp", "Tools", "Authors", "Component", "Manufacture", "Manufacturer", "Supplier", "Properties"},
	reflect.TypeFor[cdx.Component](): {"BOMRef", "MIMEType", "Type", "Supplier", "Manufacturer", "Author", "Authors", "Publisher",
		"Group", "Name", "Version", "Description", "Scope", "Hashes", "Licenses", "Copyright", "CPE", "PackageURL", "OmniborID",
		"SWHID", "SWID", "Pedigree", "ExternalReferences", "Properties", "Components", "Evidence", "Tags", "IsExternal", "VersionRange"},
	reflect.TypeFor[cdx.OrganizationalEntity]():          {"Name", "Address", "URL", "Contact"},
	reflect.TypeFor[cdx.OrganizationalContact]():         {"Name", "Email", "Phone"},
	reflect.TypeFor[cdx.PostalAddress]():                 {"Country", "Region", "Locality", "PostOfficeBoxNumber", "PostalCode", "StreetAddress"},
	reflect.TypeFor[cdx.LicenseChoice]():                 {"License", "Expression", "Licensing"},
	reflect.TypeFor[cdx.License]():                       {"ID", "Name", "Text", "Licensing", "Properties"},
	reflect.TypeFor[cdx.AttachedText]():                  {"Encoding"},
	reflect.TypeFor[cdx.Licensing]():                     {"Licensor"},
	reflect.TypeFor[cdx.OrganizationalEntityOrContact](): {"Organization", "Individual"},
	reflect.TypeFor[cdx.Hash]():                          {"Algorithm", "Value"},
	reflect.TypeFor[cdx.ExternalReference]():             {"URL", "Comment", "Type"},
	reflect.TypeFor[cdx.Property]():                      {"Name", "Value"},
	reflect.TypeFor[cdx.Service](): {"BOMRef", "Provider", "Group", "Name", "Version", "Description", "Endpoints", "Licenses",
		"ExternalReferences", "Properties", "Services", "Tags"},
	reflect.TypeFor[cdx.Dependency]():             {"Ref", "Dependencies", "Provides"},
	reflect.TypeFor[cdx.Annotation]():             {"Subjects", "Annotator", "Text"},
	reflect.TypeFor[cdx.Annotator]():              {"Organization", "Individual", "Component", "Service"},
	reflect.TypeFor[cdx.Pedigree]():               {"Ancestors", "Descendants", "Variants", "Commits", "Patches", "Notes"},
	reflect.TypeFor[cdx.Commit]():                 {"UID", "URL", "Author", "Committer", "Message"},
	reflect.TypeFor[cdx.IdentifiableAction]():     {"Name", "Email"},
	reflect.TypeFor[cdx.Patch]():                  {"Type"},
	reflect.TypeFor[cdx.Evidence]():               {"Identity", "Occurrences", "Licenses", "Copyright"},
	reflect.TypeFor[cdx.EvidenceIdentity]():       {"Field", "Confidence", "ConcludedValue", "Methods"},
	reflect.TypeFor[cdx.EvidenceIdentityMethod](): {"Technique", "Value"},
	reflect.TypeFor[cdx.EvidenceOccurrence]():     {"Location"},
	reflect.TypeFor[cdx.Copyright]():              {"Text"},
	reflect.TypeFor[cdx.SWID]():                   {"TagID", "Name", "Version", "URL"},
	toolType:                                      {"Vendor", "Name", "Version"},
	reflect.TypeFor[toolsChoiceJSON]():            {"Components", "Services"},
}

// toolsListType is the type of ToolsChoice.Tools, *[]Tool, and toolType
// Tool: the legacy form of metadata.tools, which the library deprecates
// but pedigree still reads.
var (
	toolsListType = must(reflect.TypeFor[cdx.ToolsChoice]().FieldByName("Tools")).Type
	toolType      = toolsListType.Elem().Elem()
)

func must(f reflect.StructField, ok bool) reflect.StructField {
	if !ok {
		panic("cyclonedx: stream plan: no field ToolsChoice.Tools")
	}
	return f
}

// interned are the string types whose values repeat across a BOM.
var interned = map[reflect.Type]bool{
	reflect.TypeFor[cdx.ComponentType]():         true,
	reflect.TypeFor[cdx.HashAlgorithm]():         true,
	reflect.TypeFor[cdx.ExternalReferenceType](): true,
	reflect.TypeFor[cdx.Scope]():                 true,
}

// toolsChoiceJSON is the object form of metadata.tools, as cyclonedx-go's
// ToolsChoice.UnmarshalJSON reads it.
type toolsChoiceJSON struct {
	Components *[]cdx.Component `json:"components,omitempty"`
	Services   *[]cdx.Service   `json:"services,omitempty"`
}

var (
	plansOnce sync.Once
	bomPlan   *plan
	toolsPlan struct{ list, object *plan } // *[]Tool, toolsChoiceJSON
	identPlan struct{ list, one *plan }    // []cdx.EvidenceIdentity, cdx.EvidenceIdentity
)

func buildPlans() {
	b := planBuilder{cache: map[reflect.Type]*plan{}}
	bomPlan = b.plan(reflect.TypeFor[cdxjson.BOM]())
	bomPlan.fields["metadata"].hook = hookMetadata
	bomPlan.fields["components"].hook = hookComponents
	toolsPlan.list = b.plan(toolsListType)
	toolsPlan.object = b.plan(reflect.TypeFor[toolsChoiceJSON]())
	identPlan.list = b.plan(reflect.TypeFor[[]cdx.EvidenceIdentity]())
	identPlan.one = b.plan(reflect.TypeFor[cdx.EvidenceIdentity]())
}

type planBuilder struct {
	cache map[reflect.Type]*plan
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	toolsType       = reflect.TypeFor[cdx.ToolsChoice]()
	identityType    = reflect.TypeFor[cdx.EvidenceIdentityChoice]()
)

func (b *planBuilder) plan(t reflect.Type) *plan {
	if p := b.cache[t]; p != nil {
		return p
	}
	p := &plan{typ: t}
	b.cache[t] = p // before the elements: the types are recursive
	switch {
	case t == rawMessageType:
		p.kind = pRaw
	case t == toolsType:
		p.kind = pTools
	case t == identityType:
		p.kind = pIdentity
	case reflect.PointerTo(t).Implements(unmarshalerType):
		p.kind = pUnmarshal
	default:
		switch t.Kind() {
		case reflect.String:
			p.kind, p.intern = pString, interned[t]
		case reflect.Bool:
			p.kind = pBool
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			p.kind = pInt
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			p.kind = pUint
		case reflect.Float32, reflect.Float64:
			p.kind = pFloat
		case reflect.Pointer:
			p.kind, p.elem = pPtr, b.plan(t.Elem())
		case reflect.Slice:
			if t.Elem().Kind() == reflect.Uint8 {
				panic("cyclonedx: stream plan: byte slices are not supported: " + t.String())
			}
			p.kind, p.elem, p.fill = pSlice, b.plan(t.Elem()), sliceFills[t.Elem()]
		case reflect.Struct:
			p.kind = pStruct
			p.fields = map[string]*field{}
			p.folded = map[string]bool{}
			b.fields(p, t, 0)
			if len(p.fields) > 64 {
				panic("cyclonedx: stream plan: more than 64 fields in " + t.String())
			}
		default:
			panic("cyclonedx: stream plan: unsupported type " + t.String())
		}
	}
	return p
}

// fields adds the JSON fields of struct type t, at offset base within p's
// type, to p. Fields of an embedded struct come after the outer ones and
// only under names the outer struct does not use, as encoding/json has the
// shallower field win.
func (b *planBuilder) fields(p *plan, t reflect.Type, base uintptr) {
	need := map[string]bool{}
	for _, n := range needed[t] {
		if _, ok := t.FieldByName(n); !ok {
			panic("cyclonedx: stream plan: no field " + n + " in " + t.String())
		}
		need[n] = true
	}
	var embedded []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := cutComma(tag)
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			embedded = append(embedded, f)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if p.fields[name] != nil {
			continue
		}
		fd := &field{name: name, index: len(p.fields), off: base + f.Offset, plan: b.fieldPlan(t, f), need: need[f.Name]}
		p.fields[name] = fd
		for len(p.byLen) <= len(name) {
			p.byLen = append(p.byLen, nil)
		}
		p.byLen[len(name)] = append(p.byLen[len(name)], fd)
		p.folded[lower(name)] = true
	}
	for _, f := range embedded {
		b.fields(p, f.Type, base+f.Offset)
	}
}

// fieldPlan is the plan of field f of t: the plan of its type, except that
// property names are interned too.
func (b *planBuilder) fieldPlan(t reflect.Type, f reflect.StructField) *plan {
	if t == reflect.TypeFor[cdx.Property]() && f.Name == "Name" {
		return &plan{kind: pString, typ: f.Type, intern: true}
	}
	return b.plan(f.Type)
}

func cutComma(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// bailout is the panic value with which the decoder gives up; decodeStream
// recovers it and reports that the reference decoder must run.
type bailout struct{}

// streamDecoder is the state of one fast decode.
type streamDecoder struct {
	data   []byte
	pos    int
	depth  int
	strs   map[string]string // interned values
	arena  []byte            // where short strings are copied, many to one allocation
	folded []byte            // a key lower-cased (see folds)
	// emptyRef is set when a bom-ref key has the empty string as value
	// (see noteEmptyRef).
	emptyRef bool

	// The components are converted and validated one by one as they are
	// read, when the metadata came before them (as every SBOM writer
	// orders them): the metadata's component must be converted first.
	bom      *cdxjson.BOM
	metadata bool          // the metadata has been read
	conv     *converter    // the conversion, when the components were streamed
	val      *validator    // their validation
	current  cdx.Component // the component being read
}

// streamed is what the fast path read.
type streamed struct {
	bom *cdxjson.BOM
	// conv and val hold the components already converted and validated
	// (bom.Components is then nil), or are nil.
	conv *converter
	val  *validator
	// emptyRef says what hasEmptyRef(data, "\"bom-ref\"", ':') would.
	emptyRef bool
}

// document converts and validates what was read.
func (s *streamed) document() *model.Document {
	if s.conv == nil {
		return convert(&s.bom.BOM)
	}
	return s.conv.finish(&s.bom.BOM, s.val)
}

// decodeStream decodes data with the fast path. ok is false when it gave
// up; then the reference decoder must read data.
func decodeStream(data []byte) (res *streamed, ok bool) {
	plansOnce.Do(buildPlans)
	d := &streamDecoder{data: data, strs: map[string]string{}, bom: new(cdxjson.BOM)}
	defer func() {
		if r := recover(); r != nil {
			if _, is := r.(bailout); !is {
				panic(r)
			}
			res, ok = nil, false
		}
	}()
	d.space()
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		d.bail()
	}
	d.value(bomPlan, unsafe.Pointer(d.bom))
	d.space()
	if d.pos != len(d.data) {
		d.bail()
	}
	return &streamed{bom: d.bom, conv: d.conv, val: d.val, emptyRef: d.emptyRef}, true
}

// hooked decodes the BOM's metadata or components (field f, at dst).
// Components that follow the metadata are converted and validated as each
// is read, so that no list of the library's components is ever built;
// those before it (or without any) are decoded into the BOM, and convert
// sees them there.
func (d *streamDecoder) hooked(f *field, dst unsafe.Pointer) {
	if f.hook == hookMetadata || !d.metadata {
		d.value(f.plan, dst)
		d.metadata = d.metadata || f.hook == hookMetadata
		return
	}
	if d.next() == 'n' {
		d.literal("null")
		return
	}
	if d.data[d.pos] != '[' {
		d.bail()
	}
	d.conv = &converter{doc: &model.Document{}}
	d.conv.root(d.bom.Metadata)
	d.val = &validator{doc: &model.Document{}} // refs nil: counted in validate
	elem := f.plan.elem.elem                   // *[]Component → []Component → Component
	d.enter()
	if d.next() == ']' {
		d.pos++
		d.depth--
		return
	}
	for i := 0; ; i++ {
		c := &d.current
		*c = cdx.Component{}
		d.value(elem, unsafe.Pointer(c))
		d.conv.component(c, "")
		d.val.component(&place{field: "components", index: i}, c)
		switch d.next() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			return
		default:
			d.bail()
		}
	}
}

func (d *streamDecoder) bail() { panic(bailout{}) }

// space skips JSON white space.
func (d *streamDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\r', '\t':
			d.pos++
		case '\n':
			d.pos++
			// Indentation: eight spaces at a time.
			for d.pos+8 <= len(d.data) && binary.LittleEndian.Uint64(d.data[d.pos:]) == lsb*' ' {
				d.pos += 8
			}
		default:
			return
		}
	}
}

// next skips white space and returns the next byte, which must exist.
func (d *streamDecoder) next() byte {
	d.space()
	if d.pos >= len(d.data) {
		d.bail()
	}
	return d.data[d.pos]
}

// literal consumes word (true, false, null) at the current position.
func (d *streamDecoder) literal(word string) {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		d.bail()
	}
	d.pos += len(word)
}

func (d *streamDecoder) enter() {
	d.depth++
	if d.depth > maxStreamDepth {
		d.bail()
	}
	d.pos++
}

// value decodes the next value by p into dst, or only checks it when dst
// is nil.
func (d *streamDecoder) value(p *plan, dst unsafe.Pointer) {
	c := d.next()
	if c == 'n' {
		d.literal("null")
		// null leaves a value as it is (a pointer or slice nil, as the
		// struct was new), but a custom unmarshaller would be called with it.
		if p.kind == pUnmarshal || p.kind == pTools || p.kind == pIdentity {
			d.bail()
		}
		return
	}
	switch p.kind {
	case pString:
		if c != '"' {
			d.bail()
		}
		if dst == nil {
			d.skipString()
		} else {
			*(*string)(dst) = d.str(p.intern)
		}
	case pBool:
		var v bool
		switch c {
		case 't':
			d.literal("true")
			v = true
		case 'f':
			d.literal("false")
		default:
			d.bail()
		}
		if dst != nil {
			*(*bool)(dst) = v
		}
	case pInt, pUint, pFloat:
		d.number(p, dst)
	case pPtr:
		if dst == nil {
			d.value(p.elem, nil)
			return
		}
		v := reflect.New(p.elem.typ).UnsafePointer()
		d.value(p.elem, v)
		*(*unsafe.Pointer)(dst) = v
	case pSlice:
		if c != '[' {
			d.bail()
		}
		d.slice(p, dst)
	case pStruct:
		if c != '{' {
			d.bail()
		}
		d.object(p, dst)
	case pRaw:
		d.skip()
	case pUnmarshal:
		start := d.pos
		d.skip()
		v := reflect.New(p.typ)
		if json.Unmarshal(d.data[start:d.pos], v.Interface()) != nil {
			d.bail()
		}
		if dst != nil {
			reflect.NewAt(p.typ, dst).Elem().Set(v.Elem())
		}
	case pTools:
		d.tools(dst)
	case pIdentity:
		d.identity(dst)
	}
}

// tools decodes metadata.tools as ToolsChoice.UnmarshalJSON does: an array
// is the legacy list of tools, an object holds components and services.
func (d *streamDecoder) tools(dst unsafe.Pointer) {
	switch d.data[d.pos] {
	case '[':
		if dst == nil {
			d.value(toolsPlan.list, nil)
			return
		}
		var tc cdx.ToolsChoice
		d.value(toolsPlan.list, unsafe.Pointer(&tc.Tools))
		*(*cdx.ToolsChoice)(dst) = tc
	case '{':
		if dst == nil {
			d.value(toolsPlan.object, nil)
			return
		}
		var o toolsChoiceJSON
		d.value(toolsPlan.object, unsafe.Pointer(&o))
		if o.Components != nil || o.Services != nil {
			*(*cdx.ToolsChoice)(dst) = cdx.ToolsChoice{Components: o.Components, Services: o.Services}
		}
	default:
		d.bail()
	}
}

// identity decodes evidence.identity as EvidenceIdentityChoice.UnmarshalJSON
// does: an array of identities, or one.
func (d *streamDecoder) identity(dst unsafe.Pointer) {
	switch d.data[d.pos] {
	case '[':
		if dst == nil {
			d.value(identPlan.list, nil)
			return
		}
		list := new([]cdx.EvidenceIdentity)
		d.value(identPlan.list, unsafe.Pointer(list))
		(*cdx.EvidenceIdentityChoice)(dst).Identities = list
	case '{':
		if dst == nil {
			d.value(identPlan.one, nil)
			return
		}
		one := new(cdx.EvidenceIdentity)
		d.value(identPlan.one, unsafe.Pointer(one))
		(*cdx.EvidenceIdentityChoice)(dst).Identity = one
	default:
		d.bail()
	}
}

// object decodes an object into the struct of plan p at dst.
func (d *streamDecoder) object(p *plan, dst unsafe.Pointer) {
	d.enter()
	var seen uint64
	if d.next() == '}' {
		d.pos++
		d.depth--
		return
	}
	for {
		if d.next() != '"' {
			d.bail()
		}
		raw, key := d.key()
		if d.next() != ':' {
			d.bail()
		}
		d.pos++
		d.noteEmptyRef(raw)
		f := p.field(key)
		switch {
		case f != nil:
			bit := uint64(1) << f.index
			if seen&bit != 0 {
				d.bail() // encoding/json would merge the two
			}
			seen |= bit
			if f.hook != noHook && dst != nil {
				d.hooked(f, unsafe.Add(dst, f.off))
			} else if f.need && dst != nil {
				d.value(f.plan, unsafe.Add(dst, f.off))
			} else {
				d.value(f.plan, nil)
			}
		case d.folds(p, key):
			d.bail() // encoding/json matches it to a field regardless of case
		default:
			d.skip()
		}
		switch d.next() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return
		default:
			d.bail()
		}
	}
}

// field returns the field named key, or nil: among the few names of the
// key's length, which is cheaper than hashing the key.
func (p *plan) field(key []byte) *field {
	if len(key) >= len(p.byLen) {
		return nil
	}
	for _, f := range p.byLen[len(key)] {
		if f.name == string(key) {
			return f
		}
	}
	return nil
}

// folds reports whether key could name a field of p without regard to
// case. A key outside ASCII might fold to one (the Kelvin sign is a k):
// it is treated as if it did.
func (d *streamDecoder) folds(p *plan, key []byte) bool {
	d.folded = d.folded[:0]
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return true
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		d.folded = append(d.folded, c)
	}
	return p.folded[string(d.folded)]
}

// slice decodes an array into the slice of plan p at dst.
func (d *streamDecoder) slice(p *plan, dst unsafe.Pointer) {
	d.enter()
	if dst == nil {
		if d.next() == ']' {
			d.pos++
			d.depth--
			return
		}
		for {
			d.value(p.elem, nil)
			switch d.next() {
			case ',':
				d.pos++
			case ']':
				d.pos++
				d.depth--
				return
			default:
				d.bail()
			}
		}
	}
	if p.fill != nil {
		p.fill(d, p, dst)
		return
	}
	size := p.elem.typ.Size()
	var (
		buf  reflect.Value
		base unsafe.Pointer
		n    int
	)
	if d.next() != ']' {
		for {
			if !buf.IsValid() || n == buf.Len() {
				grown := reflect.MakeSlice(p.typ, max(1, 2*n), max(1, 2*n))
				if n > 0 {
					reflect.Copy(grown, buf)
				}
				buf, base = grown, grown.UnsafePointer()
			}
			d.value(p.elem, unsafe.Add(base, uintptr(n)*size))
			n++
			c := d.next()
			if c == ',' {
				d.pos++
				continue
			}
			if c != ']' {
				d.bail()
			}
			break
		}
	}
	d.pos++
	d.depth--
	if n == 0 {
		// encoding/json makes [] an empty slice, not nil.
		reflect.NewAt(p.typ, dst).Elem().Set(reflect.MakeSlice(p.typ, 0, 0))
		return
	}
	reflect.NewAt(p.typ, dst).Elem().Set(buf.Slice(0, n))
}

// fillSlice decodes the elements of an array, after its opening bracket,
// into the []E at dst.
func fillSlice[E any](d *streamDecoder, p *plan, dst unsafe.Pointer) {
	s := []E{} // encoding/json makes [] an empty slice, not nil
	if d.next() != ']' {
		var zero E
		if unsafe.Sizeof(zero) <= 32 {
			s = make([]E, 0, 2) // hashes, properties, refs: one to a few
		}
		for {
			if len(s) == cap(s) && cap(s) >= 256 {
				// Doubling, where append grows a long slice by a quarter
				// at a time: the list of components is the largest
				// allocation, and copied half as much this way.
				s = append(make([]E, 0, 2*cap(s)), s...)
			}
			s = append(s, zero)
			d.value(p.elem, unsafe.Pointer(&s[len(s)-1]))
			c := d.next()
			if c == ',' {
				d.pos++
				continue
			}
			if c != ']' {
				d.bail()
			}
			break
		}
	}
	d.pos++
	d.depth--
	*(*[]E)(dst) = s
}

// number decodes a number by p into dst, as encoding/json would: an
// integer kind takes only an integer in range, a float one any number in
// range.
func (d *streamDecoder) number(p *plan, dst unsafe.Pointer) {
	start := d.pos
	d.skipNumber()
	lit := string(d.data[start:d.pos])
	bitSize := p.typ.Bits()
	switch p.kind {
	case pInt:
		v, err := strconv.ParseInt(lit, 10, bitSize)
		if err != nil {
			d.bail()
		}
		if dst != nil {
			reflect.NewAt(p.typ, dst).Elem().SetInt(v)
		}
	case pUint:
		v, err := strconv.ParseUint(lit, 10, bitSize)
		if err != nil {
			d.bail()
		}
		if dst != nil {
			reflect.NewAt(p.typ, dst).Elem().SetUint(v)
		}
	default:
		v, err := strconv.ParseFloat(lit, bitSize)
		if err != nil {
			d.bail()
		}
		if dst != nil {
			reflect.NewAt(p.typ, dst).Elem().SetFloat(v)
		}
	}
}

// skip checks the syntax of the next value and moves past it.
func (d *streamDecoder) skip() {
	switch d.next() {
	case '"':
		d.skipString()
	case '{':
		d.enter()
		if d.next() == '}' {
			d.pos++
			d.depth--
			return
		}
		for {
			if d.next() != '"' {
				d.bail()
			}
			raw, _, _ := d.scanString()
			if d.next() != ':' {
				d.bail()
			}
			d.pos++
			d.noteEmptyRef(raw)
			d.skip()
			switch d.next() {
			case ',':
				d.pos++
			case '}':
				d.pos++
				d.depth--
				return
			default:
				d.bail()
			}
		}
	case '[':
		d.enter()
		if d.next() == ']' {
			d.pos++
			d.depth--
			return
		}
		for {
			d.skip()
			switch d.next() {
			case ',':
				d.pos++
			case ']':
				d.pos++
				d.depth--
				return
			default:
				d.bail()
			}
		}
	case 't':
		d.literal("true")
	case 'f':
		d.literal("false")
	case 'n':
		d.literal("null")
	default:
		d.skipNumber()
	}
}

// skipNumber moves past a number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *streamDecoder) skipNumber() {
	data, i := d.data, d.pos
	digits := func() {
		j := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		if i == j {
			d.bail()
		}
	}
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		digits()
	default:
		d.bail()
	}
	if i < len(data) && data[i] == '.' {
		i++
		digits()
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		digits()
	}
	d.pos = i
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special returns a mask with the high bit set in the lowest byte of w
// that is a quote, a backslash or a control character (below 0x20), if
// there is one; bits above it may be set too. The subtractions borrow
// upwards only from a byte that matched, so the lowest bit set is exact.
func special(w uint64) uint64 {
	quote := w ^ (lsb * '"')
	slash := w ^ (lsb * '\\')
	return ((quote-lsb)&^quote | (slash-lsb)&^slash | (w-lsb*0x20)&^w) & msb
}

// scanString moves past the string at the current position (on its
// opening quote) and returns its body, whether it has escapes and whether
// it is all ASCII. It checks the string's syntax.
func (d *streamDecoder) scanString() (body []byte, escaped, ascii bool) {
	data := d.data
	start := d.pos + 1
	i := start
	ascii = true
	for {
		// Eight bytes at a time up to the first byte that needs a look.
		for i+8 <= len(data) {
			w := binary.LittleEndian.Uint64(data[i:])
			m := special(w)
			if m == 0 {
				ascii = ascii && w&msb == 0
				i += 8
				continue
			}
			k := bits.TrailingZeros64(m) / 8
			if k > 0 {
				ascii = ascii && w&msb&(1<<(8*k)-1) == 0
				i += k
			}
			break
		}
		if i >= len(data) {
			d.bail()
		}
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return data[start:i], escaped, ascii
		case c == '\\':
			escaped = true
			if i+1 >= len(data) {
				d.bail()
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(data) || hex4(data[i+2:i+6]) < 0 {
					d.bail()
				}
				i += 6
			default:
				d.bail()
			}
		case c < 0x20:
			d.bail()
		default:
			if c >= utf8.RuneSelf {
				ascii = false
			}
			i++
		}
	}
}

func (d *streamDecoder) skipString() { d.scanString() }

// key returns the next object key as written and unescaped.
func (d *streamDecoder) key() (raw, key []byte) {
	body, escaped, _ := d.scanString()
	if escaped {
		return body, []byte(unquote(body))
	}
	return body, body
}

// noteEmptyRef records, after a key whose body as written is raw and its
// colon, whether the value is an empty string and the key one that
// hasEmptyRef(data, "\"bom-ref\"", ':') finds: in valid JSON that search
// can only match a key written bom-ref, or one ending in an escaped quote
// and bom-ref. The flag takes the place of that search over the input.
func (d *streamDecoder) noteEmptyRef(raw []byte) {
	const ref = "bom-ref"
	n := len(raw)
	if n < len(ref) || string(raw[n-len(ref):]) != ref || n > len(ref) && raw[n-len(ref)-1] != '"' {
		return
	}
	if d.next() == '"' && d.pos+1 < len(d.data) && d.data[d.pos+1] == '"' {
		d.emptyRef = true
	}
}

// str returns the next string value; intern keeps one copy of each
// distinct value.
func (d *streamDecoder) str(intern bool) string {
	body, escaped, ascii := d.scanString()
	if escaped || !ascii && !utf8.Valid(body) {
		return unquote(body)
	}
	if intern {
		if s, ok := d.strs[string(body)]; ok {
			return s
		}
		s := string(body)
		d.strs[s] = s
		return s
	}
	return d.copy(body)
}

// arenaChunk is the allocation that short strings are copied into.
const arenaChunk = 64 << 10

// copy returns b as a string. Short strings share larger allocations, so
// that a BOM's hundreds of thousands of names and versions cost a few
// hundred allocations; their bytes are never written again.
func (d *streamDecoder) copy(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > arenaChunk/16 {
		return string(b)
	}
	if len(d.arena)+len(b) > cap(d.arena) {
		d.arena = make([]byte, 0, arenaChunk)
	}
	n := len(d.arena)
	d.arena = append(d.arena, b...)
	return unsafe.String(&d.arena[n], len(b))
}

// hex4 decodes four hexadecimal digits, or returns -1.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// unquote decodes the body of a string whose syntax scanString checked,
// as encoding/json does: escapes are resolved, a surrogate that is not
// half of a pair and every byte that is not UTF-8 become U+FFFD.
func unquote(body []byte) string {
	b := make([]byte, 0, len(body)+8)
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '\\':
			e := body[i+1]
			i += 2
			switch e {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r := hex4(body[i:])
				i += 4
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+6 <= len(body) && body[i] == '\\' && body[i+1] == 'u' {
						r2 = hex4(body[i+2:])
					}
					if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
						b = utf8.AppendRune(b, dec)
						i += 6
						break
					}
					r = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, r)
			default: // '"', '\\', '/'
				b = append(b, e)
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, n := utf8.DecodeRune(body[i:])
			b = utf8.AppendRune(b, r)
			i += n
		}
	}
	return string(b)
}
