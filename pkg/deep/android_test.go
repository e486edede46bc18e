package deep

import (
	"context"
	"slices"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/archivetest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/model"
	"github.com/pedigree-sbom/pedigree/pkg/walk"
)

// appManifest is the manifest of the app pkg, version 3.1.4 (code 42),
// that declares service.
func appManifest(pkg, service string) archivetest.Element {
	name := func(v string) []archivetest.Attr {
		return []archivetest.Attr{{Name: "name", Value: v, Android: true}}
	}
	return archivetest.Element{Name: "manifest", Attrs: []archivetest.Attr{
		{Name: "versionCode", Value: "42", Android: true, Int: true},
		{Name: "versionName", Value: "3.1.4", Android: true},
		{Name: "package", Value: pkg},
	}, Kids: []archivetest.Element{
		{Name: "uses-permission", Attrs: name("android.permission.INTERNET")},
		{Name: "application", Kids: []archivetest.Element{
			{Name: "activity", Attrs: name(".MainActivity")},
			{Name: "service", Attrs: name(service)},
		}},
	}}
}

// scanAPK walks an APK holding manifest (binary XML) and a class file-less
// dex, and matches what deep inspection makes of it.
func scanAPK(t *testing.T, manifest []byte) ([]*model.Component, []match.Finding) {
	t.Helper()
	in, eng := inspector(t)
	apk := archivetest.Zip(t,
		archivetest.File{Name: "AndroidManifest.xml", Data: manifest},
		archivetest.File{Name: "classes.dex", Data: []byte("dex\n035\x00..Lcom/example/shield/MainActivity;")},
		archivetest.File{Name: "res/raw/notes.txt", Data: []byte("see com.kavsdk.antivirus.SdkService in the docs")},
	)
	asm := NewAssembler()
	rep, err := walk.WalkBytes(context.Background(), "shield.apk", apk, walk.Limits{}, func(f *walk.File) error {
		asm.Add(in.Inspect(f))
		return nil
	})
	if err != nil || rep.GapCount != 0 {
		t.Fatalf("%v, %q", err, rep.Warnings)
	}
	comps := asm.Components()
	root := &model.Component{Ref: "root", Name: "product"}
	for _, c := range comps {
		if c.Parent == "" {
			c.Parent = "root"
		}
	}
	doc := &model.Document{Roots: []string{"root"}, Components: append([]*model.Component{root}, comps...)}
	doc.Normalize()
	return comps, eng.Match(doc)
}

// TestAndroidManifest: an app that declares a service of the Kaspersky SDK
// in its manifest is found by the manifest, which names the component; the
// app is named by its package and version.
func TestAndroidManifest(t *testing.T) {
	for _, opts := range []archivetest.AXMLOptions{{}, {UTF8: true}, {StripNames: true}} {
		comps, fs := scanAPK(t, archivetest.AXML(appManifest("com.example.shield", "com.kavsdk.antivirus.SdkService"), opts))
		if len(comps) != 2 || comps[0].Name != "shield.apk" || comps[1].Name != "shield.apk!AndroidManifest.xml" {
			t.Fatalf("components %+v", comps)
		}
		app := comps[0]
		for _, p := range []model.Property{
			{Name: "pedigree:android:package", Value: "com.example.shield"},
			{Name: "pedigree:android:versionCode", Value: "42"},
			{Name: "pedigree:android:versionName", Value: "3.1.4"},
		} {
			if !slices.Contains(app.Properties, p) {
				t.Errorf("%+v: no %v", app.Properties, p)
			}
		}
		if app.Version != "3.1.4" {
			t.Errorf("version %q", app.Version)
		}
		if len(fs) != 1 || fs[0].Rule != "KL-SDK-002" || fs[0].Component.Name != "shield.apk!AndroidManifest.xml" ||
			!slices.Equal(fs[0].Path, []string{"root", "file:shield.apk", "file:shield.apk!AndroidManifest.xml"}) {
			t.Fatalf("findings %+v", fs)
		}
		if !slices.ContainsFunc(fs[0].Evidence, func(e match.Evidence) bool {
			return e.Kind == match.KindJavaPackage && e.Value == "com.kavsdk.antivirus.SdkService"
		}) {
			t.Errorf("evidence %+v", fs[0].Evidence)
		}
	}
}

