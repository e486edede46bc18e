package recipe

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

func TestReader(t *testing.T) {
	for loc, want := range map[string]string{
		"Dockerfile": Docker, "build/Containerfile": Docker, "Dockerfile.prod": Docker, "api.dockerfile": Docker,
		"app/build.gradle": Gradle, "build.gradle.kts": Gradle, "gradle/libs.versions.toml": Catalog,
		"install.sh": Shell, "roles/x/tasks/main.yml": YAML, "kesl/init.sls": YAML, "chart/values.yaml": YAML,
		"cloud/user-data": YAML, "cookbooks/kesl/recipes/default.rb": Chef, "lib/app.rb": "",
		"manifests/kesl.pp": Puppet, "deploy/scanner.service": Systemd, "files/autoinstall.ini": Answers,
		"src/Main.java": Source, "image.tar!etc/Dockerfile": Docker, "README.md": "", "app.jar": "",
		"Dockerfile.tar.gz": "", "functions/public/Install-Av.ps1": PowerShell, "Tools.psm1": PowerShell,
		"deploy/install.cmd": Batch, "SETUP.BAT": Batch, "data/kes_win.kud": KSCPackage, "klnagent.kpd": KSCPackage,
		"kits.zip!pkg/kes_win.KUD": KSCPackage, ".kud": "", "kes_win.msi": "", "setup_kes.exe": "",
	} {
		if got := Reader(loc); got != want {
			t.Errorf("Reader(%q) = %q, want %q", loc, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	root := filepath.Join("..", "..", "fixtures", "recipes")
	n := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if Reader(rel) == "" || strings.HasSuffix(rel, "README.md") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		items := Parse(rel, data, nil)
		if msg := decl.Check(items, data); msg != "" {
			t.Errorf("%s: %s", rel, msg)
		}
		if len(items) == 0 && !strings.Contains(rel, "settings.gradle") && !strings.Contains(rel, ".gitignore") {
			t.Errorf("%s: nothing declared", rel)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Errorf("only %d fixture recipes read", n)
	}
}

func TestParseLimits(t *testing.T) {
	big := bytes.Repeat([]byte("RUN apt-get install -y kesl\n"), MaxBytes/20)
	if items := Parse("Dockerfile", big, nil); items != nil {
		t.Errorf("a file over MaxBytes was read: %d items", len(items))
	}
	many := []byte{}
	for i := 0; i < 2000; i++ {
		many = append(many, []byte("RUN apt-get install -y pkg"+strings.Repeat("x", i%50)+string(rune('a'+i%26))+"\n")...)
	}
	if items := Parse("Dockerfile", many, nil); len(items) > decl.MaxItems {
		t.Errorf("%d items, more than MaxItems", len(items))
	}
	if items := Parse("notes.txt", []byte("nothing here\n"), nil); items != nil {
		t.Errorf("a text file without answers declared %v", items)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("Dockerfile", []byte("FROM a\nRUN apt-get install -y kesl\n"))
	f.Add("x.yaml", []byte("image: a:1\napt: name=kesl\n"))
	f.Add("build.gradle", []byte("implementation 'a:b:1'\n"))
	f.Add("x.service", []byte("ExecStart=/x/kavhttpd\n"))
	f.Add("A.java", []byte("import com.kavsdk.KavSdk;\n"))
	f.Add("a.ini", []byte("EULA_AGREED=yes\nPRIVACY_POLICY_AGREED=yes\nUSE_KSN=no\n"))
	f.Add("x.ps1", []byte("Start-Process msiexec.exe -ArgumentList \"/i kes_win.msi EULA=1 PRIVACYPOLICY=1 KSN=1\"\n"))
	f.Add("x.cmd", []byte("setup_kes.exe /s /pEULA=1 /pPRIVACYPOLICY=1\r\n"))
	f.Add("x.kud", []byte("[Product]\nLocalizedName=Kaspersky Endpoint Security for Windows (12.7.0)\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if msg := decl.Check(Parse(name, data, nil), data); msg != "" {
			t.Fatal(msg)
		}
	})
}
