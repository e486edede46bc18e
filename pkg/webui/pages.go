package webui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/report"
	"github.com/pedigree-sbom/pedigree/pkg/serve"
	"github.com/pedigree-sbom/pedigree/pkg/store"
)

// verdicts are the verdicts a product list can be filtered by, "none"
// for products not yet evaluated.
var verdicts = []string{"fail", "error", "incomplete", "review", "pass", "none"}

// productsView is the product list.
type productsView struct {
	Products []serve.Product
	All      int
	Query    string
	Verdict  string
	Verdicts []string
	Counts   map[string]int
}

func (u *ui) products(w http.ResponseWriter, r *http.Request, vis *visit, v view) error {
	q := r.URL.Query()
	all, err := u.srv.Products(r.Context())
	if err != nil {
		return err
	}
	pv := productsView{All: len(all), Query: strings.TrimSpace(q.Get("q")), Verdict: q.Get("verdict"),
		Verdicts: verdicts, Counts: map[string]int{}}
	if pv.Verdict != "" && !slices.Contains(verdicts, pv.Verdict) {
		return pageErrorf(http.StatusBadRequest, "verdict %q is not one of %s", shortText(pv.Verdict, 40), strings.Join(verdicts, ", "))
	}
	needle := strings.ToLower(pv.Query)
	for _, p := range all {
		verdict := verdictText(p.Verdict)
		pv.Counts[verdict]++
		if pv.Verdict != "" && verdict != pv.Verdict {
			continue
		}
		if needle != "" && !strings.Contains(strings.ToLower(p.Name+"\x00"+p.Supplier+"\x00"+p.Owner), needle) {
			continue
		}
		pv.Products = append(pv.Products, p)
	}
	// The products that need attention first: failing, then those not
	// judged, then the rest, each by name.
	slices.SortStableFunc(pv.Products, func(a, b serve.Product) int {
		return slices.Index(verdicts, verdictText(a.Verdict)) - slices.Index(verdicts, verdictText(b.Verdict))
	})
	v.Title, v.Nav, v.Data = "Products", "products", pv
	u.render(w, http.StatusOK, "products", v)
	return nil
}

// productView is a product's page.
type productView struct {
	Detail  serve.ProductDetail
	Latest  *submissionView
	Waivers []waiverRow
}

func (u *ui) product(w http.ResponseWriter, r *http.Request, vis *visit, v view) error {
	name := r.PathValue("name")
	d, err := u.srv.ProductDetail(r.Context(), name)
	if err != nil {
		return err
	}
	pv := productView{Detail: d}
	if len(d.Submissions) > 0 {
		sv, err := u.submissionView(r, d.Submissions[0].ID)
		if err != nil {
			return err
		}
		pv.Latest = sv
	}
	ws, err := u.srv.Waivers(r.Context(), store.WaiverFilter{Product: name})
	if err != nil {
		return err
	}
	pv.Waivers = waiverRows(ws, u.srv.Now())
	v.Title, v.Nav, v.Data = name, "products", pv
	v.Notice = notice(r)
	u.render(w, http.StatusOK, "product", v)
	return nil
}

// submissionView is a submission's page, and the latest submission on a
// product's page.
type submissionView struct {
	serve.SubmissionResult
	Findings    []report.Finding
	Evaluations []serve.Evaluation
	// Back is the path of the page, for the forms that return to it.
	Back string
	// DefaultExpiry is the expiry a new waiver's form proposes.
	DefaultExpiry string
	Today         string
}

func (u *ui) submissionView(r *http.Request, id int64) (*submissionView, error) {
	res, err := u.srv.Submission(r.Context(), id)
	if err != nil {
		return nil, err
	}
	sv := &submissionView{SubmissionResult: res, Back: r.URL.Path}
	if err := json.Unmarshal(res.Findings, &sv.Findings); err != nil {
		return nil, fmt.Errorf("submission %d: read its findings: %w", id, err)
	}
	if sv.Evaluations, err = u.srv.Evaluations(r.Context(), id); err != nil {
		return nil, err
	}

	today := u.srv.Now().UTC()
	sv.Today, sv.DefaultExpiry = today.Format("2006-01-02"), today.AddDate(0, 0, 90).Format("2006-01-02")
	return sv, nil
}