// TestAndroidManifestBenign: an app that declares only its own components
// is named, and raises nothing.
func TestAndroidManifestBenign(t *testing.T) {
	comps, fs := scanAPK(t, archivetest.AXML(appManifest("com.example.notes", "com.example.notes.SyncService"), archivetest.AXMLOptions{}))
	if len(fs) != 0 {
		t.Errorf("findings %+v", fs)
	}
	if len(comps) != 1 || comps[0].Name != "shield.apk" || !slices.Contains(comps[0].Properties, model.Property{Name: "pedigree:android:package", Value: "com.example.notes"}) {
		t.Errorf("components %+v", comps)
	}
}

// TestAndroidDottedNames: dotted names are read in manifests only, in every
// form a manifest takes; elsewhere only class paths count.
func TestAndroidDottedNames(t *testing.T) {
	in, _ := inspector(t)
	binary := archivetest.AXML(appManifest("com.example.shield", "com.kavsdk.antivirus.SdkService"), archivetest.AXMLOptions{})
	for _, c := range []struct {
		name, location string
		data           []byte
		classes        []string
		identity       map[string]string
	}{
		{"AAR text", "lib.aar!AndroidManifest.xml", []byte("<?xml version=\"1.0\"?>\n<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\" package=\"com.kavsdk.shield\">\n" +
			"<application><receiver android:name=\"com.kaspersky.components.accessibility.KasperskyAccessibility$Receiver\"/></application></manifest>"),
			[]string{"com.kavsdk.shield", "com.kaspersky.components.accessibility.KasperskyAccessibility$Receiver"}, map[string]string{"package": "com.kavsdk.shield"}},
		{"binary not decoded", "broken.apk!AndroidManifest.xml", binary[:len(binary)-30], []string{"com.kavsdk.antivirus.SdkService"}, nil},
		{"bundle protocol buffer", "app.aab!base/manifest/AndroidManifest.xml", []byte("\x0a\x08manifest\x1a\x1fcom.kavsdk.antivirus.SdkService\x22\x00"),
			[]string{"com.kavsdk.antivirus.SdkService"}, nil},
		{"segments whole", "x.apk!AndroidManifest.xml", []byte(`<manifest package="com.kavsdkx.app"><service name="..com.kavsdkexample."/></manifest>`), nil, map[string]string{"package": "com.kavsdkx.app"}},
		{"another file", "shield.apk!res/raw/notes.txt", []byte("com.kavsdk.antivirus.SdkService"), nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := in.Inspect(&walk.File{Location: c.location, Name: c.location[max(0, lastSep(c.location)):], Data: c.data})
			var classes []string
			var id map[string]string
			if f != nil {
				classes, id = f.Classes, f.Android
			}
			if !slices.Equal(classes, c.classes) || len(id) != len(c.identity) {
				t.Fatalf("classes %q, identity %q", classes, id)
			}
			for k, v := range c.identity {
				if id[k] != v {
					t.Errorf("identity %q", id)
				}
			}
		})
	}
}

// lastSep is where the base name of a location starts.
func lastSep(loc string) int {
	for i := len(loc) - 1; i >= 0; i-- {
		if loc[i] == '/' || loc[i] == '!' {
			return i + 1
		}
	}
	return 0
}

// FuzzAndroidManifest: reading any manifest ends and never panics.
func FuzzAndroidManifest(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><manifest package="com.kavsdk.x" android:versionName="1"><service android:name="com.kavsdk.S"/></manifest>`))
	f.Add(wide("com.kavsdk.antivirus.SdkService"))
	in, _ := inspector(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fa := in.Inspect(&walk.File{Location: "a.apk!AndroidManifest.xml", Name: "AndroidManifest.xml", Data: data})
		if fa != nil && len(fa.Classes) > maxFacts {
			t.Errorf("%d classes", len(fa.Classes))
		}
	})
}

// TestAndroidManifestSDKReceivers: the receivers the Kaspersky Mobile SDK's
// integration guide tells an app to declare (seen in a public copy of that
// guide) are each enough to find the SDK in an app sold under another name.
func TestAndroidManifestSDKReceivers(t *testing.T) {
	for _, name := range []string{
		"com.kavsdk.AppInstallationReceiver",
		"com.kavsdk.shared.cellmon.SMSReceiver",
		"com.kavsdk.simwatch.generic.SimStateChangedBroadcastReceiver",
	} {
		_, fs := scanAPK(t, archivetest.AXML(appManifest("com.example.shield", name), archivetest.AXMLOptions{}))
		if len(fs) != 1 || fs[0].Rule != "KL-SDK-002" {
			t.Errorf("%s: findings %+v", name, fs)
		}
	}
}
