package spdx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/spdx/tools-golang/convert"
	tgspdx "github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/v2_2"
)

// A tree is an SPDX document as generic JSON values: map[string]any,
// []any, string, bool, json.Number and nil. JSON, YAML and XML input are all
// brought to this form, cleaned, and decoded by the same code.

// arrayKeys are the properties whose value is an array in the SPDX 2.3 JSON
// schema. The XML dialect writes an array as repeated elements, so a single
// element of one of these names still makes an array.
var arrayKeys = map[string]bool{
	// document
	"creators":                   true,
	"externalDocumentRefs":       true,
	"annotations":                true,
	"documentDescribes":          true,
	"files":                      true,
	"hasExtractedLicensingInfos": true,
	"packages":                   true,
	"relationships":              true,
	"snippets":                   true,
	"revieweds":                  true,
	// extracted licensing info
	"crossRefs": true,
	"seeAlsos":  true,
	// package
	"attributionTexts":                     true,
	"checksums":                            true,
	"externalRefs":                         true,
	"hasFiles":                             true,
	"licenseInfoFromFiles":                 true,
	"packageVerificationCodeExcludedFiles": true,
	// file
	"artifactOfs":        true,
	"fileContributors":   true,
	"fileDependencies":   true,
	"fileTypes":          true,
	"licenseInfoInFiles": true,
	// snippet
	"licenseInfoInSnippets": true,
	"ranges":                true,
}

// objectKeys are the properties whose value (or whose array items) are
// objects. An empty XML element of one of these names is an empty object,
// not an empty string.
var objectKeys = map[string]bool{
	"creationInfo":               true,
	"externalDocumentRefs":       true,
	"checksum":                   true,
	"checksums":                  true,
	"annotations":                true,
	"files":                      true,
	"hasExtractedLicensingInfos": true,
	"packages":                   true,
	"relationships":              true,
	"snippets":                   true,
	"revieweds":                  true,
	"crossRefs":                  true,
	"externalRefs":               true,
	"packageVerificationCode":    true,
	"artifactOfs":                true,
	"ranges":                     true,
	"startPointer":               true,
	"endPointer":                 true,
}

// boolKeys and intKeys are the only non-string scalars of the schema.
var (
	boolKeys = map[string]bool{"filesAnalyzed": true, "isLive": true, "isValid": true, "isWayBackLink": true}
	intKeys  = map[string]bool{"offset": true, "lineNumber": true, "order": true}
)

// scalar turns the text of a YAML or XML scalar into the JSON value the
// schema wants for key: a boolean or a number for the few keys that are
// not strings, otherwise the text exactly as written (so that a version
// "1.10" stays "1.10").
func scalar(key, text string) any {
	switch {
	case boolKeys[key]:
		switch strings.ToLower(strings.TrimSpace(text)) {
		case "true", "yes", "on":
			return true
		case "false", "no", "off":
			return false
		}
	case intKeys[key]:
		t := strings.TrimSpace(text)
		if _, err := strconv.ParseInt(t, 10, 64); err == nil {
			return json.Number(t)
		}
	}
	return text
}

// clean removes what the SPDX JSON structs of tools-golang cannot take:
// null members and null array items (absent values), and a supplier or
// originator of NONE (the structs accept only NOASSERTION). It also
// forgives a scalar of the wrong kind where the schema wants a scalar: a
// number where a string belongs ("versionInfo": 1.10 is kept as the text
// "1.10"), a string "true" where a boolean belongs. key is the member name
// v is the value of, or with item set, the array v is an item of. It
// returns the cleaned value.
func clean(key string, v any, item bool) any {
	switch t := v.(type) {
	case map[string]any:
		for k, m := range t {
			if m == nil {
				delete(t, k)
				continue
			}
			if k == "supplier" || k == "originator" {
				if s, ok := m.(string); ok && strings.EqualFold(strings.TrimSpace(s), "NONE") {
					delete(t, k)
					continue
				}
			}
			t[k] = clean(k, m, false)
		}
		return t
	case []any:
		out := t[:0]
		for _, m := range t {
			if m != nil {
				out = append(out, clean(key, m, true))
			}
		}
		return out
	case string:
		if boolKeys[key] || intKeys[key] {
			return scalar(key, t)
		}
	case json.Number, bool:
		if wantsString(key, item) {
			return fmt.Sprint(t)
		}
	}
	return v
}

// wantsString reports whether the schema has a string where the value of
// key (or with item set, an item of the array key) is.
func wantsString(key string, item bool) bool {
	if item {
		return arrayKeys[key] && !objectKeys[key]
	}
	return !arrayKeys[key] && !objectKeys[key] && !boolKeys[key] && !intKeys[key]
}

// decodeTree checks the version of a document tree, mends the defects t
// tolerates, and decodes it into the SPDX 2.3 model of tools-golang.
func decodeTree(obj map[string]any, t *tolerance) (*result, error) {
	raw, ok := obj["spdxVersion"]
	if !ok || raw == nil {
		return nil, errors.New("spdxVersion is missing")
	}
	version, ok := raw.(string)
	if !ok {
		return nil, fmt.Errorf("spdxVersion is %s, want a string such as \"SPDX-2.3\"", kindOf(raw))
	}
	version = strings.TrimSpace(version)
	if err := checkVersion(version); err != nil {
		return nil, err
	}
	clean("", obj, false)
	if err := t.mendTree(obj); err != nil {
		return nil, err
	}
	// SPDX 2.1 had no JSON form of its own and tools-golang's 2.1 structs
	// miss documentDescribes and hasFiles; the 2.2 structs read it.
	parseAs := version
	if version == version21 {
		parseAs = version22
	}
	obj["spdxVersion"] = parseAs

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(obj); err != nil {
		return nil, fmt.Errorf("re-encode: %w", err)
	}
	var doc tgspdx.Document
	err := guard("the SPDX JSON decoder", func() error {
		if parseAs == version22 {
			var d v2_2.Document
			if err := json.Unmarshal(buf.Bytes(), &d); err != nil {
				return err
			}
			return convert.Document(d, &doc)
		}
		return json.Unmarshal(buf.Bytes(), &doc)
	})
	if err != nil {
		return nil, typeError(err)
	}
	return &result{doc: &doc, version: version, unescape: true, tol: t}, nil
}

// typeError rewords the type errors of encoding/json, which name Go types,
// in terms of the document.
func typeError(err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err
	}
	field := te.Field
	if field == "" {
		field = "a value"
	}
	return fmt.Errorf("%s is %s, want %s", field, article(te.Value), describe(te.Type))
}

func article(what string) string {
	switch what {
	case "":
		return "of the wrong type"
	case "array", "object":
		return "an " + what
	}
	return "a " + what
}

func describe(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}

// kindOf names the JSON kind of a generic value.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}