func (u *ui) submission(w http.ResponseWriter, r *http.Request, vis *visit, v view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return pageErrorf(http.StatusNotFound, "no submission %q", shortText(r.PathValue("id"), 40))
	}
	sv, err := u.submissionView(r, id)
	if err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = fmt.Sprintf("Submission %d of %s", id, sv.Submission.Product), "products", sv
	v.Notice = notice(r)
	u.render(w, http.StatusOK, "submission", v)
	return nil
}

// notice is the message a redirect after a change asks a page to show.
func notice(r *http.Request) string {
	q := r.URL.Query()
	switch {
	case q.Get("waived") != "":
		return fmt.Sprintf("Waiver %s recorded. The submissions it covers are re-evaluated in the background; reload the page to see their new verdicts.", shortText(q.Get("waived"), 20))
	case q.Get("revoked") != "":
		return fmt.Sprintf("Waiver %s revoked. The submissions it covered are re-evaluated in the background.", shortText(q.Get("revoked"), 20))
	case q.Get("submitted") != "":
		return "Submitted and evaluated."
	}
	return ""
}

// uploadView is the upload form.
type uploadView struct {
	// Artifacts is true when files other than SBOMs are taken.
	Artifacts bool
	Product   string
	Products  []string
	MaxBytes  int64
	MaxText   string
}

func (u *ui) uploadView(r *http.Request, product string) (uploadView, error) {
	ps, err := u.srv.Products(r.Context())
	if err != nil {
		return uploadView{}, err
	}
	uv := uploadView{Product: product, MaxBytes: u.srv.MaxUploadBytes(), MaxText: sizeText(u.srv.MaxUploadBytes()),
		Artifacts: u.srv.TakesArtifacts()}
	for _, p := range ps {
		uv.Products = append(uv.Products, p.Name)
	}
	return uv, nil
}

func (u *ui) uploadForm(w http.ResponseWriter, r *http.Request, vis *visit, v view) error {
	uv, err := u.uploadView(r, r.URL.Query().Get("product"))
	if err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = "Upload", "upload", uv
	u.render(w, http.StatusOK, "upload", v)
	return nil
}

// upload reads the upload form (multipart: csrf, product, file), bounded
// by the limit sbom-bytes, and submits the file: the same checks and
// evaluation as the API's submission. The CSRF token is checked before
// anything is stored.
func (u *ui) upload(w http.ResponseWriter, r *http.Request, vis *visit, v view) error {
	max := u.srv.MaxUploadBytes()
	r.Body = http.MaxBytesReader(w, r.Body, max+maxFormBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return pageErrorf(http.StatusBadRequest, "the upload form could not be read: %v", err)
	}
	var csrf, product, supplier, owner, filename string
	var data []byte
	var seenFile bool
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return uploadReadError(err, max)
		}
		switch part.FormName() {
		case "csrf":
			csrf, err = formValue(part)
		case "product":
			product, err = formValue(part)
		case "supplier":
			supplier, err = formValue(part)
		case "owner":
			owner, err = formValue(part)
		case "file":
			seenFile, filename = true, part.FileName()
			data, err = io.ReadAll(io.LimitReader(part, max+1))
			if err == nil && int64(len(data)) > max {
				err = pageErrorf(http.StatusRequestEntityTooLarge, "the file is larger than %s (limit sbom-bytes)", sizeText(max))
			}
		default:
			err = pageErrorf(http.StatusBadRequest, "the upload form has an unknown field %q", shortText(part.FormName(), 40))
		}
		part.Close()
		if err != nil {
			return uploadReadError(err, max)
		}
	}
	if err := checkCSRF(v.CSRF, csrf); err != nil {
		return err
	}
	uv, err := u.uploadView(r, product)
	if err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = "Upload", "upload", uv
	retry := func(status int, msg string) error {
		v.Error = msg
		u.render(w, status, "upload", v)
		return nil
	}
	if !seenFile || len(data) == 0 {
		return retry(http.StatusBadRequest, "choose the file to upload")
	}
	res, err := u.srv.Submit(r.Context(), vis.token.Actor(), serve.Upload{Product: strings.TrimSpace(product),
		Supplier: strings.TrimSpace(supplier), Owner: strings.TrimSpace(owner), Filename: filename, Data: data})
	if err != nil {
		status, msg, internal := serve.ErrorStatus(err)
		if internal {
			u.log.Error("web ui: upload", "product", product, "err", err)
		}
		return retry(status, msg)
	}
	http.Redirect(w, r, fmt.Sprintf("/submissions/%d?submitted=1", res.Submission.ID), http.StatusSeeOther)
	return nil
}

