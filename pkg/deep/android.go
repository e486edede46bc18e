package deep

import (
	"bytes"
	"encoding/xml"
	"strings"
)

// Android manifests. pkg/walk hands the content pass an APK's
// AndroidManifest.xml as text XML (decoded from Android binary XML); an
// AAR's is text already, an app bundle's a protocol buffer whose strings
// are plain UTF-8. The components a manifest declares (services,
// receivers, providers, activities) and its permissions are dotted Java
// names, which the Java package patterns (class paths, "com/kavsdk/") do
// not find: in a manifest only, every dotted name is read and matched
// against the signatures' Java packages, in plain and UTF-16LE text (a
// binary manifest that did not decode). The app's identity (its package,
// versionName and versionCode) is read from the manifest element of text
// XML.

// androidManifestName is the name of the files read as manifests.
const androidManifestName = "AndroidManifest.xml"

// Limits of what a manifest can contribute.
const (
	maxDottedName    = 512 // longer runs of name characters are not names
	maxIdentityValue = 200 // longer identity values are cut
	maxManifestToks  = 64  // XML tokens read before the manifest element
)

// androidManifest reads what the manifest data say into f: the Java
// names under a signature's package, and the app's identity.
func (in *Inspector) androidManifest(f *Facts, data []byte) {
	dottedNames(data, func(name string) {
		if in.eng.MatchesJavaPackage(name) {
			f.Classes = addFact(f.Classes, name)
		}
	})
	if id := androidIdentity(data); len(id) > 0 {
		f.Android = id
	}
}

// javaNameByte accepts the bytes of a dotted Java name.
func javaNameByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '$' || b == '.'
}

// dottedNames calls fn with every run of Java name characters in data that
// has a dot inside it, in plain text and in UTF-16LE text.
func dottedNames(data []byte, fn func(string)) {
	emit := func(run []byte) {
		run = bytes.Trim(run, ".")
		if len(run) >= 4 && len(run) <= maxDottedName && bytes.IndexByte(run, '.') > 0 {
			fn(string(run))
		}
	}
	for i := 0; i < len(data); {
		j := i
		for j < len(data) && javaNameByte(data[j]) {
			j++
		}
		if j > i {
			emit(data[i:j])
			i = j
		} else {
			i++
		}
	}
	var run []byte
	for i := 0; i+1 < len(data); {
		j := i
		run = run[:0]
		for j+1 < len(data) && data[j+1] == 0 && javaNameByte(data[j]) {
			if len(run) <= maxDottedName { // past it, the run is read on but not kept
				run = append(run, data[j])
			}
			j += 2
		}
		if j > i {
			emit(run)
			i = j
		} else {
			i++
		}
	}
}

// androidIdentity reads the package, versionName and versionCode of the
// manifest element of text XML, or nil.
func androidIdentity(data []byte) map[string]string {
	head := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if !bytes.HasPrefix(head, []byte("<")) {
		return nil
	}
	d := xml.NewDecoder(bytes.NewReader(head))
	d.Strict = false
	for range maxManifestToks {
		tok, err := d.RawToken()
		if err != nil {
			return nil
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if el.Name.Local != "manifest" {
			return nil
		}
		id := map[string]string{}
		for _, a := range el.Attr {
			switch a.Name.Local {
			case "package", "versionName", "versionCode":
				if v := strings.TrimSpace(a.Value); v != "" {
					if len(v) > maxIdentityValue {
						v = strings.ToValidUTF8(v[:maxIdentityValue], "")
					}
					id[a.Name.Local] = v
				}
			}
		}
		return id
	}
	return nil
}

// android records the identity of an Android manifest on the app: the
// archive that holds the manifest (an APK, an AAR), or the manifest itself
// outside any, as properties "pedigree:android:package",
// "pedigree:android:versionName" and "pedigree:android:versionCode"; the
// versionName is its version when it has none.
func (a *Assembler) android(f *Facts) {
	target := f.Location
	if container, ok := parentLocation(f.Location); ok {
		target = container
	}
	c := a.get(target)
	for _, k := range sortedKeys(f.Android) {
		c.Properties = appendProp(c.Properties, "pedigree:android:"+k, f.Android[k])
	}
	if c.Version == "" {
		c.Version = f.Android["versionName"]
	}
}

// identityOnly reports whether the file revealed nothing but an Android
// identity, which goes to the app: the manifest needs no component.
func (f *Facts) identityOnly() bool {
	g := *f
	g.Android = nil
	return len(f.Android) > 0 && g.Empty()
}
