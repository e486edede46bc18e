// Package cm reads configuration-management recipes for the packages they
// install and the commands they run: Ansible tasks (apt, yum, dnf,
// package, zypper, apk, pip, npm modules; command, shell, raw), Salt
// states (pkg.installed, pkg.latest with pkgs, sources or the state id;
// cmd.run), cloud-init (packages, runcmd), Chef recipes (package,
// *_package, execute) and Puppet manifests (package, exec). Commands go
// through pkg/recipe/shell. Templates and variables are never expanded:
// a value that holds one is left out.
package cm

import (
	"bytes"
	"path"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/shell"
)

const maxDepth = 64

// ecosystems are the package modules and states, by the type of package
// they install ("" when the tool picks).
var ecosystems = map[string]string{
	"apt": "deb", "yum": "rpm", "dnf": "rpm", "zypper": "rpm", "apk": "apk", "package": "",
	"pip": "pypi", "npm": "npm", "pkg.installed": "", "pkg.latest": "",
}

var commandModules = map[string]bool{"command": true, "shell": true, "raw": true, "cmd.run": true, "cmd.script": true,
	"run": true, "script": true, "before_script": true}

// lineLists are keys whose list items are command lines of their own (CI
// jobs), not one argument vector.
var lineLists = map[string]bool{"script": true, "before_script": true, "run": true, "shell": true}

// module is an Ansible module name without its collection
// ("ansible.builtin.apt" gives "apt").
func module(k string) string {
	for _, p := range []string{"ansible.builtin.", "ansible.legacy.", "community.general."} {
		if m, ok := strings.CutPrefix(k, p); ok {
			return m
		}
	}
	return k
}

// Parse reads a YAML recipe: Ansible, Salt or cloud-init.
func Parse(data []byte) []decl.Item {
	if len(data) > decl.MaxBytes {
		return nil
	}
	return ParseDocuments(data, decl.YAMLDocuments(data))
}

// ParseDocuments reads a YAML recipe whose documents decl.YAMLDocuments
// decoded from data.
func ParseDocuments(data []byte, docs []*yaml.Node) []decl.Item {
	var l decl.List
	cloud := bytes.HasPrefix(data, []byte("#cloud-config"))
	for _, root := range docs {
		if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
			root = root.Content[0]
		}
		if cloud && root.Kind == yaml.MappingNode {
			cloudInit(root, &l)
		}
		walk(root, "", 0, &l)
	}
	// Answers declares something only for a key USE_KSN or KLNAGENT_SERVER.
	if bytes.Contains(data, []byte("USE_KSN")) || bytes.Contains(data, []byte("KLNAGENT_")) {
		shell.Answers(data, &l)
	}
	return l.Items
}

func walk(n *yaml.Node, parentKey string, depth int, l *decl.List) {
	if n == nil || depth > maxDepth || len(l.Items) >= decl.MaxItems || n.Kind == yaml.AliasNode {
		return
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := module(k.Value)
			if typ, ok := ecosystems[key]; ok {
				packages(key, typ, v, n, parentKey, l)
			}
			if commandModules[key] {
				command(key, v, l)
			}
			// Salt's short form: "kesl: pkg.installed".
			if v.Kind == yaml.ScalarNode && (v.Value == "pkg.installed" || v.Value == "pkg.latest") {
				shell.Package(k.Value, "", v.Line, "salt "+v.Value, l)
			}
			// A package or kit downloaded from a URL held in a variable or
			// a download task ("kaspersky_url: https://…/kav4fs_8.0.4-312_i386.deb"
			// in an Ansible role's defaults, get_url's url:). The package
			// modules' own fields were read above.
			if v.Kind == yaml.ScalarNode && !packageFields[k.Value] {
				if u, ok := downloaded(v.Value); ok {
					shell.Package(u, "", v.Line, "yaml url "+k.Value, l)
				}
			}
			walk(v, k.Value, depth+1, l)
		}
		return
	}
	for _, c := range n.Content {
		walk(c, parentKey, depth+1, l)
	}
}

// packages reads a package module's or state's value. task is the
// mapping that holds it (for Ansible loops), stateID the key above it
// (Salt's state id, the package when the state names none).
func packages(key, typ string, v, task *yaml.Node, stateID string, l *decl.List) {
	salt := strings.HasPrefix(key, "pkg.")
	by := "ansible " + key
	if salt {
		by = "salt " + key
	}
	named := false
	add := func(s string, line int) {
		named = true
		if strings.Contains(s, "{{") {
			for _, item := range loopItems(task) {
				shell.Package(item.Value, typ, item.Line, by+" loop", l)
			}
			return
		}
		for _, p := range strings.Split(s, ",") {
			shell.Package(strings.TrimSpace(p), typ, line, by, l)
		}
	}
	switch v.Kind {
	case yaml.ScalarNode:
		if salt {
			break
		}
		// name=kesl state=present
		for _, f := range strings.Fields(v.Value) {
			if k, val, ok := strings.Cut(f, "="); ok && (k == "name" || k == "pkg" || k == "deb") {
				add(val, v.Line)
			}
		}
	case yaml.MappingNode:
		fields(v, add)
	case yaml.SequenceNode:
		// Salt: a list of one-key maps.
		for _, c := range v.Content {
			if c.Kind == yaml.MappingNode {
				fields(c, add)
			}
		}
	}
	if salt && !named && stateID != "" {
		shell.Package(stateID, typ, v.Line, by, l)
	}
}