// formValue reads a small field of a multipart form.
func formValue(p *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, 4097))
	if err != nil {
		return "", err
	}
	if len(b) > 4096 {
		return "", pageErrorf(http.StatusBadRequest, "the form field %q is longer than 4096 bytes", shortText(p.FormName(), 40))
	}
	return string(b), nil
}

// uploadReadError is the answer to an upload that could not be read: 413
// naming the limit when the body was too large.
func uploadReadError(err error, max int64) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return pageErrorf(http.StatusRequestEntityTooLarge, "the upload is larger than %s (limit sbom-bytes)", sizeText(max))
	}
	var pe *pageError
	if errors.As(err, &pe) {
		return pe
	}
	return pageErrorf(http.StatusBadRequest, "the upload could not be read: %v", err)
}

// sizeText is a byte count as a person reads it.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// changesView is the list of verdict changes.
type changesView struct {
	Changes []serve.Change
	// Pack is the pack version the list starts at ("" when by date);
	// Since the date.
	Pack, Since string
	// NoneYet is true when nothing has been evaluated under Pack yet.
	NoneYet bool
}

func (u *ui) changes(w http.ResponseWriter, r *http.Request, vis *visit, v view) error {
	q := r.URL.Query()
	cv := changesView{Since: q.Get("since"), Pack: q.Get("pack")}
	var f store.ChangeFilter
	switch {
	case cv.Since != "":
		t, err := time.Parse("2006-01-02", cv.Since)
		if err != nil {
			return pageErrorf(http.StatusBadRequest, "since %q is not a date, YYYY-MM-DD", shortText(cv.Since, 40))
		}
		f.Since, cv.Pack = t, ""
	case cv.Pack == "":
		cv.Pack = u.srv.PackVersion()
		fallthrough
	default:
		f.SincePack = cv.Pack
	}
	cs, err := u.srv.Changes(r.Context(), f)
	if errors.Is(err, store.ErrNotFound) && f.SincePack != "" {
		cv.NoneYet, err = true, nil
	}
	if err != nil {
		return err
	}
	slices.Reverse(cs) // newest first
	cv.Changes = cs
	v.Title, v.Nav, v.Data = "Changed after the last pack update", "changes", cv
	u.render(w, http.StatusOK, "changes", v)
	return nil
}

// waiverRow is a waiver in a list, with how soon it expires.
type waiverRow struct {
	serve.Waiver
	// DaysLeft is the number of days it still applies, counting today;
	// Soon is true when that is 14 or fewer, Expired when none.
	DaysLeft      int
	Soon, Expired bool
}

// expiringDays is how close to its expiry a waiver is flagged.
const expiringDays = 14

func waiverRows(ws []serve.Waiver, now time.Time) []waiverRow {
	y, m, d := now.UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	out := make([]waiverRow, 0, len(ws))
	for _, w := range ws {
		row := waiverRow{Waiver: w}
		if last, err := time.Parse("2006-01-02", w.Expires); err == nil {
			row.DaysLeft = int(last.Sub(today).Hours()/24) + 1
		}
		row.Expired = row.DaysLeft <= 0
		row.Soon = !row.Expired && row.DaysLeft <= expiringDays && w.Revoked == nil
		out = append(out, row)
	}
	return out
}

