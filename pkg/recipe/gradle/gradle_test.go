package gradle

import (
	"slices"
	"testing"

	"github.com/pedigree-sbom/pedigree/pkg/internal/recipetest"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
)

// fixture reads fixtures/recipes/PARTS...
var fixture = recipetest.Fixture

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name string
		data string
		want []string
	}{
		{"android app", string(fixture(t, "android-app", "app", "build.gradle")), []string{
			"L22 kit KL_Mobile_SDK_Android_5.13.0.136_FullRelease.aar path=KL_Mobile_SDK_Android_5.13.0.136_FullRelease.aar (gradle implementation name/ext)",
			"L23 kit KL_Base_SDK_Android_5.13.0.136_Release.aar path=libs/KL_Base_SDK_Android_5.13.0.136_Release.aar (gradle implementation files)",
			"L24 package androidx.appcompat:appcompat@1.6.1 pkg:maven/androidx.appcompat/appcompat@1.6.1 (gradle implementation)",
			"L25 package com.google.android.material:material@1.11.0 pkg:maven/com.google.android.material/material@1.11.0 (gradle implementation)",
		}},
		{"settings", string(fixture(t, "android-app", "settings.gradle")), nil},
		{"kotlin dsl", `dependencies {
    implementation(mapOf("name" to "KL_SimWatch_Android_5.13.0.136_Release", "ext" to "aar"))
    implementation(files("libs/KL_Base_SDK_Android_5.13.0.136_Release.aar"))
    implementation(fileTree(mapOf("dir" to "libs", "include" to listOf("*.jar", "KL_Mobile_SDK_Android_5.13.0.136_FullRelease.aar"))))
    implementation("com.kavsdk:kavsdk:5.13.0.136@aar")
    api(group = "com.example", name = "lib", version = "2.0")
    // implementation("com.commented:out:1.0")
    /* implementation("com.block:out:1.0")
       implementation("com.block:out2:1.0") */
    implementation(project(":core"))
    classpath("com.android.tools.build:gradle:$agpVersion")
}
maven { url = uri("https://repo.example.com:8443/maven") }
`, []string{
			"L2 kit KL_SimWatch_Android_5.13.0.136_Release.aar path=KL_SimWatch_Android_5.13.0.136_Release.aar (gradle implementation name/ext)",
			"L3 kit KL_Base_SDK_Android_5.13.0.136_Release.aar path=libs/KL_Base_SDK_Android_5.13.0.136_Release.aar (gradle implementation files)",
			"L4 kit KL_Mobile_SDK_Android_5.13.0.136_FullRelease.aar path=KL_Mobile_SDK_Android_5.13.0.136_FullRelease.aar (gradle implementation fileTree)",
			"L5 package com.kavsdk:kavsdk@5.13.0.136 pkg:maven/com.kavsdk/kavsdk@5.13.0.136?type=aar (gradle implementation)",
			"L6 package com.example:lib@2.0 pkg:maven/com.example/lib@2.0 (gradle api)",
			"L11 package com.android.tools.build:gradle pkg:maven/com.android.tools.build/gradle (gradle classpath)",
		}},
	} {
		got := decl.Strings(Parse([]byte(c.data)))
		if !slices.Equal(got, c.want) && len(got)+len(c.want) > 0 {
			t.Errorf("%s:\n got  %q\n want %q", c.name, got, c.want)
		}
	}
}

func TestParseCatalog(t *testing.T) {
	got := decl.Strings(ParseCatalog(fixture(t, "kaspresso-consumer", "gradle", "libs.versions.toml")))
	want := []string{
		"L6 package androidx.appcompat:appcompat@1.6.1 pkg:maven/androidx.appcompat/appcompat@1.6.1 (gradle version catalog)",
		"L7 package com.kaspersky.android-components:kaspresso@1.5.5 pkg:maven/com.kaspersky.android-components/kaspresso@1.5.5 (gradle version catalog)",
		"L8 package com.kaspersky.android-components:kaspresso-compose-support@1.5.5 pkg:maven/com.kaspersky.android-components/kaspresso-compose-support@1.5.5 (gradle version catalog)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(fixture(f, "android-app", "app", "build.gradle")), false)
	f.Add([]byte(fixture(f, "harmless", "app", "build.gradle")), false)
	f.Add([]byte(fixture(f, "kaspresso-consumer", "gradle", "libs.versions.toml")), true)
	f.Fuzz(func(t *testing.T, data []byte, catalog bool) {
		items := Parse(data)
		if catalog {
			items = ParseCatalog(data)
		}
		if msg := decl.Check(items, data); msg != "" {
			t.Fatal(msg)
		}
	})
}
