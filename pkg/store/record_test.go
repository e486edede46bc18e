package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/result"
)

func TestProducts(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openTest(t, url)
		gw := mustProduct(t, s, "gateway")
		if gw.ID == 0 || gw.Created.IsZero() || gw.Supplier != "Northwind" || gw.Owner != "procurement" {
			t.Errorf("created %+v", gw)
		}
		mustProduct(t, s, "appliance")
		if _, err := s.CreateProduct(ctx, "alice", Product{Name: "gateway"}); !errors.Is(err, ErrExists) {
			t.Errorf("same name again: %v, want ErrExists", err)
		}
		if _, err := s.CreateProduct(ctx, "alice", Product{Name: "  "}); err == nil {
			t.Error("a product with no name was created")
		}
		if _, err := s.Product(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown product: %v, want ErrNotFound", err)
		}

		// The current verdict is that of the latest evaluation of the
		// latest submission.
		first := mustSubmit(t, s, "gateway", `{"bom":1}`)
		record(t, s, first.ID, "d1", result.Pass)
		record(t, s, first.ID, "d2", result.Fail)
		p, err := s.Product(ctx, "gateway")
		if err != nil || p.Verdict != result.Fail || p.Latest != first.ID {
			t.Errorf("after two evaluations: %+v, %v; want fail of submission %d", p, err, first.ID)
		}
		second := mustSubmit(t, s, "gateway", `{"bom":2}`)
		if p, _ := s.Product(ctx, "gateway"); p.Verdict != "" || p.Latest != second.ID {
			t.Errorf("after an unevaluated submission: %+v; want no verdict, latest %d", p, second.ID)
		}
		record(t, s, second.ID, "d2", result.Pass)

		list, err := s.Products(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range list {
			got = append(got, p.Name+"="+string(p.Verdict))
		}
		if strings.Join(got, " ") != "appliance= gateway=pass" {
			t.Errorf("products: %v", got)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM audit WHERE action = ?", ActionProductCreate); n != 2 {
			t.Errorf("%d product.create audit entries, want 2", n)
		}
	})
}

// record stores an evaluation of a submission under a pack digest.
func record(t *testing.T, s *Store, sub int64, digest string, v result.Verdict) *Change {
	t.Helper()
	_, c, err := s.RecordEvaluation(context.Background(), Evaluation{
		SubmissionID: sub, PackVersion: "v-" + digest, PackDigest: digest, Verdict: v,
		Findings: json.RawMessage(`[{"id":"PDG-0123456789ABCDEF","severity":"high"}]`), EvaluatedBy: "worker",
	}, "rule KL-TEST")
	if err != nil {
		t.Fatalf("record %s under %s: %v", v, digest, err)
	}
	return c
}

func TestSubmitStoresEachContentOnce(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openTest(t, url)
		mustProduct(t, s, "gateway")
		mustProduct(t, s, "appliance")
		content := "{\"bomFormat\":\"CycloneDX\"}\x00\xff binary too"
		a := mustSubmit(t, s, "gateway", content)
		b := mustSubmit(t, s, "appliance", content)
		c := mustSubmit(t, s, "gateway", "other")
		if a.ID == b.ID || a.SHA256 != b.SHA256 || a.SHA256 == c.SHA256 {
			t.Errorf("submissions %+v %+v %+v", a, b, c)
		}
		if sum := sha256.Sum256([]byte(content)); a.SHA256 != hex.EncodeToString(sum[:]) || a.Size != int64(len(content)) {
			t.Errorf("sha256 %q size %d", a.SHA256, a.Size)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM blobs"); n != 2 {
			t.Errorf("%d blobs for two distinct contents, want 2", n)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM submissions"); n != 3 {
			t.Errorf("%d submissions, want 3", n)
		}
		data, err := s.Content(ctx, a.SHA256)
		if err != nil || !bytes.Equal(data, []byte(content)) {
			t.Errorf("content: %q, %v", data, err)
		}
		if _, err := s.Content(ctx, strings.Repeat("0", 64)); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown content: %v", err)
		}
		empty, err := s.Submit(ctx, "gateway", nil, Meta{Kind: ArtifactKind, SubmittedBy: "bob"})
		if err != nil || empty.Size != 0 {
			t.Errorf("empty submission: %+v, %v", empty, err)
		}

		got, err := s.Submission(ctx, a.ID)
		if err != nil || got.Product != "gateway" || got.Kind != SBOMKind || got.Format != "cyclonedx-json" || got.Filename != "bom.json" ||
			got.SubmittedBy != "bob" || !got.SubmittedAt.Equal(a.SubmittedAt) || got.Size != a.Size {
			t.Errorf("submission %d: %+v, %v; submitted %+v", a.ID, got, err, a)
		}
		if _, err := s.Submission(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown submission: %v", err)
		}
		list, err := s.Submissions(ctx, "gateway")
		if err != nil || len(list) != 3 || list[0].ID != empty.ID || list[2].ID != a.ID {
			t.Errorf("submissions of gateway, newest first: %+v, %v", list, err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM audit WHERE action = ?", ActionSubmit); n != 4 {
			t.Errorf("%d submission audit entries, want 4", n)
		}
	})
}

func TestSubmitRefuses(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		s := openTest(t, url)
		mustProduct(t, s, "gateway")
		for _, c := range []struct {
			name, product string
			meta          Meta
			want          string
		}{
			{"unknown product", "nope", Meta{Kind: SBOMKind, SubmittedBy: "bob"}, "not found"},
			{"unknown kind", "gateway", Meta{Kind: "zip", SubmittedBy: "bob"}, `kind "zip" is not one of sbom, artifact`},
			{"no submitter", "gateway", Meta{Kind: SBOMKind}, "no submitter"},
		} {
			t.Run(c.name, func(t *testing.T) {
				if _, err := s.Submit(context.Background(), c.product, []byte("x"), c.meta); err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %v, want %q", err, c.want)
				}
			})
		}
		if n := count(t, s, "SELECT COUNT(*) FROM blobs"); n != 0 {
			t.Errorf("refused submissions left %d blobs", n)
		}
	})
}

