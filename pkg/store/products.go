package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pedigree-sbom/pedigree/pkg/internal/enum"
	"github.com/pedigree-sbom/pedigree/pkg/result"
)

// Product is a product under review.
type Product struct {
	ID       int64
	Name     string
	Supplier string
	Owner    string
	Created  time.Time
	// Verdict is the product's current verdict: that of the latest
	// evaluation of its latest submission; "" when it has none yet.
	Verdict result.Verdict
	// Latest is the id of its latest submission, 0 when it has none.
	Latest int64
	// Digest is the pack digest its latest submission was last evaluated
	// under, "" before one: the verdict is stale when it is not the one
	// in force.
	Digest string
}

// CreateProduct records a new product and audits it as done by actor. A
// product of the same name is ErrExists.
func (s *Store) CreateProduct(ctx context.Context, actor string, p Product) (Product, error) {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" {
		return Product{}, fmt.Errorf("create product: the name is empty")
	}
	p.Created, p.Verdict, p.Latest = s.nowTime(), "", 0
	err := s.inTx(ctx, "create product "+p.Name, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q("INSERT INTO products (name, supplier, owner, created_at) VALUES (?, ?, ?, ?) RETURNING id"),
			p.Name, p.Supplier, p.Owner, micros(p.Created)).Scan(&p.ID)
		if s.isUnique(err) {
			return fmt.Errorf("create product %s: %w", p.Name, ErrExists)
		}
		if err != nil {
			return s.wrap(err, "create product %s", p.Name)
		}
		return s.audit(ctx, tx, p.Created, actor, ActionProductCreate, subject("product", p.ID),
			map[string]string{"name": p.Name, "supplier": p.Supplier, "owner": p.Owner})
	})
	if err != nil {
		return Product{}, err
	}
	return p, nil
}

// productQuery selects products with their current verdict; a WHERE
// clause may follow.
const productQuery = `SELECT p.id, p.name, p.supplier, p.owner, p.created_at,
    COALESCE(l.id, 0),
    COALESCE((SELECT e.verdict FROM evaluations e WHERE e.submission_id = l.id
        ORDER BY e.evaluated_at DESC, e.id DESC LIMIT 1), ''),
    COALESCE(l.evaluated_digest, '')
FROM products p
LEFT JOIN submissions l ON l.id = (SELECT s.id FROM submissions s WHERE s.product_id = p.id
    ORDER BY s.submitted_at DESC, s.id DESC LIMIT 1)`

// Products lists every product by name, each with its current verdict.
func (s *Store) Products(ctx context.Context) ([]Product, error) {
	return queryAll(ctx, s, "list products", scanProduct, productQuery+" ORDER BY p.name")
}

