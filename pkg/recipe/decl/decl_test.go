package decl

import (
	"strings"
	"testing"
)

func TestPackageFiles(t *testing.T) {
	for _, c := range []struct{ file, name, version string }{
		{"kesl_10.1.1-6421_amd64.deb", "kesl", "10.1.1-6421"},
		{"/tmp/klnagent64_14.0.0-4646_amd64.deb", "klnagent64", "14.0.0-4646"},
		{"https://example.com/dl/kav4fs_8.0.4-312_i386.deb?x=1", "kav4fs", "8.0.4-312"},
		{"kesl-12.0.0-6672.x86_64.rpm", "kesl", "12.0.0-6672"},
		{"klnagent64-14.0.0-4646.x86_64.rpm", "klnagent64", "14.0.0-4646"},
		{"kesl-gui-12.0.0-6672.x86_64.rpm", "kesl-gui", "12.0.0-6672"},
		{"tool.rpm", "tool", ""},
	} {
		n, v, ok := DebFile(c.file)
		if !ok {
			n, v, ok = RPMFile(c.file)
		}
		if !ok || n != c.name || v != c.version {
			t.Errorf("%s: got %q %q %v, want %q %q", c.file, n, v, ok, c.name, c.version)
		}
	}
	if _, _, ok := DebFile("x.rpm"); ok {
		t.Error("x.rpm read as a deb")
	}
	if _, _, ok := DebFile("_1.0_amd64.deb"); ok {
		t.Error("a deb without a name accepted")
	}
}

func TestPURL(t *testing.T) {
	for _, c := range []struct{ typ, ns, name, version, want string }{
		{"deb", "", "kesl", "10.1.1-6421", "pkg:deb/kesl@10.1.1-6421"},
		{"maven", "com.kavsdk", "kavsdk", "5.13", "pkg:maven/com.kavsdk/kavsdk@5.13"},
		{"npm", "@kaspersky", "hexa-ui", "", "pkg:npm/%40kaspersky/hexa-ui"},
		{"docker", "kaspersky/x", "scanengine", "2.1", "pkg:docker/kaspersky/x/scanengine@2.1"},
		{"deb", "", "", "1", ""},
	} {
		if got := PURL(c.typ, c.ns, c.name, c.version); got != c.want {
			t.Errorf("PURL(%q,%q,%q,%q) = %q, want %q", c.typ, c.ns, c.name, c.version, got, c.want)
		}
	}
}

func TestLines(t *testing.T) {
	got := Joined([]byte("RUN a \\\r\n  b\nCMD c\n"))
	if len(got) != 2 || got[0].N != 1 || got[0].Text != "RUN a    b" || got[1].N != 3 || got[1].Text != "CMD c" {
		t.Errorf("Joined: %+v", got)
	}
	long := strings.Repeat("x", MaxLine*2)
	if l := Lines([]byte(long)); len(l) != 1 || len(l[0].Text) != MaxLine {
		t.Errorf("a long line is not cut at MaxLine")
	}
	cont := strings.Repeat(strings.Repeat("y", 1000)+"\\\n", 200)
	if l := Joined([]byte(cont)); len(l) != 1 || len(l[0].Text) > MaxLogical {
		t.Errorf("a joined line is not cut at MaxLogical: %d", len(l[0].Text))
	}
}

func TestList(t *testing.T) {
	var l List
	for i := 0; i < MaxItems+10; i++ {
		l.Add(Item{Kind: Package, Name: strings.Repeat("a", i%600+1), Line: 1})
	}
	if len(l.Items) > MaxItems {
		t.Errorf("%d items", len(l.Items))
	}
	l = List{}
	l.Add(Item{Kind: Package, Name: "x", Line: 1})
	l.Add(Item{Kind: Package, Name: "x", Line: 1})
	l.Add(Item{Kind: Package, Name: " ", Line: 1})
	if len(l.Items) != 1 {
		t.Errorf("duplicates or empty names kept: %v", l.Items)
	}
}

func TestKitExt(t *testing.T) {
	for name, want := range map[string]bool{
		"Kaspersky_ScanEngine-Linux-x86_64-2.1.0.tar.gz": true, "x.deb": true, "lib.aar": true,
		"kavhttpd.xml": false, ".tar.gz": false, "README": false,
	} {
		if KitExt(name) != want {
			t.Errorf("KitExt(%q) = %v", name, !want)
		}
	}
}
