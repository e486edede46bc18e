package shell

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

func TestRead(t *testing.T) {
	for _, c := range []struct {
		line string
		want []string
	}{
		{"apt-get update && apt-get install -y --no-install-recommends kesl klnagent64=14.0.0-4646", []string{
			"L1 package kesl pkg:deb/kesl (test apt-get install)",
			"L1 package klnagent64@14.0.0-4646 pkg:deb/klnagent64@14.0.0-4646 (test apt-get install)"}},
		{"sudo DEBIAN_FRONTEND=noninteractive apt install -y ./kesl_12.0.0-6672_amd64.deb", []string{
			"L1 package kesl@12.0.0-6672 pkg:deb/kesl@12.0.0-6672 path=./kesl_12.0.0-6672_amd64.deb (test apt install)"}},
		{"dpkg -i /tmp/kesl_10.1.1-6421_amd64.deb", []string{
			"L1 package kesl@10.1.1-6421 pkg:deb/kesl@10.1.1-6421 path=/tmp/kesl_10.1.1-6421_amd64.deb (test dpkg -i)"}},
		{"dpkg -i /tmp/kesl_*.deb", []string{
			"L1 package kesl pkg:deb/kesl path=/tmp/kesl_*.deb (test dpkg -i)"}},
		{"rpm -ivh kesl-12.0.0-6672.x86_64.rpm", []string{
			"L1 package kesl@12.0.0-6672 pkg:rpm/kesl@12.0.0-6672 path=kesl-12.0.0-6672.x86_64.rpm (test rpm -i)"}},
		{"rpm -qa | grep kesl", nil},
		{"yum install -y kesl", []string{"L1 package kesl pkg:rpm/kesl (test yum install)"}},
		{"dnf --enablerepo=x install kesl-gui", []string{"L1 package kesl-gui pkg:rpm/kesl-gui (test dnf install)"}},
		{"zypper --non-interactive in kesl", []string{"L1 package kesl pkg:rpm/kesl (test zypper install)"}},
		{"apk add --no-cache curl=8.5.0-r0", []string{"L1 package curl@8.5.0-r0 pkg:apk/curl@8.5.0-r0 (test apk add)"}},
		{"pip install --no-cache-dir -r requirements.txt KlAkOAPI==1.0.0", []string{
			"L1 package KlAkOAPI@1.0.0 pkg:pypi/klakoapi@1.0.0 (test pip install)"}},
		{"python3 -m pip install requests", []string{"L1 package requests pkg:pypi/requests (test pip install)"}},
		{"npm install --save @kaspersky/hexa-ui@1.2.0 left-pad", []string{
			"L1 package @kaspersky/hexa-ui@1.2.0 pkg:npm/%40kaspersky/hexa-ui@1.2.0 (test npm install)",
			"L1 package left-pad pkg:npm/left-pad (test npm install)"}},
		{"/opt/kaspersky/kesl/bin/kesl-setup.pl --autoinstall=/tmp/kesl.ini", []string{
			"L1 binary kesl-setup.pl path=/opt/kaspersky/kesl/bin/kesl-setup.pl (test run)"}},
		{"perl kesl-setup.pl --autoinstall", []string{"L1 binary kesl-setup.pl (test perl)"}},
		{"sh ./akinstall.sh", []string{"L1 binary akinstall.sh path=./akinstall.sh (test sh)"}},
		{"tar -xzf Kaspersky_ScanEngine-Linux-x86_64-2.1.0.1234.tar.gz -C /opt/kaspersky", []string{
			"L1 kit Kaspersky_ScanEngine-Linux-x86_64-2.1.0.1234.tar.gz path=Kaspersky_ScanEngine-Linux-x86_64-2.1.0.1234.tar.gz (test tar)"}},
		{"wget -q https://dl.example.com/kesl_12_amd64.deb", []string{
			"L1 kit kesl_12_amd64.deb path=https://dl.example.com/kesl_12_amd64.deb (test wget)"}},
		{`echo "apt-get install kesl" > notes.txt`, nil},
		{"apt-get install -y $PACKAGES ${EXTRA}", nil},
		{"$INSTALLER --quiet", nil},
		{"ls -l; rm -rf /var/lib/apt/lists/*", nil},
	} {
		var l decl.List
		Read(c.line, 1, "test", &l)
		if got := decl.Strings(l.Items); !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("%s:\n got  %q\n want %q", c.line, got, c.want)
		}
	}
}

func TestCommands(t *testing.T) {
	got := Commands(`a 'b c' "d \"e\"" f\ g && h|i; (j)`)
	want := [][]string{{"a", "b c", `d "e"`, "f g"}, {"h"}, {"i"}, {"j"}}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("command %d: got %q, want %q", i, got[i], want[i])
		}
	}
}

func TestParseScript(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "recipes", "kesl-script", "install-agents.sh"))
	if err != nil {
		t.Fatal(err)
	}
	got := decl.Strings(Parse(data))
	want := []string{
		"L10 package klnagent64@14.0.0-4646 pkg:deb/klnagent64@14.0.0-4646 path=/tmp/klnagent64_14.0.0-4646_amd64.deb (shell dpkg -i)",
		"L11 binary postinstall.pl path=/opt/kaspersky/klnagent64/lib/bin/setup/postinstall.pl (shell run)",
		"L19 package kesl@12.0.0-6672 pkg:deb/kesl@12.0.0-6672 path=/tmp/kesl_12.0.0-6672_amd64.deb (shell apt-get install)",
		"L20 binary kesl-setup.pl path=/opt/kaspersky/kesl/bin/kesl-setup.pl (shell run)",
		"L15 package kesl (KESL autoinstall answer file (EULA_AGREED, PRIVACY_POLICY_AGREED, USE_KSN))",
		"L6 package klnagent (Network Agent autoinstall answers (KLNAGENT_SERVER))",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestAnswersNeedAllKeys(t *testing.T) {
	var l decl.List
	Answers([]byte("EULA_AGREED=yes\nUSE_KSN=no\n"), &l)
	Answers([]byte("KLNAGENT_SERVER=x\n"), &l)
	if len(l.Items) != 0 {
		t.Errorf("partial answer files read: %v", l.Items)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("apt-get install -y kesl && dpkg -i /tmp/x_1_amd64.deb\n"))
	f.Add([]byte("cat <<EOF\nEULA_AGREED=yes\nEOF\n'unterminated \"x \\"))
	if data, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "recipes", "kesl-script", "install-agents.sh")); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if msg := decl.Check(Parse(data), data); msg != "" {
			t.Fatal(msg)
		}
	})
}
