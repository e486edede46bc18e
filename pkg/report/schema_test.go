package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const (
	// reportSchema is the published schema of the JSON report.
	reportSchema = "../../docs/report.schema.json"

	// sarifSchemaFile is the official SARIF 2.1.0 JSON schema (draft-07),
	// copied byte for byte from the OASIS SARIF Technical Committee's
	// repository: https://github.com/oasis-tcs/sarif-spec, file
	// Documents/BallotDrafts/sarif-v2.1.0-final-e-ballot-1/sarif-schema-2.1.0.json
	// at commit 57e6a0dd6ca24306a0f2ef98f40473a2d9248de1 (the schema
	// balloted as the SARIF v2.1.0 OASIS Standard; sha256
	// c3e64e303bbf77371aa875f3aebfba1a0864b2ede053a4cf60e9ed651aeb3b04).
	// The earlier Committee Specification schema
	// (Documents/CommitteeSpecifications/2.1.0/) still calls the
	// suppression status "state"; the standard, GitHub code scanning and
	// json.schemastore.org use "status", as this file does.
	sarifSchemaFile = "testdata/sarif-schema-2.1.0.json"
)

// compile loads a schema with format assertions on (draft 2020-12 and
// draft-07 treat "format" as an annotation unless asked).
func compile(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return sch
}

func instance(t *testing.T, data []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestJSONMatchesSchema(t *testing.T) {
	sch := compile(t, reportSchema)
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteJSON(&b, fx.result()); err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(instance(t, b.Bytes())); err != nil {
				t.Errorf("report does not match %s:\n%v", reportSchema, err)
			}
		})
	}
}

// TestJSONSchemaRejects shows that the schema validation can fail: each
// case breaks the contract in one place.
func TestJSONSchemaRejects(t *testing.T) {
	sch := compile(t, reportSchema)
	tests := []struct {
		name   string
		change func(d map[string]any)
		want   string // part of the validation error: the place or the key
	}{
		{"missing summary", func(d map[string]any) { delete(d, "summary") }, "summary"},
		{"missing finding severity", func(d map[string]any) { delete(finding(d), "severity") }, "severity"},
		{"bad severity", func(d map[string]any) { finding(d)["severity"] = "severe" }, "/findings/0/severity"},
		{"bad verdict", func(d map[string]any) { target(d)["verdict"] = "unknown" }, "/targets/0/verdict"},
		{"bad evidence kind", func(d map[string]any) {
			finding(d)["evidence"].([]any)[0].(map[string]any)["kind"] = "vibes"
		}, "/evidence/0/kind"},
		{"null findings", func(d map[string]any) { target(d)["findings"] = nil }, "findings"},
		{"missing severity count", func(d map[string]any) {
			delete(d["summary"].(map[string]any)["findings"].(map[string]any), "info")
		}, "info"},
		{"wrong schemaVersion", func(d map[string]any) { d["schemaVersion"] = "2" }, "schemaVersion"},
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, testResult()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d map[string]any
			if err := json.Unmarshal(b.Bytes(), &d); err != nil {
				t.Fatal(err)
			}
			tt.change(d)
			data, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			err = sch.Validate(instance(t, data))
			if err == nil {
				t.Fatal("the schema accepts the broken report")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error does not mention %q:\n%v", tt.want, err)
			}
		})
	}
}

func target(d map[string]any) map[string]any {
	return d["targets"].([]any)[0].(map[string]any)
}

func finding(d map[string]any) map[string]any {
	return target(d)["findings"].([]any)[0].(map[string]any)
}

func TestSARIFMatchesSchema(t *testing.T) {
	sch := compile(t, sarifSchemaFile)
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteSARIF(&b, fx.result()); err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(instance(t, b.Bytes())); err != nil {
				t.Errorf("SARIF does not match the 2.1.0 schema:\n%v", err)
			}
			checkCodeScanning(t, b.Bytes())
		})
	}
}

// TestSARIFSchemaRejects shows the SARIF validation can fail.
func TestSARIFSchemaRejects(t *testing.T) {
	sch := compile(t, sarifSchemaFile)
	var b bytes.Buffer
	if err := WriteSARIF(&b, testResult()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(l map[string]any)
	}{
		{"severity as level", func(l map[string]any) { waivedResult(l)["level"] = "critical" }},
		{"suppression state (the committee draft's name)", func(l map[string]any) {
			s := waivedResult(l)["suppressions"].([]any)[0].(map[string]any)
			s["state"] = s["status"]
			delete(s, "status")
		}},
		{"missing version", func(l map[string]any) { delete(l, "version") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l map[string]any
			if err := json.Unmarshal(b.Bytes(), &l); err != nil {
				t.Fatal(err)
			}
			tt.change(l)
			data, err := json.Marshal(l)
			if err != nil {
				t.Fatal(err)
			}
			if sch.Validate(instance(t, data)) == nil {
				t.Fatal("the SARIF schema accepts the broken log")
			}
		})
	}
}

