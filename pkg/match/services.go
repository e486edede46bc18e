package match

import (
	"path"
	"slices"
	"strings"

	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
)

// KindService is a service name (a Windows service, a systemd unit) that
// a component installs or runs.
const KindService EvidenceKind = "service"

// serviceKeys are property keys (normalised as by propertyKey) whose value
// is a service name: deep inspection's pedigree:service, MSI ServiceInstall
// names, and systemd unit names.
var serviceKeys = map[string]bool{
	"service": true, "servicename": true, "serviceinstall": true, "serviceinstallname": true,
	"unit": true, "systemdunit": true, "windowsservice": true,
}

// services matches a component's service names against the rules'
// services patterns: the name of a component of type service, properties
// that name a service or unit, and the base name of a *.service unit file
// among its locations, without the suffix. Patterns are globs compared
// without case.
func (c *collector) services(x *model.Component, prefix string) {
	if !c.e.hasServices() {
		return
	}
	for _, n := range serviceNames(x, prefix) {
		c.service(n.value, n.field, n.location)
	}
}

// hasServices reports whether any rule (or composite block) has services
// patterns, so that components are not examined for nothing.
func (e *Engine) hasServices() bool {
	for _, r := range e.rules {
		if len(r.Match.Services) > 0 || slices.ContainsFunc(r.All, func(b signature.Match) bool { return len(b.Services) > 0 }) {
			return true
		}
	}
	return false
}

// service matches one service name.
func (c *collector) service(value string, field at, location string) {
	name := strings.ToLower(strings.TrimSpace(value))
	if name == "" {
		return
	}
	for i, r := range c.e.rules {
		for _, p := range r.Match.Services {
			if ok, _ := path.Match(strings.ToLower(p), name); ok {
				c.add(i, KindService, field, value, location)
				break
			}
		}
	}
}
