package serve

import (
	"encoding/json"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/report"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// The JSON the API answers with (docs/api.md, openapi.yaml), which Client
// decodes too. Keys may be added; none may be renamed or removed under
// /api/v1. Lists are [], never null; times are RFC 3339, UTC.

// Product is a product with its current verdict: that of the latest
// evaluation of its latest submission, absent before it has one.
type Product struct {
	Name             string    `json:"name"`
	Supplier         string    `json:"supplier"`
	Owner            string    `json:"owner"`
	Created          time.Time `json:"created"`
	Verdict          string    `json:"verdict,omitempty"`
	LatestSubmission int64     `json:"latestSubmission,omitempty"`
	// Stale is true while the verdict is not under the signature pack and
	// waivers in force (the worker has still to redo it), and when there
	// is a submission but no verdict yet.
	Stale bool `json:"stale"`
}

// newProduct is the view of p when digest is the evaluation digest in
// force.
func newProduct(p store.Product, digest string) Product {
	return Product{Name: p.Name, Supplier: p.Supplier, Owner: p.Owner, Created: p.Created,
		Verdict: string(p.Verdict), LatestSubmission: p.Latest, Stale: p.Latest != 0 && p.Digest != digest}
}

// ProductDetail is GET /products/{name}: the product and its submissions,
// newest first, each with its latest verdict.
type ProductDetail struct {
	Product     Product          `json:"product"`
	Submissions []SubmissionItem `json:"submissions"`
}

// Submission is a stored submission.
type Submission struct {
	ID          int64     `json:"id"`
	Product     string    `json:"product"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	Kind        string    `json:"kind"`
	Format      string    `json:"format"`
	Filename    string    `json:"filename"`
	SubmittedBy string    `json:"submittedBy"`
	SubmittedAt time.Time `json:"submittedAt"`
}

func newSubmission(s store.Submission) Submission {
	return Submission{ID: s.ID, Product: s.Product, SHA256: s.SHA256, Size: s.Size, Kind: string(s.Kind),
		Format: s.Format, Filename: s.Filename, SubmittedBy: s.SubmittedBy, SubmittedAt: s.SubmittedAt}
}

// SubmissionItem is a submission in a product's list, with the verdict of
// its latest evaluation (absent before it has one).
type SubmissionItem struct {
	Submission
	Verdict string `json:"verdict,omitempty"`
}

// Evaluation is an evaluation without its findings.
type Evaluation struct {
	ID          int64  `json:"id"`
	PackVersion string `json:"packVersion"`
	// PackDigest is the signature pack's digest, as in the JSON report;
	// PolicyDigest, present when the gate or waivers were not the
	// defaults, that of the gate and the waivers it was evaluated with.
	PackDigest   string    `json:"packDigest"`
	PolicyDigest string    `json:"policyDigest,omitempty"`
	Verdict      string    `json:"verdict"`
	EvaluatedBy  string    `json:"evaluatedBy"`
	EvaluatedAt  time.Time `json:"evaluatedAt"`
}

func newEvaluation(e store.Evaluation) *Evaluation {
	pack, policy := splitDigest(e.PackDigest)
	return &Evaluation{ID: e.ID, PackVersion: e.PackVersion, PackDigest: pack, PolicyDigest: policy,
		Verdict: string(e.Verdict), EvaluatedBy: e.EvaluatedBy, EvaluatedAt: e.EvaluatedAt}
}

// Summary counts a submission's findings as the JSON report's summary
// does for one target.
type Summary struct {
	// Findings counts the findings no waiver suppressed, by severity.
	Findings report.SeverityCounts `json:"findings"`
	// Suppressed counts the findings waivers suppressed; Gating those
	// that fail the gate.
	Suppressed int `json:"suppressed"`
	Gating     int `json:"gating"`
	// FailOn is the gate: a severity, or "none".
	FailOn string `json:"failOn"`
}

// SubmissionResult is a submission with its latest evaluation (null
// before it has one) and that evaluation's findings, the findings array
// of the JSON report.
type SubmissionResult struct {
	Submission Submission      `json:"submission"`
	Evaluation *Evaluation     `json:"evaluation"`
	Findings   json.RawMessage `json:"findings"`
	Summary    Summary         `json:"summary"`
	// Warnings are the problems in the SBOM that did not stop its
	// evaluation; only in the answer to a submission.
	Warnings []string `json:"warnings,omitempty"`
	// ProductCreated is true when the submission created its product.
	ProductCreated bool `json:"productCreated,omitempty"`
	// Stale is true when the evaluation is not under the signature pack
	// and waivers in force (or there is none yet): the worker has still
	// to evaluate it again, and the verdict may change.
	Stale bool `json:"stale"`
}

// newSubmissionResult builds the view of sub and its evaluation e (nil
// for none) under the gate failOn.
func newSubmissionResult(sub store.Submission, e *store.Evaluation, failOn signature.Severity) SubmissionResult {
	res := SubmissionResult{Submission: newSubmission(sub), Findings: json.RawMessage("[]"),
		Summary: Summary{FailOn: string(failOn)}}
	if e == nil {
		return res
	}
	res.Evaluation = newEvaluation(*e)
	if len(e.Findings) > 0 {
		res.Findings = e.Findings
	}
	var fs []report.Finding
	if json.Unmarshal(e.Findings, &fs) == nil {
		for _, f := range fs {
			switch {
			case f.Suppressed:
				res.Summary.Suppressed++
				continue
			case f.Gating:
				res.Summary.Gating++
			}
			res.Summary.Findings.Add(signature.Severity(f.Severity))
		}
	}
	return res
}

// Change is a verdict change.
type Change struct {
	ID          int64     `json:"id"`
	Submission  int64     `json:"submission"`
	Evaluation  int64     `json:"evaluation"`
	Product     string    `json:"product"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	PackVersion string    `json:"packVersion"`
	PackDigest  string    `json:"packDigest"`
	Reason      string    `json:"reason"`
	At          time.Time `json:"at"`
	// Text is the change as a person reads it: "pass → fail under pack
	// 2026.12.1: rule KL-…".
	Text string `json:"text"`
}

func newChange(c store.Change) Change {
	pack, _ := splitDigest(c.PackDigest)
	return Change{ID: c.ID, Submission: c.SubmissionID, Evaluation: c.EvaluationID, Product: c.Product,
		From: string(c.From), To: string(c.To), PackVersion: c.PackVersion, PackDigest: pack, Reason: c.Reason,
		At: c.At, Text: c.String()}
}

// Waiver is a waiver with who approved it and whether it applies.
type Waiver struct {
	ID        int64  `json:"id"`
	Product   string `json:"product"`
	Rule      string `json:"rule"`
	Finding   string `json:"finding"`
	Component string `json:"component"`
	Reason    string `json:"reason"`
	Owner     string `json:"owner"`
	// Expires is the last day it applies, YYYY-MM-DD (UTC).
	Expires    string     `json:"expires"`
	ApprovedBy string     `json:"approvedBy"`
	Created    time.Time  `json:"created"`
	Revoked    *time.Time `json:"revoked,omitempty"`
	RevokedBy  string     `json:"revokedBy,omitempty"`
	// Active is true while it applies: neither revoked nor expired.
	Active bool `json:"active"`
}

func newWaiver(w store.Waiver, now time.Time) Waiver {
	v := Waiver{ID: w.ID, Product: w.Product, Rule: w.Rule, Finding: w.Finding, Component: w.Component,
		Reason: w.Reason, Owner: w.Owner, Expires: lastDay(w.Expires), ApprovedBy: w.ApprovedBy, Created: w.Created,
		RevokedBy: w.RevokedBy, Active: w.Active(now)}
	if !w.Revoked.IsZero() {
		t := w.Revoked
		v.Revoked = &t
	}
	return v
}

// Token is a token as stored: never its secret.
type Token struct {
	ID       int64      `json:"id"`
	Name     string     `json:"name"`
	Prefix   string     `json:"prefix"`
	Role     string     `json:"role"`
	Created  time.Time  `json:"created"`
	Revoked  *time.Time `json:"revoked,omitempty"`
	LastUsed *time.Time `json:"lastUsed,omitempty"`
}

func newTokenInfo(t store.Token) Token {
	v := Token{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Role: string(t.Role), Created: t.Created}
	if !t.Revoked.IsZero() {
		r := t.Revoked
		v.Revoked = &r
	}
	if !t.LastUsed.IsZero() {
		u := t.LastUsed
		v.LastUsed = &u
	}
	return v
}

// CreatedToken is the answer to POST /tokens: the token and, this once, its
// secret.
type CreatedToken struct {
	Token
	// Secret is the token itself.
	Secret string `json:"token"`
}

// AuditEntry is an entry of the audit trail.
type AuditEntry struct {
	ID      int64           `json:"id"`
	At      time.Time       `json:"at"`
	Actor   string          `json:"actor"`
	Action  string          `json:"action"`
	Subject string          `json:"subject"`
	Detail  json.RawMessage `json:"detail"`
}

// Status is GET /status: what the server evaluates with, and the
// re-evaluation still to do.
type Status struct {
	Version      string `json:"version"`
	PackVersion  string `json:"packVersion"`
	PackDigest   string `json:"packDigest"`
	PolicyDigest string `json:"policyDigest,omitempty"`
	Rules        int    `json:"rules"`
	FailOn       string `json:"failOn"`
	// Pending counts the submissions not yet evaluated under the pack and
	// policy in force.
	Pending  int    `json:"pending"`
	Database string `json:"database"`
}

// ReloadResult is POST /signatures/reload: the status after the reload,
// and whether it put another pack in force.
type ReloadResult struct {
	Status
	Changed bool `json:"changed"`
}
