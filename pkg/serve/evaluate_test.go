package serve

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/report"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

func TestChangeReason(t *testing.T) {
	finding := func(gating bool, rules ...string) report.Finding {
		return report.Finding{Gating: gating, Rules: rules}
	}
	prev := func(fs ...report.Finding) json.RawMessage {
		data, err := json.Marshal(fs)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for _, c := range []struct {
		name string
		prev json.RawMessage
		next report.Target
		want string
	}{
		{"a rule now gates", prev(), report.Target{Findings: []report.Finding{finding(true, "KL-SDK-001")}}, "rule KL-SDK-001"},
		{"two rules", prev(finding(false, "KL-MENTION-001")),
			report.Target{Findings: []report.Finding{finding(true, "KL-SDK-001", "KL-VENDOR-001"), finding(true, "KL-SDK-001")}}, "rules KL-SDK-001, KL-VENDOR-001"},
		{"waived", prev(finding(true, "KL-SDK-001")), report.Target{Findings: []report.Finding{finding(false, "KL-SDK-001")}}, "rule KL-SDK-001 no longer gating"},
		{"both", prev(finding(true, "A-1")), report.Target{Findings: []report.Finding{finding(true, "B-1")}}, "rule B-1; rule A-1 no longer gating"},
		{"error", prev(finding(true, "A-1")), report.Target{Errors: []string{"stdin: malformed json"}}, "stdin: malformed json"},
		{"incomplete", prev(), report.Target{Skipped: []report.Skipped{{Location: "a.zip", Reason: "over the limit"}}}, "not every part was read: a.zip: over the limit"},
		{"no previous findings", nil, report.Target{Findings: []report.Finding{finding(true, "A-1")}}, "rule A-1"},
	} {
		if got := changeReason(c.prev, c.next); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestSplitDigest(t *testing.T) {
	for _, c := range []struct{ in, pack, policy string }{
		{"sha256:ab", "sha256:ab", ""},
		{"sha256:ab+policy:0123", "sha256:ab", "0123"},
	} {
		if pack, policy := splitDigest(c.in); pack != c.pack || policy != c.policy {
			t.Errorf("%s: %q %q", c.in, pack, policy)
		}
	}
}

// TestPolicyDigest: the digest evaluations are recorded under is the
// pack's until a waiver exists or the gate is not the default, and it
// never comes back once a waiver changes.
func TestPolicyDigest(t *testing.T) {
	st := openStore(t, pgtest.SQLiteURL(t))
	ts := newTestServer(t, st, nil, Config{})
	ctx := t.Context()
	digest := func(s *Server) string {
		t.Helper()
		d, err := s.eval.digest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	seen := map[string]bool{}
	next := func(what string) {
		t.Helper()
		d := digest(ts.Server)
		if seen[d] {
			t.Errorf("%s: digest %s again", what, d)
		}
		seen[d] = true
	}
	if d := digest(ts.Server); d != ts.PackDigest() {
		t.Errorf("no waiver: %s, want the pack's %s", d, ts.PackDigest())
	}
	next("no waiver")
	off, err := New(Config{Store: st, Engine: ts.eval.engine, FailOn: NoGate})
	if err != nil {
		t.Fatal(err)
	}
	if d := digest(off); !strings.HasPrefix(d, ts.PackDigest()+"+policy:") || d == ts.PackDigest() {
		t.Errorf("the gate off: %s", d)
	}
	w, err := st.CreateWaiver(ctx, "test", store.Waiver{Rule: "KL-SDK-001", Reason: "r", Owner: "o", ApprovedBy: "a", Expires: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	next("a waiver")
	if err := st.RevokeWaiver(ctx, "test", w.ID); err != nil {
		t.Fatal(err)
	}
	next("the waiver revoked")
	ts.eval.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	next("the revoked waiver also past its expiry")
}