// packageFields are the keys fields reads.
var packageFields = map[string]bool{"name": true, "pkg": true, "pkgs": true, "deb": true, "sources": true}

// downloaded returns, without its query, an http, https or ftp URL that
// names a package or kit file.
func downloaded(s string) (string, bool) {
	s = strings.TrimSpace(s)
	low := strings.ToLower(s)
	if !strings.HasPrefix(low, "http://") && !strings.HasPrefix(low, "https://") && !strings.HasPrefix(low, "ftp://") {
		return "", false
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if f := path.Base(s); strings.Contains(f, "{{") || !decl.KitExt(f) {
		return "", false
	}
	return s, true
}

// fields reads name, pkg, pkgs, deb and sources from a mapping.
func fields(m *yaml.Node, add func(string, int)) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i].Value, m.Content[i+1]
		switch k {
		case "name", "pkg", "pkgs", "deb":
			scalars(v, add)
		case "sources":
			// Salt: - sources: [{kesl: salt://kesl_12_amd64.deb}]
			for _, s := range v.Content {
				if s.Kind == yaml.MappingNode {
					for j := 1; j < len(s.Content); j += 2 {
						if f := s.Content[j].Value; decl.KitExt(f) {
							add(f, s.Content[j].Line)
						} else {
							add(s.Content[j-1].Value, s.Content[j-1].Line)
						}
					}
				}
			}
		}
	}
}

func scalars(v *yaml.Node, add func(string, int)) {
	switch v.Kind {
	case yaml.ScalarNode:
		add(v.Value, v.Line)
	case yaml.SequenceNode:
		for _, c := range v.Content {
			if c.Kind == yaml.ScalarNode {
				add(c.Value, c.Line)
			} else if c.Kind == yaml.MappingNode && len(c.Content) >= 2 {
				// Salt: - kesl: 12.0.0 (name: version)
				add(c.Content[0].Value, c.Content[0].Line)
			}
		}
	}
}

// loopItems are the items of an Ansible task's loop or with_items.
func loopItems(task *yaml.Node) []*yaml.Node {
	if task == nil {
		return nil
	}
	for i := 0; i+1 < len(task.Content); i += 2 {
		switch task.Content[i].Value {
		case "loop", "with_items", "with_list":
			var out []*yaml.Node
			for _, c := range task.Content[i+1].Content {
				if c.Kind == yaml.ScalarNode {
					out = append(out, c)
				}
			}
			return out
		}
	}
	return nil
}

// command reads a command module's or cmd.run's value.
func command(key string, v *yaml.Node, l *decl.List) {
	by := "ansible " + key
	if strings.HasPrefix(key, "cmd.") {
		by = "salt " + key
	}
	read := func(s string, line int) {
		if !strings.Contains(s, "{{") {
			shell.Read(s, line, by, l)
		}
	}
	if v.Kind == yaml.SequenceNode && lineLists[key] {
		for _, c := range v.Content {
			if c.Kind == yaml.ScalarNode {
				read(c.Value, c.Line)
			}
		}
		return
	}
	if v.Kind == yaml.SequenceNode && len(v.Content) > 0 && v.Content[0].Kind == yaml.ScalarNode {
		// An argument vector (a Kubernetes container's command).
		var words []string
		for _, c := range v.Content {
			if c.Kind == yaml.ScalarNode && !strings.Contains(c.Value, "{{") {
				words = append(words, c.Value)
			}
		}
		shell.Command(words, v.Line, "yaml "+key, l)
		return
	}
	switch v.Kind {
	case yaml.ScalarNode:
		read(v.Value, v.Line)
	case yaml.MappingNode, yaml.SequenceNode:
		var visit func(n *yaml.Node, depth int)
		visit = func(n *yaml.Node, depth int) {
			if depth > 3 {
				return
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Kind == yaml.MappingNode && (n.Content[i].Value == "cmd" || n.Content[i].Value == "name") && n.Content[i+1].Kind == yaml.ScalarNode {
					read(n.Content[i+1].Value, n.Content[i+1].Line)
				}
			}
			if n.Kind == yaml.SequenceNode {
				for _, c := range n.Content {
					visit(c, depth+1)
				}
			}
		}
		visit(v, 0)
	}
}

