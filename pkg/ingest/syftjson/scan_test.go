package syftjson

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// decoderWalk is walkMetadata reading with json.Decoder, as it did before
// scanner: the two must keep the same strings.
func decoderWalk(raw []byte, extra map[string]bool) ([]hit, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return walkTokens(dec, extra)
}

func sameWalk(t *testing.T, name string, raw []byte) {
	t.Helper()
	for _, key := range []string{"virtualPath", "a", "vendor", "supplier", "name"} {
		var want string
		var wok bool
		if m, ok := asObject(raw); ok {
			want, wok = asString(m[key])
		}
		if got, ok := memberString(raw, key); got != want || ok != wok {
			t.Fatalf("%s: memberString(%q) = %q, %v; asObject and asString %q, %v", name, key, got, ok, want, wok)
		}
	}
	for _, extra := range []map[string]bool{nil, sourceKeys} {
		want, werr := decoderWalk(raw, extra)
		got, gerr := walkMetadata(raw, extra)
		if (werr != nil) != (gerr != nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: scanner gives %v, %+v; json.Decoder %v, %+v", name, gerr, got, werr, want)
		}
	}
}

var scanSamples = []string{
	`{}`, `[]`, `null`, `"x"`, `12`, `{"a":1,"b":[true,false,null,-1.5e3]}`,
	`{"author":"Jane <j@x.org> (https://x.org)","vendor":"A\"B\\C\u00e9\u2028","nested":{"maintainer":{"name":"M","email":"m@x"}}}`,
	`{"manifest":{"main":[{"key":"Implementation-Vendor","value":"Acme"},{"key":"Built-By","value":"\u003cme\u003e"}]}}`,
	`{"authors" : [ "a" , { "name" : "b" , "url" : "https://b" } ] , "copyright" : "(c) \ud83d\ude00" }`,
	"{\"supplier\":\"bad \xff\xfe bytes\",\"vendor\":\"caf\xc3\xa9\"}",
	`{"description":"  ","homepage":"","pomProperties":{"groupId":"g","name":"n"}}`,
	`{"virtualPath":"/a.jar:b.jar","x":{"virtualPath":"no"},"virtual\u0050ath":"/c.jar","a":[1,{"a":"n"}],"a":"last"}`,
	`{"virtualPath":"/a.jar","virtualPath":7}`,
}

// TestScannerSameAsDecoder: on samples and on the test documents (each
// as one value, and each package's and the source's metadata), scanner
// keeps the strings json.Decoder kept.
func TestScannerSameAsDecoder(t *testing.T) {
	for _, s := range scanSamples {
		sameWalk(t, s, []byte(s))
	}
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatal(err, files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sameWalk(t, f, data)
		var doc struct {
			Source    struct{ Metadata json.RawMessage }
			Artifacts []struct{ Metadata json.RawMessage }
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		sameWalk(t, f+": source", doc.Source.Metadata)
		for i, a := range doc.Artifacts {
			if a.Metadata != nil {
				sameWalk(t, f+": artifact "+string(rune('0'+i%10)), a.Metadata)
			}
		}
	}
}

// FuzzScanner: on any valid JSON value (scanner only ever sees values
// encoding/json accepted), scanner and memberString keep what json.Decoder
// and a full parse keep.
func FuzzScanner(f *testing.F) {
	for _, s := range scanSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		sameWalk(t, "fuzz", raw)
	})
}
