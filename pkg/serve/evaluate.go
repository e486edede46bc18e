package serve

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/internal/msgtext"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/report"
	"github.com/pedigree-sbom/pedigree/pkg/scan"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/store"
	"github.com/pedigree-sbom/pedigree/pkg/waiver"
)

// policySep joins the pack digest and the digest of the rest of the
// policy in the digest an evaluation is recorded under (see
// evaluator.digest).
const policySep = "+policy:"

// evaluator evaluates stored submissions as `pedigree scan` would
// evaluate the same file, with the waivers of the store.
type evaluator struct {
	store *store.Store
	// mu guards engine, which Server.ReloadSignatures replaces. Read it
	// with current, once per evaluation, and use that engine throughout,
	// so that no evaluation mixes two packs.
	mu          sync.RWMutex
	engine      *match.Engine
	failOn      signature.Severity // NoGate for none
	ingest      ingest.Options
	toolVersion string
	now         func() time.Time
	// generator makes the generator artifacts are inspected with, for
	// an engine; nil when the server takes SBOMs only.
	generator func(*match.Engine) scan.Generator
	// artifacts holds a token while an artifact is evaluated: one at a
	// time.
	artifacts chan struct{}
}

// current is the engine in force.
func (e *evaluator) current() *match.Engine {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.engine
}

// swap puts next in force.
func (e *evaluator) swap(next *match.Engine) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.engine = next
}

// scanFailOn is the gate as scan.Config takes it: "" for none.
func (e *evaluator) scanFailOn() signature.Severity {
	if e.failOn == NoGate {
		return ""
	}
	return e.failOn
}

// digest is what an evaluation is recorded under: the pack's digest when
// the policy is the default one (--fail-on high, and no waiver was ever
// made), else the pack's digest, "+policy:" and a digest of the gate and
// of every waiver, with whether it is revoked and whether it has expired
// as of today. The store keeps one evaluation of a submission per digest,
// so any change of the pack, the gate or the waivers (one made, revoked,
// or expiring) gives a new digest, and the worker re-evaluates every
// submission under it. Waivers only ever go from applying to revoked or
// expired, and new ones get new ids, so a policy digest never comes back
// for a different set of waivers in force; that is why revoked waivers
// count too: revoking the last waiver must not bring back the digest of
// the time before the first, whose evaluations would then not be redone.
// The pack is the engine in force (see digestFor).
func (e *evaluator) digest(ctx context.Context) (string, error) {
	return e.digestFor(ctx, e.current())
}

// digestFor is digest with the pack of eng.
func (e *evaluator) digestFor(ctx context.Context, eng *match.Engine) (string, error) {
	ws, err := e.store.Waivers(ctx, store.WaiverFilter{Revoked: true})
	if err != nil {
		return "", err
	}
	pack := eng.Set().Digest
	if e.failOn == signature.High && len(ws) == 0 {
		return pack, nil
	}
	now := e.now()
	h := sha256.New()
	fmt.Fprintf(h, "fail-on %s\n", e.failOn)
	for _, w := range ws {
		fmt.Fprintf(h, "waiver %d %q %q %q %q %s revoked=%t expired=%t\n", w.ID, w.Product, w.Rule, w.Finding, w.Component,
			w.Expires.UTC().Format(time.RFC3339), !w.Revoked.IsZero(), !now.Before(w.Expires))
	}
	return pack + policySep + hex.EncodeToString(h.Sum(nil))[:16], nil
}

// splitDigest parts a recorded digest into the pack's and the policy's
// ("" for the default policy).
func splitDigest(d string) (pack, policy string) {
	pack, policy, _ = strings.Cut(d, policySep)
	return pack, policy
}

// withPack is digest with its pack's part replaced by pack: the policy's
// part does not depend on the pack.
func withPack(digest, pack string) string {
	if _, policy := splitDigest(digest); policy != "" {
		return pack + policySep + policy
	}
	return pack
}

// outcome is one evaluation, before it is recorded.
type outcome struct {
	eval   store.Evaluation
	target report.Target
}