// cloudInit reads cloud-config's packages and runcmd.
func cloudInit(root *yaml.Node, l *decl.List) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i].Value, root.Content[i+1]
		switch k {
		case "packages":
			for _, c := range v.Content {
				switch c.Kind {
				case yaml.ScalarNode:
					shell.Package(c.Value, "", c.Line, "cloud-init packages", l)
				case yaml.SequenceNode:
					if len(c.Content) >= 1 {
						name := c.Content[0].Value
						if len(c.Content) >= 2 {
							name += "=" + c.Content[1].Value
						}
						shell.Package(name, "", c.Line, "cloud-init packages", l)
					}
				}
			}
		case "runcmd", "bootcmd":
			for _, c := range v.Content {
				switch c.Kind {
				case yaml.ScalarNode:
					shell.Read(c.Value, c.Line, "cloud-init "+k, l)
				case yaml.SequenceNode:
					var words []string
					for _, w := range c.Content {
						words = append(words, w.Value)
					}
					shell.Command(words, c.Line, "cloud-init "+k, l)
				}
			}
		}
	}
}

var (
	rbPackage   = regexp.MustCompile(`^\s*(?:(apt|yum|dnf|dpkg|rpm|zypper|apk)_)?package\s*\(?\s*(.*)$`)
	rbSource    = regexp.MustCompile(`^\s*source\s+['"]([^'"]+)['"]`)
	rbExecute   = regexp.MustCompile(`^\s*(?:execute|command)\s*\(?\s*['"]([^'"]+)['"]`)
	ppPackage   = regexp.MustCompile(`^\s*package\s*\{\s*(.*?):`)
	ppSource    = regexp.MustCompile(`^\s*source\s*=>\s*['"]([^'"]+)['"]`)
	ppCommand   = regexp.MustCompile(`^\s*command\s*=>\s*['"]([^'"]+)['"]`)
	quotedWords = regexp.MustCompile(`['"]([^'"\s]{1,200})['"]`)
	percentW    = regexp.MustCompile(`%w[\(\[{]([^\)\]}]*)[\)\]}]`)
)

// ParseChef reads a Chef recipe (Ruby): package 'kesl', package
// %w(kesl klnagent64), dpkg_package ... source '/tmp/kesl.deb', execute
// 'command'.
func ParseChef(data []byte) []decl.Item {
	if len(data) > decl.MaxBytes {
		return nil
	}
	var l decl.List
	for _, ln := range decl.Lines(data) {
		t := ln.Text
		if strings.HasPrefix(strings.TrimSpace(t), "#") {
			continue
		}
		if m := rbPackage.FindStringSubmatch(t); m != nil {
			typ := map[string]string{"apt": "deb", "dpkg": "deb", "yum": "rpm", "dnf": "rpm", "rpm": "rpm", "zypper": "rpm", "apk": "apk"}[m[1]]
			by := "chef " + strings.TrimPrefix(m[1]+"_package", "_")
			rest := m[2]
			if w := percentW.FindStringSubmatch(rest); w != nil {
				for _, f := range strings.Fields(w[1]) {
					shell.Package(f, typ, ln.N, by, &l)
				}
			} else {
				for _, q := range quotedWords.FindAllStringSubmatch(rest, -1) {
					if strings.Contains(q[1], "#{") {
						continue
					}
					shell.Package(q[1], typ, ln.N, by, &l)
				}
			}
		}
		if m := rbSource.FindStringSubmatch(t); m != nil && decl.KitExt(m[1]) {
			shell.Package(m[1], "", ln.N, "chef source", &l)
		}
		if m := rbExecute.FindStringSubmatch(t); m != nil && !strings.Contains(m[1], "#{") {
			shell.Read(m[1], ln.N, "chef execute", &l)
		}
	}
	return l.Items
}

// ParsePuppet reads a Puppet manifest: package { 'kesl': ... },
// package { ['kesl', 'klnagent64']: }, source => '/tmp/kesl.deb',
// exec { ...: command => '...' }.
func ParsePuppet(data []byte) []decl.Item {
	if len(data) > decl.MaxBytes {
		return nil
	}
	var l decl.List
	for _, ln := range decl.Lines(data) {
		t := ln.Text
		if strings.HasPrefix(strings.TrimSpace(t), "#") {
			continue
		}
		if m := ppPackage.FindStringSubmatch(t); m != nil {
			for _, q := range quotedWords.FindAllStringSubmatch(m[1], -1) {
				if !strings.Contains(q[1], "$") {
					shell.Package(q[1], "", ln.N, "puppet package", &l)
				}
			}
		}
		if m := ppSource.FindStringSubmatch(t); m != nil && decl.KitExt(m[1]) {
			shell.Package(m[1], "", ln.N, "puppet source", &l)
		}
		if m := ppCommand.FindStringSubmatch(t); m != nil && !strings.Contains(m[1], "$") {
			shell.Read(m[1], ln.N, "puppet exec", &l)
		}
	}
	return l.Items
}
