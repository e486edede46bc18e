package cyclonedx

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// equivalenceDirs hold the JSON documents that both decoders must read
// alike: the conformance corpus beside the repository (when it is there),
// the ingest and cyclonedx test data and the repository's fixtures.
var equivalenceDirs = []string{
	"../../../../shared/corpus/conformance",
	"../testdata",
	"testdata",
	"../../../fixtures",
}

// jsonDocuments returns every .json file below equivalenceDirs, by path.
func jsonDocuments(t testing.TB) map[string][]byte {
	t.Helper()
	docs := map[string][]byte{}
	for _, dir := range equivalenceDirs {
		if _, err := os.Stat(dir); err != nil {
			t.Logf("skipping %s: %v", dir, err)
			continue
		}
		err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || !strings.HasSuffix(path, ".json") {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			docs[path] = data
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return docs
}

// checkStream decodes data with DecodeJSON and with the reference decoder
// and reports any difference in the documents or errors. fast says whether
// DecodeJSON took the fast path.
func checkStream(t *testing.T, name string, data []byte) bool {
	t.Helper()
	want, wantErr := decodeJSONReference(data)
	got, gotErr := DecodeJSON(data)
	s, fast := decodeStream(data)
	if fast && wantErr != nil {
		t.Errorf("%s: the fast path read a BOM the reference refuses: %v", name, wantErr)
		return fast
	}
	if fast && s.emptyRef != hasEmptyRef(data, "\"bom-ref\"", ':') {
		t.Errorf("%s: the fast path says a bom-ref is empty: %v, hasEmptyRef: %v", name, s.emptyRef, !s.emptyRef)
	}
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Errorf("%s: error %v, reference %v", name, gotErr, wantErr)
		return fast
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: the documents differ (fast path %v)\n got %+v\nwant %+v", name, fast, got, want)
	}
	return fast
}

// TestStreamEquivalence: DecodeJSON gives the same document, warnings and
// errors as the reference decoder on every JSON document of the
// conformance corpus and the test data, and takes the fast path on every
// CycloneDX document the reference reads without dropping a field.
func TestStreamEquivalence(t *testing.T) {
	docs := jsonDocuments(t)
	paths := make([]string, 0, len(docs))
	for p := range docs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var fast, refOK, streamed int
	for _, p := range paths {
		if checkStream(t, p, docs[p]) {
			fast++
			if s, _ := decodeStream(docs[p]); s.conv != nil {
				streamed++
			}
		}
		if _, err := decodeJSONReference(docs[p]); err == nil {
			refOK++
			if _, ok := decodeStream(docs[p]); !ok {
				t.Logf("%s: read by the reference decoder", p)
			}
		}
	}
	t.Logf("%d JSON documents compared; %d read by the reference without error, %d of them on the fast path (%d with the components converted as they were read)",
		len(paths), refOK, fast, streamed)
	if len(paths) < 50 {
		t.Errorf("only %d documents found", len(paths))
	}
}

// TestStreamCases holds the fast path to the reference on the inputs it
// must treat with care: escapes, invalid UTF-8, nulls, duplicates, keys in
// another case, numbers, the two forms of tools and identity evidence.
func TestStreamCases(t *testing.T) {
	tests := []struct {
		name string
		in   string
		fast bool // whether the fast path must take it
	}{
		{"minimal", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a"}]}`, true},
		{"escapes", `{"specVersion":"1.6","components":[{"type":"library","name":"a\"b\\c\/d\u00e9\ud83d\ude00\n","purl":"pkg:npm/x?a=1\u0026b=2"}]}`, true},
		{"lone surrogate", `{"specVersion":"1.6","components":[{"type":"library","name":"\ud800x\udc00\ud800\u0041"}]}`, true},
		{"invalid utf-8", "{\"specVersion\":\"1.6\",\"components\":[{\"type\":\"library\",\"name\":\"a\xffb\xc3\"}]}", true},
		{"utf-8", `{"specVersion":"1.6","components":[{"type":"library","name":"Лаборатория Касперского"}]}`, true},
		{"nulls", `{"specVersion":"1.6","metadata":null,"components":[null,{"type":"library","name":null,"hashes":null,"licenses":[null]}]}`, true},
		{"empty lists", `{"specVersion":"1.6","components":[],"dependencies":[{"ref":"a","dependsOn":[]}],"properties":[]}`, true},
		{"duplicate key", `{"specVersion":"1.6","components":[{"type":"library","name":"a","name":"b"}]}`, false},
		{"key in another case", `{"specVersion":"1.6","components":[{"type":"library","Name":"a"}]}`, false},
		{"escaped key", `{"specVersion":"1.6","components":[{"type":"library","n\u0061me":"a"}]}`, true},
		{"unknown keys", `{"specVersion":"1.6","x-vendor":{"a":[1,2.5e3,-0.1,true,false,null,"s"]},"components":[{"type":"library","name":"a","x":{}}]}`, true},
		{"wrong type", `{"specVersion":"1.6","components":[{"type":"library","name":1}]}`, false},
		{"wrong type in an unused field", `{"specVersion":"1.6","components":[{"type":"library","name":"a","modified":"yes"}]}`, false},
		{"integer", `{"specVersion":"1.6","version":3}`, true},
		{"float where an integer is", `{"specVersion":"1.6","version":3.5}`, false},
		{"confidence", `{"specVersion":"1.6","components":[{"type":"library","name":"a","evidence":{"identity":{"field":"purl","confidence":0.7,"concludedValue":"pkg:x"}}}]}`, true},
		{"identities", `{"specVersion":"1.6","components":[{"type":"library","name":"a","evidence":{"identity":[{"field":"purl","confidence":1e-2,"methods":[{"technique":"manifest-analysis","confidence":1,"value":"x"}]}],"occurrences":[{"location":"/a","line":3}],"copyright":[{"text":"(c) X"}]}}]}`, true},
		{"legacy tools", `{"specVersion":"1.4","metadata":{"tools":[{"vendor":"V","name":"t","version":"1","hashes":[{"alg":"SHA-1","content":"00"}]}]}}`, true},
		{"tools object", `{"specVersion":"1.6","metadata":{"tools":{"components":[{"type":"application","group":"g","name":"t","supplier":{"name":"S"}}],"services":[{"name":"s","provider":{"name":"P"}}]}}}`, true},
		{"empty tools object", `{"specVersion":"1.6","metadata":{"tools":{}}}`, true},
		{"tools string", `{"specVersion":"1.6","metadata":{"tools":"t"}}`, false},
		{"spec version", `{"specVersion":"2.0"}`, false},
		{"trailing data", `{"specVersion":"1.6"} x`, false},
		{"syntax error in a skipped value", `{"specVersion":"1.6","x":[1,]}`, false},
		{"control character", "{\"specVersion\":\"1.6\",\"x\":\"a\tb\"}", false},
		{"bad escape", `{"specVersion":"1.6","x":"\q"}`, false},
		{"leading zero", `{"specVersion":"1.6","x":01}`, false},
		{"not an object", `["specVersion"]`, false},
		{"white space", " \t\r\n{ \"specVersion\" : \"1.6\" , \"components\" : [ { \"type\" : \"library\" , \"name\" : \"a\" } ] } \n", true},
		{"nested and services", `{"specVersion":"1.6","components":[{"type":"application","name":"p","bom-ref":"p","components":[{"type":"library","name":"c","bom-ref":""}]}],"services":[{"name":"s","endpoints":["https://x"],"services":[{"name":"t"}]}],"dependencies":[{"ref":"p","dependsOn":["c"],"provides":["s"]}]}`, true},
		{"annotations", `{"specVersion":"1.6","components":[{"type":"library","name":"a","bom-ref":"a"}],"annotations":[{"subjects":["a","b"],"annotator":{"organization":{"name":"O"}},"text":"t"}]}`, true},
		{"licensing", `{"specVersion":"1.6","components":[{"type":"library","name":"a","licenses":[{"license":{"name":"EULA","text":{"content":"x","encoding":"gzip"},"licensing":{"licensor":{"organization":{"name":"L"}}}}},{"expression":"MIT"}]}]}`, true},
		{"raw sections", `{"specVersion":"1.6","vulnerabilities":[{"ratings":[{"score":"not a number"}]}],"formulation":null}`, true},
		{"crypto", `{"specVersion":"1.6","components":[{"type":"cryptographic-asset","name":"a","cryptoProperties":{"assetType":"certificate","certificateProperties":{"certificateState":[{"state":"active"}]}}}]}`, true},
		{"big numbers", `{"specVersion":"1.6","version":99999999999999999999}`, false},
		{"float32 overflow", `{"specVersion":"1.6","components":[{"type":"library","name":"a","evidence":{"identity":{"confidence":1e39}}}]}`, false},
		{"empty bom-ref", `{"specVersion":"1.6","components":[{"type":"library","name":"a","bom-ref" :` + "\n\t" + `""}]}`, true},
		{"empty bom-ref in a raw section", `{"specVersion":"1.6","vulnerabilities":[{"bom-ref":""}]}`, true},
		{"key ending in bom-ref", `{"specVersion":"1.6","x":{"a\"bom-ref":"","b-bom-ref":""}}`, true},
		{"bom-ref as a value", `{"specVersion":"1.6","x":["bom-ref",""],"y":{"bom-ref":"x"}}`, true},
		{"streamed, with warnings in order", `{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"timestamp":"yesterday","component":{"name":"root","components":[{"name":"sub"}]},"properties":[{"value":"x"}]},"components":[{"name":"a","bom-ref":"d","hashes":[{"alg":"MD5","content":"xyz"}]},{"type":"libary","bom-ref":"d","components":[{"type":"library"}]}],"serialNumber":"nope","services":[{"name":""}],"properties":[{"value":"y"}],"dependencies":[{"ref":"zz","dependsOn":["d",""]}],"annotations":[{"subjects":["d","root","x"],"annotator":{"individual":{"name":"I"}},"text":"t"}]}`, true},
		{"components before the metadata", `{"specVersion":"1.6","components":[{"name":"a"},{"type":"library","name":"b","bom-ref":"b"}],"metadata":{"component":{"type":"application","name":"root","components":[{"name":"sub"}]}}}`, true},
		{"null metadata, then components", `{"specVersion":"1.6","metadata":null,"components":[{"name":"a"}]}`, true},
		{"metadata without a component", `{"specVersion":"1.6","metadata":{"authors":[{"name":"A"}]},"components":[{"name":"a"}],"dependencies":[{"ref":"a"}]}`, true},
		{"null components", `{"specVersion":"1.6","metadata":{},"components":null}`, true},
		{"empty components", `{"specVersion":"1.6","metadata":{},"components":[]}`, true},
		{"components not a list", `{"specVersion":"1.6","metadata":{},"components":{}}`, false},
		{"syntax error in a streamed component", `{"specVersion":"1.6","metadata":{},"components":[{"name":"a"},{"name":"b",}]}`, false},
		{"deep", `{"specVersion":"1.6","x":` + strings.Repeat("[", 3000) + strings.Repeat("]", 3000) + `}`, false},
	}
	streams := map[string]bool{"streamed, with warnings in order": true, "metadata without a component": true,
		"null metadata, then components": true, "empty components": true, "nulls": true}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if fast := checkStream(t, tt.name, []byte(tt.in)); fast != tt.fast {
				t.Errorf("fast path %v, want %v", fast, tt.fast)
			}
			if s, ok := decodeStream([]byte(tt.in)); ok && (s.conv != nil) != streams[tt.name] {
				t.Errorf("components converted as they were read: %v, want %v", s.conv != nil, streams[tt.name])
			}
		})
	}
}