// evaluate evaluates the content of a submission of product under digest,
// as by evaluatedBy, with the engine in force. When that engine is not the
// one digest names (the pack was reloaded since digest was taken), the
// evaluation is recorded under the same policy and the pack it was made
// with: its pack version and digest are always those of the engine used.
// It fails only when the evaluation cannot run; an SBOM that cannot be
// read gets the verdict error.
//
// An artifact (sub.Kind) is written to a temporary file and inspected as
// scan inspects a file, with the generator made for the engine used.
func (e *evaluator) evaluate(ctx context.Context, sub store.Submission, data []byte, digest, evaluatedBy string) (outcome, error) {
	submission := sub.ID
	eng := e.current()
	digest = withPack(digest, eng.Set().Digest)
	ws, err := e.store.Waivers(ctx, store.WaiverFilter{Product: sub.Product})
	if err != nil {
		return outcome{}, err
	}
	waivers, err := toScanWaivers(ws)
	if err != nil {
		return outcome{}, err
	}
	now := e.now()
	cfg := scan.Config{
		Targets: []string{"-"}, Stdin: bytes.NewReader(data), Engine: eng, FailOn: e.scanFailOn(),
		Waivers: waivers, Ingest: e.ingest, Now: now, ToolName: "pedigree", ToolVersion: e.toolVersion, Workers: 1,
	}
	dir := ""
	if sub.Kind == store.ArtifactKind {
		path, tmp, cleanup, err := writeArtifact(data, sub.Filename)
		if err != nil {
			return outcome{}, fmt.Errorf("evaluate submission %d: %w", submission, err)
		}
		defer cleanup()
		release, err := e.acquireArtifact(ctx)
		if err != nil {
			return outcome{}, fmt.Errorf("evaluate submission %d: %w", submission, err)
		}
		defer release()
		cfg.Targets, cfg.Stdin, dir = []string{path}, nil, tmp
		if e.generator != nil { // else the scan says it generates no SBOMs: verdict error
			cfg.Generator = e.generator(eng)
		}
	}
	res, err := scan.Scan(ctx, cfg)
	if err != nil {
		return outcome{}, fmt.Errorf("evaluate submission %d: %w", submission, err)
	}
	doc := report.NewDocument(res)
	if len(doc.Targets) != 1 {
		return outcome{}, fmt.Errorf("evaluate submission %d: the scan reported %d targets", submission, len(doc.Targets))
	}
	t := doc.Targets[0]
	if dir != "" {
		t.Errors, t.Warnings = unplace(t.Errors, dir), unplace(t.Warnings, dir)
		for i := range t.Skipped {
			t.Skipped[i].Location = unplace([]string{t.Skipped[i].Location}, dir)[0]
			t.Skipped[i].Reason = unplace([]string{t.Skipped[i].Reason}, dir)[0]
		}
	}
	findings, err := json.Marshal(t.Findings)
	if err != nil {
		return outcome{}, fmt.Errorf("evaluate submission %d: %w", submission, err)
	}
	return outcome{
		eval: store.Evaluation{SubmissionID: submission, PackVersion: eng.Set().Version(), PackDigest: digest,
			Verdict: t.Verdict, Findings: findings, EvaluatedBy: evaluatedBy, EvaluatedAt: now},
		target: t,
	}, nil
}

// toScanWaivers turns the store's waivers into waiver file entries, for
// scan: each checked as a waiver file's entry is, its source "waiver:ID".
// Revoked waivers are left out.
func toScanWaivers(ws []store.Waiver) ([]waiver.Waiver, error) {
	out := make([]waiver.Waiver, 0, len(ws))
	for _, w := range ws {
		if !w.Revoked.IsZero() {
			continue
		}
		sw, err := toScanWaiver(waiver.Waiver{Finding: w.Finding, Rule: w.Rule, Component: w.Component,
			Reason: w.Reason, Owner: w.Owner, Expires: lastDay(w.Expires)})
		if err != nil {
			return nil, fmt.Errorf("waiver %d: %w", w.ID, err)
		}
		sw.Source = fmt.Sprintf("waiver:%d", w.ID)
		out = append(out, sw)
	}
	return out, nil
}

// toScanWaiver checks w as waiver.Parse checks a waiver file's entry and
// returns it as Parse does (with its expiry date read).
func toScanWaiver(w waiver.Waiver) (waiver.Waiver, error) {
	data, err := yaml.Marshal(waiver.File{Waivers: []waiver.Waiver{w}})
	if err != nil {
		return waiver.Waiver{}, fmt.Errorf("waiver: %w", err)
	}
	ws, err := waiver.Parse("waiver", data)
	if err != nil {
		// "waiver:2: reason is missing": the line is that of the YAML
		// written here, of no use to the client.
		msg := err.Error()
		for _, line := range []string{"waiver:2: ", "waiver:1: ", "waiver:0: "} {
			msg = strings.ReplaceAll(msg, line, "")
		}
		return waiver.Waiver{}, fmt.Errorf("%s", strings.ReplaceAll(msg, "\n", "; "))
	}
	if len(ws) != 1 {
		return waiver.Waiver{}, fmt.Errorf("waiver: read %d entries back", len(ws))
	}
	return ws[0], nil
}

// lastDay is the last day (YYYY-MM-DD, UTC) a waiver that stops applying
// at expires applies: the day before, when it expires at midnight.
func lastDay(expires time.Time) string {
	return expires.UTC().Add(-time.Nanosecond).Format("2006-01-02")
}

// changeReason says why a verdict changed between the previous
// evaluation's findings and the new target: the rules that now gate, the
// rules that no longer do, or the error that stopped the evaluation.
func changeReason(prev json.RawMessage, next report.Target) string {
	if len(next.Errors) > 0 {
		return msgtext.Clip(next.Errors[0], 200)
	}
	var before []report.Finding
	_ = json.Unmarshal(prev, &before) // unreadable: every rule is new
	was, now := gatingRules(before), gatingRules(next.Findings)
	var parts []string
	if added := minus(now, was); len(added) > 0 {
		parts = append(parts, rulesText(added))
	}
	if gone := minus(was, now); len(gone) > 0 {
		parts = append(parts, rulesText(gone)+" no longer gating")
	}
	if len(parts) == 0 && len(next.Skipped) > 0 {
		parts = append(parts, "not every part was read: "+msgtext.Clip(next.Skipped[0].Location+": "+next.Skipped[0].Reason, 200))
	}
	return strings.Join(parts, "; ")
}

// gatingRules are the sorted rule ids of the findings that gate.
func gatingRules(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		if !f.Gating {
			continue
		}
		for _, r := range f.Rules {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	slices.Sort(out)
	return out
}

// minus is the strings of a not in b.
func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// rulesText is "rule X" or "rules X, Y".
func rulesText(ids []string) string {
	if len(ids) == 1 {
		return "rule " + ids[0]
	}
	return "rules " + strings.Join(ids, ", ")
}