// Product returns the product named name, or ErrNotFound.
func (s *Store) Product(ctx context.Context, name string) (Product, error) {
	p, err := scanProduct(s.db.QueryRowContext(ctx, s.q(productQuery+" WHERE p.name = ?"), name))
	if errors.Is(err, sql.ErrNoRows) {
		return Product{}, fmt.Errorf("product %s: %w", name, ErrNotFound)
	}
	return p, s.wrap(err, "product %s", name)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanProduct(r scanner) (Product, error) {
	var p Product
	var created int64
	var verdict string
	if err := r.Scan(&p.ID, &p.Name, &p.Supplier, &p.Owner, &created, &p.Latest, &verdict, &p.Digest); err != nil {
		return Product{}, err
	}
	p.Created, p.Verdict = fromMicros(created), result.Verdict(verdict)
	return p, nil
}

// Kind is what a submission holds.
type Kind string

// Kinds of submission.
const (
	// SBOMKind: an SBOM, read as it is.
	SBOMKind Kind = "sbom"
	// ArtifactKind: a file, archive or image archive, from which an SBOM
	// is generated.
	ArtifactKind Kind = "artifact"
)

// AllKinds lists every kind of submission.
func AllKinds() []Kind { return []Kind{SBOMKind, ArtifactKind} }

// ParseKind returns the kind named s, and false when s names none.
func ParseKind(s string) (Kind, bool) { return enum.Parse(s, AllKinds()) }

// Meta is what a submitter says of a submission.
type Meta struct {
	Kind Kind
	// Format is the SBOM's format as ingest detected it ("cyclonedx-json"),
	// if known.
	Format string
	// Filename is the name the content was uploaded under.
	Filename string
	// SubmittedBy names the submitter; it is the audit's actor too.
	SubmittedBy string
}

// Submission is one content submitted for a product.
type Submission struct {
	ID        int64
	ProductID int64
	Product   string
	// SHA256 is the hex SHA-256 of the content, the key of its blob.
	SHA256 string
	Size   int64
	Meta
	SubmittedAt time.Time
}

// Submit stores data as a submission of the named product and returns it
// once committed. Content already stored (by SHA-256) is not stored again:
// the submission refers to the same blob. An unknown product is
// ErrNotFound.
func (s *Store) Submit(ctx context.Context, product string, data []byte, meta Meta) (Submission, error) {
	if _, ok := ParseKind(string(meta.Kind)); !ok {
		return Submission{}, fmt.Errorf("submit to %s: kind %q is not one of %s", product, meta.Kind, enum.Join(AllKinds(), ", "))
	}
	if strings.TrimSpace(meta.SubmittedBy) == "" {
		return Submission{}, fmt.Errorf("submit to %s: no submitter named", product)
	}
	sum := sha256.Sum256(data)
	sub := Submission{Product: product, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Meta: meta, SubmittedAt: s.nowTime()}
	if data == nil {
		data = []byte{}
	}
	err := s.inTx(ctx, "submit to "+product, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q("SELECT id FROM products WHERE name = ?"), product).Scan(&sub.ProductID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("submit to %s: product %w", product, ErrNotFound)
		}
		if err != nil {
			return s.wrap(err, "submit to %s", product)
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO blobs (sha256, size, bytes, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING"),
			sub.SHA256, sub.Size, data, micros(sub.SubmittedAt)); err != nil {
			return s.wrap(err, "submit to %s: store the content", product)
		}
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO submissions (product_id, blob_sha256, kind, format, filename, submitted_by, submitted_at)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			sub.ProductID, sub.SHA256, string(meta.Kind), meta.Format, meta.Filename, meta.SubmittedBy, micros(sub.SubmittedAt)).Scan(&sub.ID); err != nil {
			return s.wrap(err, "submit to %s", product)
		}
		return s.audit(ctx, tx, sub.SubmittedAt, meta.SubmittedBy, ActionSubmit, subject("submission", sub.ID),
			map[string]any{"product": product, "sha256": sub.SHA256, "size": sub.Size, "kind": meta.Kind, "format": meta.Format, "filename": meta.Filename})
	})
	if err != nil {
		return Submission{}, err
	}
	return sub, nil
}

// submissionQuery selects submissions with their product's name; a WHERE
// clause may follow.
const submissionQuery = `SELECT s.id, s.product_id, p.name, s.blob_sha256, b.size, s.kind, s.format, s.filename, s.submitted_by, s.submitted_at
FROM submissions s JOIN products p ON p.id = s.product_id JOIN blobs b ON b.sha256 = s.blob_sha256`

func scanSubmission(r scanner) (Submission, error) {
	var sub Submission
	var kind string
	var at int64
	if err := r.Scan(&sub.ID, &sub.ProductID, &sub.Product, &sub.SHA256, &sub.Size, &kind, &sub.Format, &sub.Filename, &sub.SubmittedBy, &at); err != nil {
		return Submission{}, err
	}
	sub.Kind, sub.SubmittedAt = Kind(kind), fromMicros(at)
	return sub, nil
}

// Submission returns the submission with that id, or ErrNotFound.
func (s *Store) Submission(ctx context.Context, id int64) (Submission, error) {
	sub, err := scanSubmission(s.db.QueryRowContext(ctx, s.q(submissionQuery+" WHERE s.id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Submission{}, fmt.Errorf("submission %d: %w", id, ErrNotFound)
	}
	return sub, s.wrap(err, "submission %d", id)
}

// Submissions lists the submissions of the named product, newest first.
func (s *Store) Submissions(ctx context.Context, product string) ([]Submission, error) {
	return s.submissions(ctx, "submissions of "+product, submissionQuery+" WHERE p.name = ? ORDER BY s.submitted_at DESC, s.id DESC", product)
}

func (s *Store) submissions(ctx context.Context, what, query string, args ...any) ([]Submission, error) {
	return queryAll(ctx, s, what, scanSubmission, s.q(query), args...)
}

// Content returns the bytes stored under a hex SHA-256, or ErrNotFound.
func (s *Store) Content(ctx context.Context, sha string) ([]byte, error) {
	var data []byte
	err := s.db.QueryRowContext(ctx, s.q("SELECT bytes FROM blobs WHERE sha256 = ?"), strings.ToLower(sha)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("content %s: %w", sha, ErrNotFound)
	}
	if err != nil {
		return nil, s.wrap(err, "content %s", sha)
	}
	return data, nil
}
