package cm

import (
	"slices"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/recipetest"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// fixture reads fixtures/recipes/PARTS...
var fixture = recipetest.Fixture

func check(t *testing.T, name string, got []decl.Item, want []string) {
	t.Helper()
	if s := decl.Strings(got); !slices.Equal(s, want) && len(s)+len(want) > 0 {
		t.Errorf("%s:\n got  %q\n want %q", name, s, want)
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name string
		data string
		want []string
	}{
		{"ansible role", string(fixture(t, "ansible-kesl", "roles", "kesl", "tasks", "main.yml")), []string{
			"L5 package kesl pkg:deb/kesl (ansible apt)",
			"L6 package klnagent64 pkg:deb/klnagent64 (ansible apt)",
			"L16 binary kesl-setup.pl path=/opt/kaspersky/kesl/bin/kesl-setup.pl (ansible command run)",
		}},
		{"salt state", string(fixture(t, "salt-kesl", "kesl", "init.sls")), []string{
			"L4 package kesl (salt pkg.installed)",
			"L5 package klnagent64 (salt pkg.installed)",
			"L12 binary kesl-setup.pl path=/opt/kaspersky/kesl/bin/kesl-setup.pl (salt cmd.run run)",
		}},
		{"cloud-init", string(fixture(t, "cloud-init", "user-data")), []string{
			"L3 package curl (cloud-init packages)",
			"L4 package kesl@12.0.0-6672 (cloud-init packages)",
			"L6 package klnagent64@14.0.0-4646 pkg:deb/klnagent64@14.0.0-4646 path=/tmp/klnagent64_14.0.0-4646_amd64.deb (cloud-init runcmd dpkg -i)",
			"L7 binary kesl-setup.pl path=/opt/kaspersky/kesl/bin/kesl-setup.pl (cloud-init runcmd run)",
		}},
		{"ansible forms", `- apt: name=kesl,klnagent64 state=present
- yum:
    name: /tmp/kesl-12.0.0-6672.x86_64.rpm
- package:
    name: "{{ item }}"
  loop:
    - kesl
    - kesl-gui
- apt:
    deb: https://dl.example.com/kesl_12.0.0-6672_amd64.deb
- pip:
    name: KlAkOAPI
- shell: "{{ installer }} --quiet"
- ansible.builtin.shell: |
    apt-get install -y kav4fs
- get_url:
    url: https://dl.example.com/klnagent64_14.0.0-4646_amd64.deb?sig=1
    dest: /tmp/agent.deb
- vars:
    kav_url: "https://products.s.kaspersky-labs.com/multilanguage/file_servers/kavlinuxserver8.0/kav4fs_8.0.4-312_i386.deb"
    docs_url: https://example.com/guide.html
    templated: "https://example.com/{{ file }}"
`, []string{
			"L1 package kesl pkg:deb/kesl (ansible apt)",
			"L1 package klnagent64 pkg:deb/klnagent64 (ansible apt)",
			"L3 package kesl@12.0.0-6672 pkg:rpm/kesl@12.0.0-6672 path=/tmp/kesl-12.0.0-6672.x86_64.rpm (ansible yum)",
			"L7 package kesl (ansible package loop)",
			"L8 package kesl-gui (ansible package loop)",
			"L10 package kesl@12.0.0-6672 pkg:deb/kesl@12.0.0-6672 path=https://dl.example.com/kesl_12.0.0-6672_amd64.deb (ansible apt)",
			"L12 package KlAkOAPI pkg:pypi/klakoapi (ansible pip)",
			"L14 package kav4fs pkg:deb/kav4fs (ansible shell apt-get install)",
			// Seen in quarkslab/irma's Ansible role defaults: the package is
			// named only by the URL a variable holds.
			"L17 package klnagent64@14.0.0-4646 pkg:deb/klnagent64@14.0.0-4646 path=https://dl.example.com/klnagent64_14.0.0-4646_amd64.deb (yaml url url)",
			"L20 package kav4fs@8.0.4-312 pkg:deb/kav4fs@8.0.4-312 path=https://products.s.kaspersky-labs.com/multilanguage/file_servers/kavlinuxserver8.0/kav4fs_8.0.4-312_i386.deb (yaml url kav_url)",
		}},
		{"salt forms", `kesl: pkg.installed
klnagent64:
  pkg.latest: []
kesl-from-file:
  pkg.installed:
    - sources:
      - kesl: salt://kesl/kesl_12.0.0-6672_amd64.deb
`, []string{
			"L1 package kesl (salt pkg.installed)",
			"L3 package klnagent64 (salt pkg.latest)",
			"L7 package kesl@12.0.0-6672 pkg:deb/kesl@12.0.0-6672 path=salt://kesl/kesl_12.0.0-6672_amd64.deb (salt pkg.installed)",
		}},
		{"not yaml", "{{ if .Values.x }}\n: : :\n", nil},
		{"answers in yaml", "content: |\n  EULA_AGREED=yes\n  PRIVACY_POLICY_AGREED=yes\n  USE_KSN=no\n", []string{
			"L3 package kesl (KESL autoinstall answer file (EULA_AGREED, PRIVACY_POLICY_AGREED, USE_KSN))"}},
	} {
		check(t, c.name, Parse([]byte(c.data)), c.want)
	}
}

func TestParseChefPuppet(t *testing.T) {
	check(t, "chef", ParseChef(fixture(t, "chef-puppet", "cookbooks", "kesl", "recipes", "default.rb")), []string{
		"L2 package perl (chef package)",
		"L2 package klnagent64 (chef package)",
		"L4 package kesl pkg:deb/kesl (chef dpkg_package)",
		"L5 package kesl@12.0.0-6672 pkg:deb/kesl@12.0.0-6672 path=/var/cache/kesl/kesl_12.0.0-6672_amd64.deb (chef source)",
		"L10 binary kesl-setup.pl path=/opt/kaspersky/kesl/bin/kesl-setup.pl (chef execute run)",
	})
	check(t, "puppet", ParsePuppet(fixture(t, "chef-puppet", "manifests", "kesl.pp")), []string{
		"L2 package kesl (puppet package)",
		"L2 package klnagent64 (puppet package)",
		"L6 binary kesl-setup.pl path=/opt/kaspersky/kesl/bin/kesl-setup.pl (puppet exec run)",
	})
}

func FuzzParse(f *testing.F) {
	f.Add(fixture(f, "ansible-kesl", "roles", "kesl", "tasks", "main.yml"), 0)
	f.Add(fixture(f, "salt-kesl", "kesl", "init.sls"), 0)
	f.Add(fixture(f, "cloud-init", "user-data"), 0)
	f.Add(fixture(f, "chef-puppet", "cookbooks", "kesl", "recipes", "default.rb"), 1)
	f.Add(fixture(f, "chef-puppet", "manifests", "kesl.pp"), 2)
	f.Add([]byte("a: &x [*x]\nb: *x\n"), 0)
	f.Fuzz(func(t *testing.T, data []byte, kind int) {
		var items []decl.Item
		switch kind % 3 {
		case 0:
			items = Parse(data)
		case 1:
			items = ParseChef(data)
		default:
			items = ParsePuppet(data)
		}
		if msg := decl.Check(items, data); msg != "" {
			t.Fatal(msg)
		}
	})
}