// waivedResult is the log's second result: the waived one.
func waivedResult(l map[string]any) map[string]any {
	return l["runs"].([]any)[0].(map[string]any)["results"].([]any)[1].(map[string]any)
}

// checkCodeScanning checks what GitHub code scanning requires beyond the
// schema: every result has a location and a ruleId that names a rule
// (ruleIndex pointing at it), fingerprints are present, and there are at
// most 25,000 results in a run.
func checkCodeScanning(t *testing.T, data []byte) {
	t.Helper()
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string `json:"id"`
						Properties struct {
							SecuritySeverity string `json:"security-severity"`
						} `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Invocations []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
			} `json:"invocations"`
			Results []struct {
				RuleID              string            `json:"ruleId"`
				RuleIndex           int               `json:"ruleIndex"`
				Locations           []any             `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	run := log.Runs[0]
	if len(run.Results) > 25000 {
		t.Errorf("%d results; code scanning takes at most 25,000", len(run.Results))
	}
	if len(run.Invocations) != 1 {
		t.Errorf("%d invocations, want 1", len(run.Invocations))
	}
	rules := run.Tool.Driver.Rules
	for i := 1; i < len(rules); i++ {
		if rules[i-1].ID >= rules[i].ID {
			t.Errorf("rules not sorted by id: %s before %s", rules[i-1].ID, rules[i].ID)
		}
	}
	for i, r := range run.Results {
		if len(r.Locations) == 0 {
			t.Errorf("result %d has no location", i)
		}
		if r.RuleIndex < 0 || r.RuleIndex >= len(rules) || rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %d: ruleId %q is not rules[%d]", i, r.RuleID, r.RuleIndex)
		}
		if r.PartialFingerprints[fingerprintKey] == "" {
			t.Errorf("result %d has no %s fingerprint", i, fingerprintKey)
		}
	}
}

func TestSARIFContent(t *testing.T) {
	var b bytes.Buffer
	if err := WriteSARIF(&b, testResult()); err != nil {
		t.Fatal(err)
	}
	var l map[string]any
	if err := json.Unmarshal(b.Bytes(), &l); err != nil {
		t.Fatal(err)
	}
	run := l["runs"].([]any)[0].(map[string]any)
	results := run["results"].([]any)
	get := func(v any, path ...any) any {
		for _, p := range path {
			switch k := p.(type) {
			case string:
				v = v.(map[string]any)[k]
			case int:
				v = v.([]any)[k]
			}
		}
		return v
	}
	var ruleIDs []string
	for _, r := range get(run, "tool", "driver", "rules").([]any) {
		ruleIDs = append(ruleIDs, r.(map[string]any)["id"].(string))
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"rules are the cited ones, sorted", strings.Join(ruleIDs, " "), "KL-DEV-001 KL-FILE-002 KL-MENTION-001 KL-SDK-001 KL-VENDOR-001"},
		{"ruleId is the title rule", get(results, 0, "ruleId"), "KL-SDK-001"},
		{"critical is an error", get(results, 0, "level"), "error"},
		{"low is a note", get(results, 1, "level"), "note"},
		{"uri as given, without the scheme", get(results, 0, "locations", 0, "physicalLocation", "artifactLocation", "uri"), "fixtures/acme-gateway.cdx.json"},
		{"logical location", get(results, 0, "locations", 0, "logicalLocations", 0, "fullyQualifiedName"), "Acme Secure Gateway > Acme Scan Module > acme-scan-core"},
		{"fingerprint", get(results, 0, "partialFingerprints", fingerprintKey), "PDG-4F1C2A9B7D3E5F60"},
		{"suppression", get(results, 1, "suppressions", 0, "status"), "accepted"},
		{"no suppression when the waiver expired", get(results, 2, "suppressions"), nil},
		{"security-severity", get(run, "tool", "driver", "rules", 3, "properties", "security-severity"), "9.5"},
		{"category tag", get(run, "tool", "driver", "rules", 3, "properties", "tags", 2), "sdk"},
		{"error target makes the run unsuccessful", get(run, "invocations", 0, "executionSuccessful"), false},
		// The first target's document warning comes first, then the second target's error.
		{"warning notification", get(run, "invocations", 0, "toolExecutionNotifications", 0, "level"), "warning"},
		{"error notification", get(run, "invocations", 0, "toolExecutionNotifications", 1, "level"), "error"},
		{"error notification location", get(run, "invocations", 0, "toolExecutionNotifications", 1, "locations", 0, "physicalLocation", "artifactLocation", "uri"), "missing/vendor-b.spdx.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}
