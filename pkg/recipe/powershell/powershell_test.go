package powershell

import (
	"slices"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// The cases are written for these tests, after patterns seen in public
// repositories (named in comments); none is a copy of a third-party file.
func TestParse(t *testing.T) {
	for _, c := range []struct {
		name   string
		script string
		want   []string
	}{
		{
			// Seen in JJ-VP/winutil-derventio-old
			// functions/public/Invoke-WPFInstallKaspersky.ps1: the kit is
			// fetched with Invoke-WebRequest from a $url, then msiexec is
			// started through Start-Process with one argument string that
			// quotes the msi with backticks and sets KES's properties.
			"winutil-style KES install",
			"function Install-Av {\n" +
				"  $dir = \"$env:USERPROFILE\\.av\"\n" +
				"  $url = \"https://example.org/files/raw/main/data/kes_win.msi\"\n" +
				"  Invoke-WebRequest -Uri $url -OutFile \"$dir\\kes_win.msi\"\n" +
				"  Write-Host \"Installing kes_win.msi...\"\n" +
				"  Start-Process msiexec.exe -Wait -ArgumentList \"/i `\"$dir\\kes_win.msi`\" EULA=1 PRIVACYPOLICY=1 KSN=1 ALLOWREBOOT=0 /qn\"\n" +
				"}\n",
			[]string{
				"L3 kit kes_win.msi path=https://example.org/files/raw/main/data/kes_win.msi (powershell url)",
				"L4 kit kes_win.msi path=$dir\\kes_win.msi (powershell Invoke-WebRequest)",
				"L6 kit kes_win.msi path=$dir\\kes_win.msi (powershell msiexec /i)",
				"L6 binary msiexec.exe (powershell run)",
				"L6 package Kaspersky Endpoint Security for Windows (powershell msiexec.exe answer properties of Kaspersky Endpoint Security (EULA=1 PRIVACYPOLICY=1 KSN=1))",
			},
		},
		{
			// The documented form, as an argument array and with -FilePath.
			"Start-Process with -FilePath and an array",
			"Start-Process -FilePath 'msiexec.exe' -ArgumentList '/i', 'C:\\Deploy\\kes_win.msi', 'EULA=1', 'PRIVACYPOLICY=1', '/qn' -Wait\n",
			[]string{
				"L1 kit kes_win.msi path=C:\\Deploy\\kes_win.msi (powershell msiexec /i)",
				"L1 binary msiexec.exe (powershell run)",
				"L1 package Kaspersky Endpoint Security for Windows (powershell msiexec.exe answer properties of Kaspersky Endpoint Security (EULA=1 PRIVACYPOLICY=1))",
			},
		},
		{
			// setup_kes.exe's /p properties, through the call operator.
			"call operator, setup_kes.exe",
			"& \"C:\\Kits\\KES 12\\setup_kes.exe\" /s /pEULA=1 /pPRIVACYPOLICY=1 /pKSN=0\n",
			[]string{
				"L1 binary setup_kes.exe path=C:\\Kits\\KES 12\\setup_kes.exe (powershell run)",
				"L1 package Kaspersky Endpoint Security for Windows (powershell setup_kes.exe answer properties of Kaspersky Endpoint Security (/pEULA=1 /pPRIVACYPOLICY=1 /pKSN=0))",
			},
		},
		{
			// Seen in dtgm/chocolatey-packages
			// automatic/kvrt/tools/chocolateyInstall.ps1 (as packaged: the
			// URL filled in): the Virus Removal Tool is fetched from
			// Kaspersky's devbuilds host by a Chocolatey helper; the
			// helper's package name is a variable.
			"chocolatey kvrt",
			"$packageName = 'kvrt'\n" +
				"$url = 'http://devbuilds.kaspersky-labs.com/devbuilds/KVRT/latest/full/KVRT.exe'\n" +
				"Get-ChocolateyWebFile -PackageName \"$packageName\" `\n" +
				"  -FileFullPath \"$installFile\" `\n" +
				"  -Url \"$url\"\n" +
				"'start %~dp0\\kvrt.exe -accepteula' | Out-File -FilePath $batchStart -Encoding ASCII\n",
			[]string{
				"L2 kit KVRT.exe path=http://devbuilds.kaspersky-labs.com/devbuilds/KVRT/latest/full/KVRT.exe (powershell url)",
			},
		},
		{
			"chocolatey helper with a written package name",
			"Install-ChocolateyPackage 'kvrt' 'exe' '-silent' 'https://devbuilds.kaspersky-labs.com/devbuilds/KVRT/latest/full/KVRT.exe'\n",
			[]string{
				"L1 kit KVRT.exe path=https://devbuilds.kaspersky-labs.com/devbuilds/KVRT/latest/full/KVRT.exe (powershell Install-ChocolateyPackage)",
				"L1 package kvrt (powershell Install-ChocolateyPackage)",
			},
		},
		{
			// choco and winget lines as in workstation set-up scripts.
			"package managers",
			"choco install kaspersky -y\nchoco install 7zip.install --version 23.1.0 -y\n" +
				"winget install --id Kaspersky.KasperskyInternetSecurity -e --silent\nwinget install -e --id=Microsoft.PowerToys\n" +
				"scoop install extras/vlc\n",
			[]string{
				"L1 package kaspersky (powershell choco install)",
				"L2 package 7zip.install@23.1.0 (powershell choco install)",
				"L3 package Kaspersky.KasperskyInternetSecurity pkg:winget/Kaspersky.KasperskyInternetSecurity (powershell winget install)",
				"L4 package Microsoft.PowerToys pkg:winget/Microsoft.PowerToys (powershell winget install)",
				"L5 package vlc (powershell scoop install)",
			},
		},
		{
			"downloads",
			"Start-BitsTransfer -Source https://dl.example.com/agent/klnagent_w.msi -Destination C:\\tmp\n" +
				"(New-Object Net.WebClient).DownloadFile('https://dl.example.com/kits/setup_kes.exe', \"$env:TEMP\\setup_kes.exe\")\n" +
				"curl.exe -L -o kvrt.exe https://devbuilds.kaspersky-labs.com/devbuilds/KVRT/latest/full/KVRT.exe\n",
			[]string{
				"L1 kit klnagent_w.msi path=https://dl.example.com/agent/klnagent_w.msi (powershell Start-BitsTransfer)",
				"L2 kit setup_kes.exe path=https://dl.example.com/kits/setup_kes.exe (powershell New-Object)",
				"L2 kit setup_kes.exe path=$env:TEMP\\setup_kes.exe (powershell New-Object)",
				"L3 kit KVRT.exe path=https://devbuilds.kaspersky-labs.com/devbuilds/KVRT/latest/full/KVRT.exe (powershell curl.exe)",
				"L3 binary curl.exe (powershell run)",
				"L3 kit kvrt.exe path=kvrt.exe (powershell curl.exe)",
			},
		},
		{
			// Network Agent's documented msiexec properties.
			"Network Agent",
			"cmd /c 'msiexec /i \"C:\\ksc\\Kaspersky Network Agent.msi\" /qn SERVERADDRESS=ksc.example.local EULA=1'\n",
			[]string{
				"L1 kit Kaspersky Network Agent.msi path=C:\\ksc\\Kaspersky Network Agent.msi (powershell msiexec /i)",
				"L1 package Kaspersky Security Center Network Agent (powershell msiexec answer properties of Network Agent (SERVERADDRESS=ksc.example.local EULA=1))",
			},
		},
		// Benign: another vendor's msi with EULA=1 (and even a privacy
		// property), 7-Zip, a comment and a message naming Kaspersky.
		{
			"another vendor's msi",
			"Start-Process msiexec.exe -Wait -ArgumentList '/i C:\\tmp\\AcmeAgent.msi EULA=1 PRIVACYPOLICY=1 SERVERADDRESS=x /qn'\n",
			[]string{
				"L1 kit AcmeAgent.msi path=C:\\tmp\\AcmeAgent.msi (powershell msiexec /i)",
				"L1 binary msiexec.exe (powershell run)",
			},
		},
		{
			"comments and messages",
			"# Install Kaspersky: msiexec /i kes_win.msi EULA=1 PRIVACYPOLICY=1 KSN=1\n" +
				"<#\n  setup_kes.exe /pEULA=1 /pPRIVACYPOLICY=1\n#>\n" +
				"Write-Host 'Remove Kaspersky first: msiexec /i kes_win.msi EULA=1 PRIVACYPOLICY=1 KSN=1'\n" +
				"$text = @\"\nmsiexec /i kes_win.msi EULA=1 PRIVACYPOLICY=1 KSN=1\n\"@\n" +
				"msiexec /x kes_win.msi /qn\n",
			nil, // and msiexec /x uninstalls
		},
		{
			// The installer's directory is a variable, its name is not.
			"setup_kes.exe under a variable",
			"& \"$env:TEMP\\setup_kes.exe\" /s /pEULA=1 /pPRIVACYPOLICY=1\n",
			[]string{
				"L1 binary setup_kes.exe path=$env:TEMP\\setup_kes.exe (powershell run)",
				"L1 package Kaspersky Endpoint Security for Windows (powershell setup_kes.exe answer properties of Kaspersky Endpoint Security (/pEULA=1 /pPRIVACYPOLICY=1))",
			},
		},
		{
			"variables are not expanded",
			"& $installer /s /pEULA=1 /pPRIVACYPOLICY=1\nStart-Process $msi\nmsiexec /i \"$env:TEMP\\$name.msi\" /qn\n",
			nil,
		},
	} {
		got := decl.Strings(Parse([]byte(c.script)))
		if !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("%s:\n got  %q\n want %q", c.name, got, c.want)
		}
	}
}

