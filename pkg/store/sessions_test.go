package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
)

func TestSessions(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openTest(t, url)
		c := &clock{t: clockStart}
		s.now = c.now
		tokSecret, tok, err := s.CreateToken(ctx, "admin", "carol", Reviewer)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"", "pdg_nope", "pds_x", tokSecret + "x"} {
			if _, _, err := s.OpenSession(ctx, bad, time.Hour); !errors.Is(err, ErrUnauthorized) {
				t.Errorf("open with token %q: %v, want ErrUnauthorized", bad, err)
			}
		}
		secret, got, err := s.OpenSession(ctx, tokSecret, time.Hour)
		if err != nil || got.ID != tok.ID || !strings.HasPrefix(secret, SessionPrefix) || len(secret) != len(SessionPrefix)+43 {
			t.Fatalf("open: %q %+v %v", secret, got, err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM sessions WHERE hash = ?", hashToken(secret)); n != 1 {
			t.Errorf("%d sessions stored under the secret's hash, want 1", n)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM audit WHERE detail LIKE ? OR subject LIKE ?", "%"+secret[4:]+"%", "%"+secret[4:]+"%"); n != 0 {
			t.Error("the session secret is in the audit trail")
		}
		as, err := s.Session(ctx, secret)
		if err != nil || as.ID != tok.ID || as.Role != Reviewer || as.Actor() != "carol (token 1)" {
			t.Errorf("session: %+v %v", as, err)
		}
		for _, bad := range []string{"", tokSecret, secret[:len(secret)-1], SessionPrefix, strings.TrimPrefix(secret, SessionPrefix)} {
			if _, err := s.Session(ctx, bad); !errors.Is(err, ErrUnauthorized) {
				t.Errorf("session %q: %v, want ErrUnauthorized", bad, err)
			}
		}

		// A session ends at its end, when it is closed, or when its token
		// is revoked.
		c.advance(time.Hour)
		if _, err := s.Session(ctx, secret); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("session after its hour: %v, want ErrUnauthorized", err)
		}
		second, _, err := s.OpenSession(ctx, tokSecret, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM sessions"); n != 1 {
			t.Errorf("%d sessions after opening one when the other had ended, want 1 (ended ones removed)", n)
		}
		if err := s.CloseSession(ctx, "carol", second); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, second); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("closed session: %v, want ErrUnauthorized", err)
		}
		if err := s.CloseSession(ctx, "carol", second); err != nil {
			t.Errorf("close twice: %v", err)
		}
		third, _, err := s.OpenSession(ctx, tokSecret, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeToken(ctx, "admin", tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, third); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("session of a revoked token: %v, want ErrUnauthorized", err)
		}
		if _, _, err := s.OpenSession(ctx, tokSecret, time.Hour); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("open with a revoked token: %v, want ErrUnauthorized", err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM audit WHERE action = ?", ActionSessionOpen); n != 3 {
			t.Errorf("%d session.open audit entries, want 3", n)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM audit WHERE action = ?", ActionSessionClose); n != 1 {
			t.Errorf("%d session.close audit entries, want 1", n)
		}
	})
}
