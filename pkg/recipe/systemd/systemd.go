// Package systemd reads systemd unit files (and SysV-style service
// definitions written as units) for the programs a service runs:
// ExecStart, ExecStartPre, ExecStartPost, ExecReload and ExecStop. A
// vendor daemon's unit (ExecStart=/opt/kaspersky/ScanEngine/bin/kavhttpd)
// declares that the daemon is installed where the unit is.
package systemd

import (
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/shell"
)

// Parse reads a unit file.
func Parse(data []byte) []decl.Item {
	if len(data) > decl.MaxBytes {
		data = data[:decl.MaxBytes]
	}
	var l decl.List
	for _, ln := range decl.Joined(data) {
		t := strings.TrimSpace(ln.Text)
		if t == "" || t[0] == '#' || t[0] == ';' || t[0] == '[' {
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		switch k {
		case "ExecStart", "ExecStartPre", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost", "ExecCondition":
		default:
			continue
		}
		// Prefixes: @ - : + ! !! change how the command runs.
		v = strings.TrimLeft(strings.TrimSpace(v), "@-:+!")
		cmds := shell.Commands(v)
		if len(cmds) == 0 {
			continue
		}
		words := cmds[0]
		p := ""
		if strings.Contains(words[0], "/") {
			p = words[0]
		}
		if strings.Contains(words[0], "$") {
			continue
		}
		l.Add(decl.Item{Kind: decl.Binary, Name: decl.Base(words[0]), Path: p, Line: ln.N, By: "systemd " + k})
		// A shell the unit starts runs a script: read it as one.
		if b := decl.Base(words[0]); (b == "sh" || b == "bash") && len(words) >= 3 && words[1] == "-c" {
			shell.Read(words[2], ln.N, "systemd "+k, &l)
		}
	}
	return l.Items
}
