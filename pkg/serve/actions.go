package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// The server's operations, as the API's handlers and the web UI (package
// webui) both call them: each takes who acts (store.Token.Actor) where the record
// keeps it, checks its input as the API does, and returns the API's
// views. An error carries the HTTP status to answer it with (ErrorStatus).

// ErrorStatus is the HTTP status of an error an operation returned and
// the message to show the client: a request error's own status and
// message; 404 and 409 for store.ErrNotFound and store.ErrExists (their
// messages name what); else 500 with a message that hides the cause (a
// database error), and internal true: the caller logs err.
func ErrorStatus(err error) (status int, msg string, internal bool) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae.status, ae.msg, false
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, err.Error(), false
	case errors.Is(err, store.ErrExists):
		return http.StatusConflict, err.Error(), false
	}
	return http.StatusInternalServerError, "internal error: the server logged the cause", true
}

// Upload is a submission as a client sends it.
type Upload struct {
	// Product names the product; it is made if it does not exist.
	Product string
	// Supplier and Owner describe a product the submission makes; they
	// are ignored when the product exists.
	Supplier, Owner string
	// Filename is the name the SBOM had on the client, if known.
	Filename string
	// Data is the SBOM, or the artifact.
	Data []byte
}

// TakesArtifacts reports whether the server accepts uploads that are not
// SBOMs (Config.Generator).
func (s *Server) TakesArtifacts() bool { return s.eval.generator != nil }

// MaxUploadBytes is the largest SBOM (or artifact) a submission may have:
// the limit sbom-bytes.
func (s *Server) MaxUploadBytes() int64 { return s.eval.ingest.MaxBytes }

// Submit stores u as a submission of its product by actor (making the
// product if it does not exist), evaluates it, records the evaluation,
// and returns both, once all of it is committed. An upload that is not
// an SBOM is an artifact when the server has a generator (see
// artifact.go), else refused. A submission that is
// stored but cannot be evaluated now is an error that says so; the
// re-evaluation worker evaluates it later.
func (s *Server) Submit(ctx context.Context, actor string, u Upload) (SubmissionResult, error) {
	name := u.Product
	if err := checkName("product", name); err != nil {
		return SubmissionResult{}, err
	}
	for _, f := range []struct{ name, v string }{{"filename", u.Filename}, {"supplier", u.Supplier}, {"owner", u.Owner}} {
		if f.v != "" {
			if err := checkText(f.name, f.v, maxNameBytes, false); err != nil {
				return SubmissionResult{}, err
			}
		}
	}
	if max := s.MaxUploadBytes(); int64(len(u.Data)) > max {
		return SubmissionResult{}, &apiError{status: http.StatusRequestEntityTooLarge, limit: "sbom-bytes",
			msg: fmt.Sprintf("the SBOM is larger than %d bytes (limit sbom-bytes)", max)}
	}
	if len(bytes.TrimSpace(u.Data)) == 0 {
		return SubmissionResult{}, apiErrorf(http.StatusBadRequest, "the SBOM is empty")
	}
	input := u.Filename
	if input == "" {
		input = "upload"
	}
	kind, format := store.SBOMKind, ""
	doc, err := ingest.Decode(input, bytes.NewReader(u.Data), s.eval.ingest)
	switch {
	case err == nil:
		format = string(doc.Format)
	case ingest.KindOf(err) == ingest.KindNotSBOM && s.eval.generator != nil:
		kind = store.ArtifactKind
	default:
		return SubmissionResult{}, ingestError(err)
	}
	doc = nil

	created := false
	if _, err := s.store.Product(ctx, name); errors.Is(err, store.ErrNotFound) {
		_, err = s.store.CreateProduct(ctx, actor, store.Product{Name: name, Supplier: u.Supplier, Owner: u.Owner})
		switch {
		case err == nil:
			created = true
		case !errors.Is(err, store.ErrExists): // made by another request meanwhile
			return SubmissionResult{}, err
		}
	} else if err != nil {
		return SubmissionResult{}, err
	}
	digest, err := s.eval.digest(ctx)
	if err != nil {
		return SubmissionResult{}, err
	}
	sub, err := s.store.Submit(ctx, name, u.Data, store.Meta{Kind: kind, Format: format, Filename: u.Filename, SubmittedBy: actor})
	if err != nil {
		return SubmissionResult{}, err
	}
	// Stored: from here on, finish even if the client goes away.
	ctx = background(ctx)
	stored := func(err error) error {
		s.log.Error("evaluation of a new submission failed", "submission", sub.ID, "product", name, "err", err)
		return apiErrorf(http.StatusInternalServerError,
			"submission %d is stored, but it could not be evaluated now; the re-evaluation worker will evaluate it", sub.ID)
	}
	out, err := s.eval.evaluate(ctx, sub, u.Data, digest, actor)
	if err != nil {
		return SubmissionResult{}, stored(err)
	}
	e, _, err := s.store.RecordEvaluation(ctx, out.eval, "")
	if errors.Is(err, store.ErrExists) { // a worker evaluated it first
		e, err = s.store.LatestEvaluation(ctx, sub.ID)
	}
	if err != nil {
		return SubmissionResult{}, stored(err)
	}
	res := newSubmissionResult(sub, &e, s.eval.failOn)
	res.Warnings, res.ProductCreated = out.target.Warnings, created
	return res, nil
}