func TestVerdictChangesAreRecordedOnlyOnChange(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openTest(t, url)
		mustProduct(t, s, "gateway")
		mustProduct(t, s, "appliance")
		sub := mustSubmit(t, s, "gateway", "bom")
		other := mustSubmit(t, s, "appliance", "bom2")
		steps := []struct {
			digest string
			v      result.Verdict
			change string
		}{
			{"d1", result.Pass, ""},
			{"d2", result.Pass, ""},
			{"d3", result.Fail, "pass → fail under pack v-d3: rule KL-TEST"},
			{"d4", result.Fail, ""},
			{"d5", result.Incomplete, "fail → incomplete under pack v-d5: rule KL-TEST"},
		}
		var at []time.Time
		for _, step := range steps {
			c := record(t, s, sub.ID, step.digest, step.v)
			got := ""
			if c != nil {
				got = c.String()
				at = append(at, c.At)
				if c.Product != "gateway" || c.SubmissionID != sub.ID || c.EvaluationID == 0 || c.PackDigest != step.digest {
					t.Errorf("change %+v", c)
				}
			}
			if got != step.change {
				t.Errorf("%s %s: change %q, want %q", step.digest, step.v, got, step.change)
			}
		}
		record(t, s, other.ID, "d3", result.Pass)
		record(t, s, other.ID, "d5", result.Fail)

		if n := count(t, s, "SELECT COUNT(*) FROM verdict_changes"); n != 3 {
			t.Errorf("%d verdict changes, want 3", n)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM audit WHERE action = ?", ActionVerdictChange); n != 3 {
			t.Errorf("%d verdict-change audit entries, want 3", n)
		}
		e, err := s.LatestEvaluation(ctx, sub.ID)
		if err != nil || e.PackDigest != "d5" || e.Verdict != result.Incomplete || e.EvaluatedBy != "worker" {
			t.Errorf("latest evaluation %+v, %v", e, err)
		}
		var findings []map[string]string
		if err := json.Unmarshal(e.Findings, &findings); err != nil || len(findings) != 1 || findings[0]["id"] != "PDG-0123456789ABCDEF" {
			t.Errorf("findings %s: %v", e.Findings, err)
		}
		all, err := s.Evaluations(ctx, sub.ID)
		if err != nil || len(all) != 5 || all[0].PackDigest != "d5" || all[4].PackDigest != "d1" {
			t.Errorf("evaluations: %d, %v", len(all), err)
		}

		for _, c := range []struct {
			name string
			f    ChangeFilter
			want []string // products and "to" verdicts, oldest first
		}{
			{"all", ChangeFilter{}, []string{"gateway:fail", "gateway:incomplete", "appliance:fail"}},
			{"since the second change", ChangeFilter{Since: at[1]}, []string{"gateway:incomplete", "appliance:fail"}},
			{"since pack v-d5", ChangeFilter{SincePack: "v-d5"}, []string{"gateway:incomplete", "appliance:fail"}},
			{"since pack v-d3", ChangeFilter{SincePack: "v-d3"}, []string{"gateway:fail", "gateway:incomplete", "appliance:fail"}},
			{"of a product", ChangeFilter{Product: "appliance"}, []string{"appliance:fail"}},
			{"after the last", ChangeFilter{Since: clockStart.Add(time.Hour)}, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				changes, err := s.Changes(ctx, c.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, ch := range changes {
					got = append(got, ch.Product+":"+string(ch.To))
				}
				if strings.Join(got, " ") != strings.Join(c.want, " ") {
					t.Errorf("got %v, want %v", got, c.want)
				}
			})
		}
		if _, err := s.Changes(ctx, ChangeFilter{SincePack: "v-unknown"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("changes since an unknown pack: %v, want ErrNotFound", err)
		}
	})
}

func TestRecordEvaluationRefuses(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openTest(t, url)
		mustProduct(t, s, "gateway")
		sub := mustSubmit(t, s, "gateway", "bom")
		record(t, s, sub.ID, "d1", result.Pass)
		for _, c := range []struct {
			name string
			e    Evaluation
			is   error
			want string
		}{
			{"same digest twice", Evaluation{SubmissionID: sub.ID, PackDigest: "d1", Verdict: result.Fail}, ErrExists, ""},
			{"unknown submission", Evaluation{SubmissionID: 999, PackDigest: "d1", Verdict: result.Fail}, ErrNotFound, ""},
			{"unknown verdict", Evaluation{SubmissionID: sub.ID, PackDigest: "d2", Verdict: "PASS"}, nil, `verdict "PASS" is not one of`},
			{"no digest", Evaluation{SubmissionID: sub.ID, Verdict: result.Pass}, nil, "no pack digest"},
			{"findings not JSON", Evaluation{SubmissionID: sub.ID, PackDigest: "d2", Verdict: result.Pass, Findings: json.RawMessage("[")}, nil, "not JSON"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, _, err := s.RecordEvaluation(ctx, c.e, "")
				if err == nil || (c.is != nil && !errors.Is(err, c.is)) || !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %v, want %v %q", err, c.is, c.want)
				}
			})
		}
		if n := count(t, s, "SELECT COUNT(*) FROM evaluations"); n != 1 {
			t.Errorf("%d evaluations after refusals, want 1", n)
		}
		if _, err := s.LatestEvaluation(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("evaluation of an unknown submission: %v", err)
		}
	})
}
