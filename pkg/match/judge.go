package match

import (
	"fmt"
	"path"
	"strings"
	"unicode"

	"github.com/pedigree-sbom/pedigree/pkg/fold"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// This file holds the judgements the engine makes beyond the rules, on
// evidence that the rules alone would over-rate: a maker that is a person
// who bears the entity's name, and a component whose name shows that it
// integrates with the entity's software rather than being it.

// --- Persons ---

// personName reports whether a maker field names a person who bears one of
// the entity's names rather than the entity: a given name (and perhaps an
// initial or a middle name) before a surname that is the entity's name,
// with an e-mail address outside the entity's domains ("Alex Kaspersky
// <alex@example.org>"). Without an e-mail address the field could be the
// company ("Kaspersky Japan", a reseller's spelling) and it is not taken
// for a person; with one at a domain of the entity it is the entity's own
// staff, writing for the entity.
func (e *Engine) personName(entity, text, email string) bool {
	text, inner := splitAddress(text)
	if email == "" {
		email = inner
	}
	if email == "" || !strings.Contains(email, "@") || e.entityDomain(entity, email) {
		return false
	}
	words := fold.Words(text)
	if len(fold.Tokens(text)) != len(words) {
		return false // a legal form: a company
	}
	var name []string
	for _, w := range words {
		if copyrightWords[w] || isDigits(w) {
			continue
		}
		name = append(name, w)
	}
	if len(name) < 2 || len(name) > 3 {
		return false
	}
	ps := e.entityNames[entity]
	if ps == nil || !e.isEntity(entity, name[len(name)-1]) {
		return false
	}
	for i, w := range name[:len(name)-1] {
		if companyWords[w] || e.isEntity(entity, w) || !letters(w) || (i == 0 && len(w) < 2) {
			return false
		}
	}
	return true
}

// splitAddress separates "Name <user@host>" or "Name (user@host)" into the
// name and the address; a bracket without an address in it ("(c)") stays
// in the name.
func splitAddress(s string) (name, email string) {
	for i := 0; i < len(s); i++ {
		if s[i] != '<' && s[i] != '(' {
			continue
		}
		j := strings.IndexAny(s[i+1:], ">)")
		if j < 0 {
			break
		}
		if inner := s[i+1 : i+1+j]; strings.Contains(inner, "@") {
			return s[:i] + " " + s[i+1+j+1:], strings.TrimSpace(inner)
		}
	}
	if at := strings.LastIndexByte(s, ' '); at >= 0 && strings.Contains(s[at+1:], "@") {
		return s[:at], s[at+1:]
	}
	return s, ""
}

// entityDomain reports whether the host of an e-mail address or URL lies in
// a domain that a rule of the entity names.
func (e *Engine) entityDomain(entity, addr string) bool {
	host := hostOf(addr)
	for suffix := host; strings.Contains(suffix, "."); suffix = suffix[strings.IndexByte(suffix, '.')+1:] {
		for _, r := range e.domains[suffix] {
			if e.rules[r].Entity == entity {
				return true
			}
		}
	}
	return false
}

// copyrightWords are the words of a copyright line around the holder.
var copyrightWords = map[string]bool{"copyright": true, "c": true, "all": true, "rights": true, "reserved": true}

// companyWords are words that make a name a company's or a team's, not a
// person's: "Kaspersky Lab", "Team Kaspersky", "Kaspersky Security".
var companyWords = map[string]bool{
	"lab": true, "labs": true, "laboratory": true, "laboratories": true, "group": true, "team": true,
	"developers": true, "dev": true, "devs": true, "security": true, "software": true, "systems": true,
	"technologies": true, "technology": true, "tech": true, "international": true, "holding": true,
	"research": true, "antivirus": true, "anti": true, "virus": true, "center": true, "centre": true,
	"foundation": true, "project": true, "contributors": true, "authors": true, "community": true,
	"the": true, "and": true, "of": true, "for": true, "by": true, "from": true, "with": true,
	"powered": true, "official": true, "support": true, "os": true, "sdk": true,
}

func isDigits(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return w != ""
}

func letters(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return w != ""
}

// onlyPersons reports whether every piece of identity evidence names a
// person who bears the entity's name.
func onlyPersons(ev []Evidence) bool {
	n := 0
	for _, v := range identity(ev) {
		if !v.person {
			return false
		}
		n++
	}
	return n > 0
}

// --- Integrations ---

// integrationWords name software that talks to a product without
// containing it: an exporter of its metrics, a connector to its API.
// Plug-ins, add-ons and wrappers are not here: a "Kaspersky Anti-Spam
// plug-in" of a mail server carries the Anti-Spam SDK; they count only as
// "plugin for Kaspersky …".
var integrationWords = map[string]bool{
	"exporter": true, "exporters": true, "connector": true, "connectors": true, "integration": true,
	"integrations": true, "adapter": true, "adaptor": true, "bridge": true, "collector": true,
	"forwarder": true, "importer": true, "beat": true,
}

// integration reports whether a component whose only identity evidence is
// its name is, by that name, a third party's integration with the entity's
// software and not that software, and if so says why. It is one when
//
//   - the name puts the entity after "for" ("Prometheus exporter for
//     Kaspersky Security Center", "plugin for Kaspersky Anti-Virus");
//   - it has an integration word (exporter, connector, integration,
//     adapter, bridge, collector, forwarder, importer, beat) and either the component names a maker that is not the
//     entity, or the name does not begin with the entity's name; or
//   - it is one package-style word ("cloudflash-kaspersky") that ends with
//     the entity's name after another project's name.
//
// A component named after the entity and nothing else ("kaspersky-agent",
// "Kaspersky Standard", "Kaspersky ICAP Plug-in") is the entity's.
func (e *Engine) integration(entity string, x *model.Component, ev []Evidence) (string, bool) {
	ids := identity(ev)
	if len(ids) == 0 {
		return "", false
	}
	for _, v := range ids {
		if v.Kind != KindName {
			return "", false
		}
	}
	m := maker(x)
	if m != "" && e.isEntity(entity, m) {
		return "", false
	}
	name := x.Name
	words := fold.Words(name)
	first := -1 // the first word that is one of the entity's names
	for i, w := range words {
		if e.isEntity(entity, w) {
			first = i
			break
		}
	}
	for i, w := range words {
		if w == "for" && first > i {
			return fmt.Sprintf("its name %q puts %s after \"for\"", name, entity), true
		}
	}
	for _, w := range words {
		if integrationWords[w] && ((m != "" && !e.isEntity(entity, m)) || first != 0) {
			if m != "" {
				return fmt.Sprintf("its name %q says %q, and it is made by %s", name, w, m), true
			}
			return fmt.Sprintf("its name %q says %q and does not begin with %s", name, w, entity), true
		}
	}
	if first > 0 && first == len(words)-1 && !strings.ContainsAny(strings.TrimSpace(name), " \t") && words[first-1] != "by" {
		return fmt.Sprintf("its name %q is another project's name followed by %s", name, entity), true
	}
	return "", false
}

// --- Vendor binaries ---

// binaryFile reports whether an SPDX file is a shipped binary: a shared
// library, driver, executable or object file, by its SPDX file type or its
// extension.
func binaryFile(f *model.File) bool {
	for _, t := range f.Types {
		switch strings.ToUpper(t) {
		case "BINARY", "APPLICATION":
			return true
		}
	}
	base := strings.ToLower(path.Base(strings.ReplaceAll(f.Name, `\`, "/")))
	if i := strings.LastIndex(base, "!"); i >= 0 {
		base = base[i+1:]
	}
	switch path.Ext(base) {
	case ".so", ".dll", ".sys", ".exe", ".dylib", ".ko", ".ocx", ".drv", ".node", ".elf", ".o", ".a", ".lib", ".efi", ".bin", ".ppl":
		return true
	}
	return strings.Contains(base, ".so.") // libfoo.so.1.2
}

// soleHolder reports whether a copyright line names the entity and no
// one else: once the words of a copyright notice, years, legal forms and
// the entity's own name words are set aside, nothing is left but company
// words ("Copyright (c) 2019 AO Kaspersky Lab. All Rights Reserved.").
func (e *Engine) soleHolder(entity, text string) bool {
	if !e.isEntity(entity, text) {
		return false
	}
	for _, w := range fold.Tokens(text) {
		if copyrightWords[w] || isDigits(w) || companyWords[w] || e.isEntity(entity, w) {
			continue
		}
		return false
	}
	return true
}

// lowerPersons applies the person judgement to a finding.
func (e *Engine) lowerPersons(f *Finding, ev []Evidence) {
	if !onlyPersons(ev) || f.Severity.Rank() <= signature.Low.Rank() {
		return
	}
	var who string
	for _, v := range identity(ev) {
		who = v.Value
		break
	}
	f.Severity, f.WhiteLabel = signature.Low, false
	f.Notes = append(f.Notes, fmt.Sprintf("the maker %q is a person named %s, with an e-mail address outside %s's domains, not %s the company; severity lowered to low", who, f.Entity, f.Entity, f.Entity))
}

// lowerIntegrations applies the integration judgement to a finding.
func (e *Engine) lowerIntegrations(f *Finding, x *model.Component, ev []Evidence) {
	if f.Severity.Rank() <= signature.Low.Rank() {
		return
	}
	why, ok := e.integration(f.Entity, x, ev)
	if !ok {
		return
	}
	f.Severity, f.WhiteLabel = signature.Low, false
	f.Notes = append(f.Notes, fmt.Sprintf("an integration with %s software, not %s software: %s; severity lowered to low", f.Entity, f.Entity, why))
}