// Products lists every product with its current verdict, and whether that
// verdict is stale.
func (s *Server) Products(ctx context.Context) ([]Product, error) {
	ps, err := s.store.Products(ctx)
	if err != nil {
		return nil, err
	}
	digest, err := s.eval.digest(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Product, 0, len(ps))
	for _, p := range ps {
		out = append(out, newProduct(p, digest))
	}
	return out, nil
}

// ProductDetail is a product and its submissions, newest first, each with
// its latest verdict.
func (s *Server) ProductDetail(ctx context.Context, name string) (ProductDetail, error) {
	p, err := s.store.Product(ctx, name)
	if err != nil {
		return ProductDetail{}, err
	}
	subs, err := s.store.Submissions(ctx, name)
	if err != nil {
		return ProductDetail{}, err
	}
	digest, err := s.eval.digest(ctx)
	if err != nil {
		return ProductDetail{}, err
	}
	d := ProductDetail{Product: newProduct(p, digest), Submissions: make([]SubmissionItem, 0, len(subs))}
	for _, sub := range subs {
		item := SubmissionItem{Submission: newSubmission(sub)}
		e, err := s.store.LatestEvaluation(ctx, sub.ID)
		switch {
		case err == nil:
			item.Verdict = string(e.Verdict)
		case !errors.Is(err, store.ErrNotFound):
			return ProductDetail{}, err
		}
		d.Submissions = append(d.Submissions, item)
	}
	return d, nil
}

// Submission is a submission with its latest evaluation and findings.
func (s *Server) Submission(ctx context.Context, id int64) (SubmissionResult, error) {
	sub, err := s.store.Submission(ctx, id)
	if err != nil {
		return SubmissionResult{}, err
	}
	var ep *store.Evaluation
	e, err := s.store.LatestEvaluation(ctx, id)
	switch {
	case err == nil:
		ep = &e
	case !errors.Is(err, store.ErrNotFound):
		return SubmissionResult{}, err
	}
	res := newSubmissionResult(sub, ep, s.eval.failOn)
	digest, err := s.eval.digest(ctx)
	if err != nil {
		return SubmissionResult{}, err
	}
	res.Stale = ep == nil || ep.PackDigest != digest
	return res, nil
}

// Evaluations lists every evaluation of a submission, newest first,
// without their findings.
func (s *Server) Evaluations(ctx context.Context, id int64) ([]Evaluation, error) {
	es, err := s.store.Evaluations(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]Evaluation, 0, len(es))
	for _, e := range es {
		out = append(out, *newEvaluation(e))
	}
	return out, nil
}

// Changes lists the verdict changes f selects.
func (s *Server) Changes(ctx context.Context, f store.ChangeFilter) ([]Change, error) {
	cs, err := s.store.Changes(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Change, 0, len(cs))
	for _, ch := range cs {
		out = append(out, newChange(ch))
	}
	return out, nil
}

// Waivers lists the waivers f selects, with whether each applies now.
func (s *Server) Waivers(ctx context.Context, f store.WaiverFilter) ([]Waiver, error) {
	ws, err := s.store.Waivers(ctx, f)
	if err != nil {
		return nil, err
	}
	now := s.eval.now()
	out := make([]Waiver, 0, len(ws))
	for _, wv := range ws {
		out = append(out, newWaiver(wv, now))
	}
	return out, nil
}

// CreateWaiver checks req as a waiver file's entry is checked, records
// the waiver as approved by actor, and wakes the re-evaluation workers.
func (s *Server) CreateWaiver(ctx context.Context, actor string, req WaiverRequest) (Waiver, error) {
	now := s.eval.now()
	wv, err := req.waiver(actor, now)
	if err != nil {
		return Waiver{}, err
	}
	wv, err = s.store.CreateWaiver(ctx, actor, wv)
	if err != nil {
		return Waiver{}, err
	}
	s.wakeWorkers()
	return newWaiver(wv, now), nil
}

// RevokeWaiver revokes waiver id as done by actor, and wakes the
// re-evaluation workers.
func (s *Server) RevokeWaiver(ctx context.Context, actor string, id int64) error {
	if err := s.store.RevokeWaiver(ctx, actor, id); err != nil {
		return err
	}
	s.wakeWorkers()
	return nil
}

// Now is the server's clock.
func (s *Server) Now() time.Time { return s.eval.now() }