// waiversView is the waiver list.
type waiversView struct {
	Waivers  []waiverRow
	Revoked  bool
	Expiring int
	// Products, Today and DefaultExpiry fill the new waiver's form.
	Products             []string
	Today, DefaultExpiry string
}

func (u *ui) waivers(w http.ResponseWriter, r *http.Request, vis *visit, v view) error {
	revoked := r.URL.Query().Get("revoked") == "1"
	ws, err := u.srv.Waivers(r.Context(), store.WaiverFilter{Revoked: revoked})
	if err != nil {
		return err
	}
	today := u.srv.Now().UTC()
	wv := waiversView{Waivers: waiverRows(ws, today), Revoked: revoked,
		Today: today.Format("2006-01-02"), DefaultExpiry: today.AddDate(0, 0, 90).Format("2006-01-02")}
	ps, err := u.srv.Products(r.Context())
	if err != nil {
		return err
	}
	for _, p := range ps {
		wv.Products = append(wv.Products, p.Name)
	}
	slices.Reverse(wv.Waivers) // newest first
	for _, row := range wv.Waivers {
		if row.Soon {
			wv.Expiring++
		}
	}
	v.Title, v.Nav, v.Data = "Waivers", "waivers", wv
	v.Notice = notice(r)
	u.render(w, http.StatusOK, "waivers", v)
	return nil
}

// createWaiver records the waiver of the form and returns to the page the
// form was on.
func (u *ui) createWaiver(w http.ResponseWriter, r *http.Request, vis *visit, v view) error {
	f := r.PostForm
	req := serve.WaiverRequest{Product: f.Get("product"), Rule: strings.TrimSpace(f.Get("rule")), Finding: f.Get("finding"),
		Component: strings.TrimSpace(f.Get("component")), Reason: strings.TrimSpace(f.Get("reason")),
		Owner: strings.TrimSpace(f.Get("owner")), Expires: f.Get("expires")}
	if f.Get("scope") == "all" {
		req.Product = ""
	}
	wv, err := u.srv.CreateWaiver(r.Context(), vis.token.Actor(), req)
	if err != nil {
		return err
	}
	http.Redirect(w, r, withQuery(localPath(f.Get("back")), "waived", strconv.FormatInt(wv.ID, 10)), http.StatusSeeOther)
	return nil
}

func (u *ui) revokeWaiver(w http.ResponseWriter, r *http.Request, vis *visit, v view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return pageErrorf(http.StatusNotFound, "no waiver %q", shortText(r.PathValue("id"), 40))
	}
	if err := u.srv.RevokeWaiver(r.Context(), vis.token.Actor(), id); err != nil {
		return err
	}
	http.Redirect(w, r, withQuery("/waivers", "revoked", strconv.FormatInt(id, 10)), http.StatusSeeOther)
	return nil
}

// withQuery is path with key=value set in its query.
func withQuery(path, key, value string) string {
	p, q, _ := strings.Cut(path, "?")
	vals, _ := url.ParseQuery(q)
	vals.Set(key, value)
	return p + "?" + vals.Encode()
}

// auditRows is how many of the latest audit entries the audit page shows.
const auditRows = 500

// auditView is the audit page.
type auditView struct {
	Entries []store.AuditEntry
	Max     int
}

// audit shows the latest entries of the audit trail, newest first: who
// made, waived, revoked, submitted, logged in, and which verdicts and
// packs changed. Admins only, as the API's audit route.
func (u *ui) audit(w http.ResponseWriter, r *http.Request, vis *visit, v view) error {
	es, err := u.store.RecentAudit(r.Context(), auditRows)
	if err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = "Audit trail", "audit", auditView{Entries: es, Max: auditRows}
	u.render(w, http.StatusOK, "audit", v)
	return nil
}