// FuzzStreamEquivalence: on any input, DecodeJSON and the reference
// decoder agree on whether it is an error, on the error and on the
// document.
// go test ./pkg/ingest/cyclonedx -run '^$' -fuzz '^FuzzStreamEquivalence$' -fuzztime 300000x -parallel 1
func FuzzStreamEquivalence(f *testing.F) {
	docs := jsonDocuments(f)
	paths := make([]string, 0, len(docs))
	for p := range docs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		f.Add(docs[p])
	}
	for _, v := range []string{`pkg:npm/a\u0026b`, `{"type":"library","name":"n","hashes":[{"alg":"MD5","content":"00"}]}`,
		`[{"license":{"id":"MIT","licensing":{"licensor":{"individual":{"name":"I"}}}}},{"expression":"MIT"}]`,
		`{"identity":[{"field":"purl","confidence":0.5}],"occurrences":[{"location":"a"}]}`,
		`[{"ref":"r","dependsOn":["a"]}]`, `{"components":[{"name":"t"}]}`} {
		f.Add([]byte(v))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkStream(t, "input", data)
		// Most mutations break the syntax, which the fast path gives up
		// on at once: put the input where it is read as a value too.
		for _, tmpl := range fuzzTemplates {
			checkStream(t, tmpl, []byte(strings.ReplaceAll(tmpl, "%", string(data))))
		}
	})
}

// fuzzTemplates are documents in which FuzzStreamEquivalence puts its
// input in place of the %.
var fuzzTemplates = []string{
	`{"specVersion":"1.6","components":[{"type":"library","name":"a","bom-ref":"r","purl":"%"}]}`,
	`{"specVersion":"1.6","components":[%]}`,
	`{"specVersion":"1.6","metadata":{"tools":%,"component":{"name":"p","evidence":%}}}`,
	`{"specVersion":"1.6","components":[{"type":"library","name":"a","licenses":%,"x":%}],"dependencies":%}`,
}
