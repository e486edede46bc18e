package walk

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
)

// shieldManifest is the manifest of an app, com.example.shield, that
// declares a service of the Kaspersky SDK.
func shieldManifest() archivetest.Element {
	a := func(name, value string) archivetest.Attr {
		return archivetest.Attr{Name: name, Value: value, Android: true}
	}
	return archivetest.Element{Name: "manifest", Attrs: []archivetest.Attr{
		{Name: "versionCode", Value: "42", Android: true, Int: true}, a("versionName", "3.1.4"), {Name: "package", Value: "com.example.shield"},
	}, Kids: []archivetest.Element{
		{Name: "uses-permission", Attrs: []archivetest.Attr{a("name", "android.permission.INTERNET")}},
		{Name: "application", Attrs: []archivetest.Attr{a("label", "Shield & Co <\"5\">")}, Kids: []archivetest.Element{
			{Name: "service", Attrs: []archivetest.Attr{a("name", "com.kavsdk.antivirus.SdkService"), {Name: "exported", Value: "false", Android: true}}},
		}},
	}}
}

const shieldText = `<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" android:versionCode="42" android:versionName="3.1.4" package="com.example.shield">
  <uses-permission android:name="android.permission.INTERNET"/>
  <application android:label="Shield &amp; Co &lt;&#34;5&#34;&gt;">
    <service android:name="com.kavsdk.antivirus.SdkService" android:exported="false"/>
  </application>
</manifest>
`

func TestAXML(t *testing.T) {
	for _, c := range []struct {
		name string
		opts archivetest.AXMLOptions
	}{
		{"UTF-16", archivetest.AXMLOptions{}},
		{"UTF-8", archivetest.AXMLOptions{UTF8: true}},
		{"names stripped", archivetest.AXMLOptions{StripNames: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := archivetest.AXML(shieldManifest(), c.opts)
			text, err := decodeAXML(data, 1<<20)
			if err != nil || string(text) != shieldText {
				t.Fatalf("%v\n%s", err, text)
			}
			wellFormed(t, text)
		})
	}
}

// TestAXMLUnused: strings of the pool that no element uses are written
// too, in a comment that stays a comment.
func TestAXMLUnused(t *testing.T) {
	data := archivetest.AXML(shieldManifest(), archivetest.AXMLOptions{Unused: []string{"com.kavsdk.hidden.Thing", "a --- b-", "\x01ctl"}})
	text, err := decodeAXML(data, 1<<20)
	want := shieldText + "<!-- strings not used by the elements:\ncom.kavsdk.hidden.Thing\na - - - b-\n\uFFFDctl\n-->\n"
	if err != nil || string(text) != want {
		t.Fatalf("%v\n%s", err, text)
	}
	wellFormed(t, text)
}

// wellFormed fails unless text is well-formed XML.
func wellFormed(t *testing.T, text []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(text))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
	}
}

// TestAXMLWalk: in an APK, AndroidManifest.xml reaches the content pass as
// text; another file of that name, or a broken one, as its bytes.
func TestAXMLWalk(t *testing.T) {
	manifest := archivetest.AXML(shieldManifest(), archivetest.AXMLOptions{})
	broken := bytes.Clone(manifest[:len(manifest)-10])
	binary.LittleEndian.PutUint32(broken[4:], uint32(len(broken)))
	apk := archivetest.Zip(t,
		entry{Name: "AndroidManifest.xml", Data: manifest},
		entry{Name: "res/layout/main.xml", Data: manifest},
		entry{Name: "assets/broken/AndroidManifest.xml", Data: broken},
		entry{Name: "classes.dex", Data: []byte("dex\n035\x00")},
	)
	files, rep := walkMem(t, "shield.apk", apk, Limits{})
	if f := find(files, "shield.apk!AndroidManifest.xml"); f == nil || f.Data != shieldText || f.Size != int64(len(shieldText)) {
		t.Errorf("manifest: %+v", f)
	}
	if f := find(files, "shield.apk!res/layout/main.xml"); f == nil || f.Data != string(manifest) {
		t.Errorf("layout: %+v", f)
	}
	if f := find(files, "shield.apk!assets/broken/AndroidManifest.xml"); f == nil || f.Data != string(broken) {
		t.Errorf("broken: %+v", f)
	}
	wantWarning(t, rep, "shield.apk!assets/broken/AndroidManifest.xml: Android binary XML not decoded: ")
	if len(rep.Warnings) != 1 {
		t.Errorf("warnings %q", rep.Warnings)
	}
	wantGaps(t, rep)
}

// TestAXMLCorrupt: every truncation and every byte flipped of a manifest
// decodes or fails, never panics, and what decodes is well-formed.
func TestAXMLCorrupt(t *testing.T) {
	for _, opts := range []archivetest.AXMLOptions{{}, {UTF8: true}} {
		data := archivetest.AXML(shieldManifest(), opts)
		for n := range len(data) {
			if _, err := decodeAXML(data[:n], 1<<20); err == nil {
				t.Errorf("%d bytes of %d decoded", n, len(data))
			}
		}
		for i := range data {
			for _, x := range []byte{0x01, 0x80, 0xff} {
				b := bytes.Clone(data)
				b[i] ^= x
				if text, err := decodeAXML(b, 1<<20); err == nil {
					wellFormed(t, text)
				}
			}
		}
	}
}

// TestAXMLBomb: a string referenced by many attributes cannot make the
// text grow beyond the limit.
func TestAXMLBomb(t *testing.T) {
	long := strings.Repeat("x", 30000) // the longest a UTF-8 pool string can be is 0x7fff bytes
	bomb := func(n int) []byte {
		var attrs []archivetest.Attr
		for i := range n {
			attrs = append(attrs, archivetest.Attr{Name: fmt.Sprintf("a%d", i), Value: long})
		}
		return archivetest.AXML(archivetest.Element{Name: "manifest", Attrs: attrs}, archivetest.AXMLOptions{UTF8: true})
	}
	data := bomb(2000) // 60 MB of text from 100 KB
	limit := axmlLimit(len(data), DefaultMaxFileBytes)
	if _, err := decodeAXML(data, limit); err == nil || !strings.Contains(err.Error(), " over ") {
		t.Errorf("%d bytes decoded from %d: %v", 2000*len(long), len(data), err)
	}
	// Within the limit, the text is written.
	text, err := decodeAXML(bomb(20), 20*len(long)+1<<20)
	if err != nil || len(text) < 20*len(long) {
		t.Errorf("%d bytes, %v", len(text), err)
	}
}

// FuzzAXML: decodeAXML on any bytes ends, never panics, keeps to its
// limit, and writes well-formed XML.
func FuzzAXML(f *testing.F) {
	f.Add(archivetest.AXML(shieldManifest(), archivetest.AXMLOptions{}))
	f.Add(archivetest.AXML(shieldManifest(), archivetest.AXMLOptions{UTF8: true}))
	f.Add(archivetest.AXML(shieldManifest(), archivetest.AXMLOptions{StripNames: true}))
	f.Add(archivetest.AXML(shieldManifest(), archivetest.AXMLOptions{UTF8: true, Unused: []string{"x--y-", "com.kavsdk.x"}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		limit := axmlLimit(len(data), 1<<20)
		text, err := decodeAXML(data, limit)
		if err != nil {
			return
		}
		if len(text) > limit {
			t.Errorf("%d bytes of text, limit %d", len(text), limit)
		}
		wellFormed(t, text)
	})
}