func TestParseBatch(t *testing.T) {
	for _, c := range []struct {
		name   string
		script string
		want   []string
	}{
		{
			// KES's documented silent install from a deployment share.
			"msiexec and setup_kes.exe",
			"@echo off\r\nREM install KES silently\r\n" +
				"msiexec /i \"%~dp0kes_win.msi\" EULA=1 PRIVACYPOLICY=1 /qn\r\n" +
				"if exist \"%~dp0setup_kes.exe\" start \"\" /wait \"\\\\srv\\kits\\setup_kes.exe\" /s /pEULA=1 /pPRIVACYPOLICY=1 /pKSN=1\r\n",
			[]string{
				"L3 kit kes_win.msi path=%~dp0kes_win.msi (batch msiexec /i)",
				"L3 package Kaspersky Endpoint Security for Windows (batch msiexec answer properties of Kaspersky Endpoint Security (EULA=1 PRIVACYPOLICY=1))",
				"L4 binary setup_kes.exe path=\\\\srv\\kits\\setup_kes.exe (batch run)",
				"L4 package Kaspersky Endpoint Security for Windows (batch setup_kes.exe answer properties of Kaspersky Endpoint Security (/pEULA=1 /pPRIVACYPOLICY=1 /pKSN=1))",
			},
		},
		{
			// A menu of antivirus choices in a workstation set-up script.
			"choco menu",
			"set /p choice=\"Enter your choice: \"\n" +
				"if \"%choice%\"==\"3\" choco install kaspersky -y\n" +
				"if /i \"%choice%\" EQU \"4\" choco install 7zip -y\n" +
				":: choco install kvrt\n",
			[]string{
				"L2 package kaspersky (batch choco install)",
				"L3 package 7zip (batch choco install)",
			},
		},
		{
			"download and Network Agent",
			"set URL=https://dl.example.com/kits/klnagent_w.msi\n" +
				"bitsadmin /transfer job /download /priority normal https://dl.example.com/kits/kes_win.msi C:\\tmp\\kes_win.msi\n" +
				"msiexec /i klnagent_w.msi /qn SERVERADDRESS=ksc.example.local EULA=1 ^\n  SERVERPORT=14000 > nul 2>&1\n",
			[]string{
				"L1 kit klnagent_w.msi path=https://dl.example.com/kits/klnagent_w.msi (batch url)",
				"L2 kit kes_win.msi path=https://dl.example.com/kits/kes_win.msi (batch bitsadmin)",
				"L2 kit kes_win.msi path=C:\\tmp\\kes_win.msi (batch bitsadmin)",
				"L3 kit klnagent_w.msi path=klnagent_w.msi (batch msiexec /i)",
				"L3 package Kaspersky Security Center Network Agent (batch msiexec answer properties of Network Agent (SERVERADDRESS=ksc.example.local EULA=1))",
			},
		},
		{
			"setup_kes.exe beside the script",
			"\"%~dp0setup_kes.exe\" /s /pEULA=1 /pPRIVACYPOLICY=1\r\n%INSTALLER% /s /pEULA=1 /pPRIVACYPOLICY=1\r\n",
			[]string{
				"L1 binary setup_kes.exe (batch run)",
				"L1 package Kaspersky Endpoint Security for Windows (batch setup_kes.exe answer properties of Kaspersky Endpoint Security (/pEULA=1 /pPRIVACYPOLICY=1))",
			},
		},
		{
			"benign",
			"msiexec /i AcmeAgent.msi EULA=1 /qn\necho msiexec /i kes_win.msi EULA=1 PRIVACYPOLICY=1 KSN=1\nrem setup_kes.exe /pEULA=1 /pPRIVACYPOLICY=1\n",
			[]string{"L1 kit AcmeAgent.msi path=AcmeAgent.msi (batch msiexec /i)"},
		},
	} {
		got := decl.Strings(ParseBatch([]byte(c.script)))
		if !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("%s:\n got  %q\n want %q", c.name, got, c.want)
		}
	}
}

