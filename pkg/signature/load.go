package signature

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pedigree-sbom/pedigree/pkg/fserr"
	"github.com/pedigree-sbom/pedigree/pkg/yamlerr"
)

// Set is the rules in force after loading every pack and applying
// overrides, sorted by id.
type Set struct {
	Rules []*Rule
	// Packs are the packs loaded, in load order.
	Packs []*Pack
	// Digest is "sha256:" and the hash of every pack's file name and bytes
	// in load order, so a report can say exactly which rules produced it.
	Digest string
}

// Version is the packs' distinct versions in load order joined by "+":
// "2026.11.1" for the embedded packs, "2026.11.1+1" with a local pack of
// version 1. The digest says exactly which files were loaded.
func (s *Set) Version() string {
	var parts []string
	for _, p := range s.Packs {
		if !slices.Contains(parts, p.Version) {
			parts = append(parts, p.Version)
		}
	}
	return strings.Join(parts, "+")
}

// Rule returns the rule with the id, or nil.
func (s *Set) Rule(id string) *Rule {
	i := sort.Search(len(s.Rules), func(i int) bool { return s.Rules[i].ID >= id })
	if i < len(s.Rules) && s.Rules[i].ID == id {
		return s.Rules[i]
	}
	return nil
}

// Layer is the packs of one source (the embedded packs, or one
// --signatures path). Within a layer rule ids are unique; a later layer
// replaces or disables rules of earlier layers by id.
type Layer []*Pack

// NewSet merges layers into a Set. Duplicate ids within one layer are
// errors naming both places.
func NewSet(layers ...Layer) (*Set, error) {
	byID := map[string]*Rule{}
	h := sha256.New()
	set := &Set{}
	var errs []error
	for _, layer := range layers {
		seen := map[string]*Rule{}
		for _, p := range layer {
			set.Packs = append(set.Packs, p)
			fmt.Fprintf(h, "%s\x00%d\x00", p.File, len(p.raw))
			h.Write(p.raw)
			for i := range p.Rules {
				r := &p.Rules[i]
				if prev, ok := seen[r.ID]; ok {
					errs = append(errs, fmt.Errorf("%s: duplicate rule id %s (first defined at %s)", r.Source, r.ID, prev.Source))
					continue
				}
				seen[r.ID] = r
				if r.Disabled {
					delete(byID, r.ID)
					continue
				}
				byID[r.ID] = r
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, r := range byID {
		set.Rules = append(set.Rules, r)
	}
	sort.Slice(set.Rules, func(i, j int) bool { return set.Rules[i].ID < set.Rules[j].ID })
	set.Digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	return set, nil
}

// LoadFS reads every *.yaml and *.yml file at the top of fsys, in name
// order. label is put in front of file names in errors and reports.
func LoadFS(fsys fs.FS, label string) (Layer, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read signatures %s: %w", label, err)
	}
	var (
		layer Layer
		errs  []error
	)
	for _, e := range entries {
		if e.IsDir() || !isRuleFile(e.Name()) {
			continue
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			errs = append(errs, fmt.Errorf("read %s: %w", path.Join(label, e.Name()), err))
			continue
		}
		p, err := Parse(path.Join(label, e.Name()), data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		layer = append(layer, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(layer) == 0 {
		return nil, fmt.Errorf("%s: no rule files (*.yaml) found", label)
	}
	return layer, nil
}

// LoadPath reads a rule file, or every rule file of a directory.
func LoadPath(p string) (Layer, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("signatures %s: %w", p, fserr.Cause(err))
	}
	if st.IsDir() {
		return LoadFS(os.DirFS(p), filepath.ToSlash(p))
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("signatures %s: %w", p, fserr.Cause(err))
	}
	pk, err := Parse(filepath.ToSlash(p), data)
	if err != nil {
		return nil, err
	}
	return Layer{pk}, nil
}

func isRuleFile(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// maxFileBytes bounds a rule file; the whole Kaspersky pack is a few dozen
// kilobytes.
const maxFileBytes = 4 << 20

// Parse decodes and validates one rule file. name is used in errors
// ("name:line: problem"); every problem found is reported, joined.
func Parse(name string, data []byte) (*Pack, error) {
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("%s: rule file is %d bytes, over the %d-byte limit", name, len(data), maxFileBytes)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlerr.Wrap(name, err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: empty rule file", name)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var (
		p    Pack
		errs []error
	)
	if err := dec.Decode(&p); err != nil {
		// Unknown fields stop the strict decoder; decode again leniently so
		// that the other problems of the file are reported in the same run.
		errs = append(errs, yamlerr.Wrap(name, err))
		p = Pack{}
		if err := root.Content[0].Decode(&p); err != nil {
			return nil, errors.Join(errs...)
		}
	}
	p.File = name
	p.raw = data
	lines := ruleNodes(root.Content[0])
	for i := range p.Rules {
		line := 0
		if i < len(lines) {
			line = lines[i].Line
		}
		p.Rules[i].Source = fmt.Sprintf("%s:%d", name, line)
	}
	errs = append(errs, validatePack(&p, root.Content[0], lines)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &p, nil
}

// ruleNodes returns the mapping nodes of the "rules" list.
func ruleNodes(doc *yaml.Node) []*yaml.Node {
	n := child(doc, "rules")
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// child returns the value node of key in a mapping node, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