func TestCommands(t *testing.T) {
	got := psCommands("Start-Process x.exe -ArgumentList @('/a', \"b `\"c`\"\", 'it''s') ; & 'C:\\p q\\y.exe' # note")
	want := [][]string{{"Start-Process", "x.exe", "-ArgumentList", "/a", `b "c"`, "it's"}, {"&", `C:\p q\y.exe`}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		var ws []string
		for _, w := range got[i] {
			ws = append(ws, w.s)
		}
		if !slices.Equal(ws, want[i]) {
			t.Errorf("command %d: got %q, want %q", i, ws, want[i])
		}
	}
	got = cmdCommands(`msiexec /i "C:\a b\x.msi" EQ^&UALS=1 > log.txt && echo (done)`)
	if len(got) != 3 || len(got[0]) != 4 || got[0][2].s != `C:\a b\x.msi` || got[0][3].s != "EQ&UALS=1" {
		t.Errorf("got %v", got)
	}
}

func TestBounds(t *testing.T) {
	long := "choco install " + strings.Repeat("pkg ", decl.MaxLogical)
	if items := Parse([]byte(long)); len(items) > decl.MaxItems {
		t.Errorf("%d items", len(items))
	}
	deep := strings.Repeat("cmd /c ", 100) + "msiexec /i kes_win.msi EULA=1 PRIVACYPOLICY=1"
	if items := ParseBatch([]byte(deep)); len(items) != 0 {
		t.Errorf("nesting beyond maxDepth read: %v", items)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(false, []byte("Start-Process msiexec.exe -Wait -ArgumentList \"/i `\"$d\\kes_win.msi`\" EULA=1 PRIVACYPOLICY=1 KSN=1 /qn\"\n"))
	f.Add(false, []byte("<# a\n#> $url = 'https://x/y/KVRT.exe'\n@\"\nz\n\"@\n& 'a b\\setup_kes.exe' /pEULA=1 /pPRIVACYPOLICY=1 `\n /s\n"))
	f.Add(false, []byte("winget install --id=Kaspersky.Kaspersky; choco install kaspersky --version=1 -y | scoop install a/b@1\n'unterminated \"x `"))
	f.Add(true, []byte("@echo off\r\nif \"%a%\"==\"1\" start \"\" /wait msiexec /i \"Kaspersky Network Agent.msi\" SERVERADDRESS=s EULA=1 ^\r\n /qn\r\n"))
	f.Add(true, []byte("cmd /c \"setup_kes.exe /s /pEULA=1 /pPRIVACYPOLICY=1 /pKSN=1\" > nul 2>&1 & for %%f in (*.msi) do msiexec /i %%f\n\"unterminated ^"))
	f.Fuzz(func(t *testing.T, batch bool, data []byte) {
		var items []decl.Item
		if batch {
			items = ParseBatch(data)
		} else {
			items = Parse(data)
		}
		if msg := decl.Check(items, data); msg != "" {
			t.Fatal(msg)
		}
	})
}

func TestAssignedCommands(t *testing.T) {
	got := decl.Strings(Parse([]byte("$p = Start-Process -FilePath msiexec -ArgumentList '/i kes_win.msi EULA=1 PRIVACYPOLICY=1 /qn' -PassThru\n" +
		"$r = & ${env:COMSPEC} /C $cmd 2>&1\n$x=choco install kaspersky\n$n = 'setup_kes.exe'\n")))
	want := []string{
		"L1 kit kes_win.msi path=kes_win.msi (powershell msiexec /i)",
		"L1 package Kaspersky Endpoint Security for Windows (powershell msiexec answer properties of Kaspersky Endpoint Security (EULA=1 PRIVACYPOLICY=1))",
		"L3 package kaspersky (powershell choco install)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
