package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
)

func TestWaivers(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openTest(t, url)
		mustProduct(t, s, "gateway")
		mustProduct(t, s, "appliance")
		expires := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
		base := Waiver{Reason: "engine removed in 7.3", Owner: "sec@example.com", ApprovedBy: "carol", Expires: expires}
		global := base
		global.Rule = "KL-INFO-MENTION"
		gw := base
		gw.Product, gw.Finding, gw.Component = "gateway", "PDG-0123456789ABCDEF", "pkg:generic/kav-sdk*"
		ap := base
		ap.Product, ap.Rule = "appliance", "KL-ENGINE"

		var made []Waiver
		for _, w := range []Waiver{global, gw, ap} {
			got, err := s.CreateWaiver(ctx, "carol", w)
			if err != nil {
				t.Fatalf("create %+v: %v", w, err)
			}
			if got.ID == 0 || got.Created.IsZero() || !got.Expires.Equal(expires) || !got.Active(clockStart) || got.Active(expires) {
				t.Errorf("created %+v", got)
			}
			made = append(made, got)
		}
		names := func(ws []Waiver) string {
			var out []string
			for _, w := range ws {
				out = append(out, w.Product+"/"+w.Rule+w.Finding)
			}
			return strings.Join(out, " ")
		}
		for _, c := range []struct {
			f    WaiverFilter
			want string
		}{
			{WaiverFilter{}, "/KL-INFO-MENTION gateway/PDG-0123456789ABCDEF appliance/KL-ENGINE"},
			{WaiverFilter{Product: "gateway"}, "/KL-INFO-MENTION gateway/PDG-0123456789ABCDEF"},
		} {
			got, err := s.Waivers(ctx, c.f)
			if err != nil || names(got) != c.want {
				t.Errorf("%+v: %q, %v; want %q", c.f, names(got), err, c.want)
			}
		}
		got, _ := s.Waivers(ctx, WaiverFilter{Product: "gateway"})
		if w := got[1]; w.Component != gw.Component || w.Reason != gw.Reason || w.Owner != gw.Owner || w.ApprovedBy != "carol" || !w.Revoked.IsZero() {
			t.Errorf("listed %+v", w)
		}

		if err := s.RevokeWaiver(ctx, "dave", made[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeWaiver(ctx, "dave", made[0].ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoke twice: %v, want ErrNotFound", err)
		}
		if err := s.RevokeWaiver(ctx, "dave", 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoke unknown: %v, want ErrNotFound", err)
		}
		if got, _ := s.Waivers(ctx, WaiverFilter{Product: "gateway"}); names(got) != "gateway/PDG-0123456789ABCDEF" {
			t.Errorf("after revoking the global waiver: %q", names(got))
		}
		all, _ := s.Waivers(ctx, WaiverFilter{Revoked: true})
		if len(all) != 3 || all[0].Revoked.IsZero() || all[0].RevokedBy != "dave" || all[0].Active(clockStart) {
			t.Errorf("with revoked: %+v", all)
		}

		entries, err := s.Audit(ctx, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		var trail []string
		for _, e := range entries {
			if strings.HasPrefix(e.Action, "waiver.") {
				trail = append(trail, e.Actor+" "+e.Action+" "+e.Subject)
			}
		}
		want := []string{"carol waiver.create waiver:1", "carol waiver.create waiver:2", "carol waiver.create waiver:3", "dave waiver.revoke waiver:1"}
		if strings.Join(trail, "; ") != strings.Join(want, "; ") {
			t.Errorf("audit trail %q, want %q", trail, want)
		}
		if last, err := s.Audit(ctx, time.Time{}, 1); err != nil || len(last) != 1 {
			t.Errorf("audit limit 1: %d entries, %v", len(last), err)
		}
	})
}

func TestCreateWaiverRefuses(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		s := openTest(t, url)
		ok := Waiver{Rule: "KL-ENGINE", Reason: "r", Owner: "o", ApprovedBy: "a", Expires: clockStart.AddDate(0, 1, 0)}
		for _, c := range []struct {
			name string
			edit func(*Waiver)
			want string
		}{
			{"waives everything", func(w *Waiver) { w.Rule = "" }, "would waive everything"},
			{"no reason", func(w *Waiver) { w.Reason = " " }, "reason is missing"},
			{"no owner", func(w *Waiver) { w.Owner = "" }, "owner is missing"},
			{"no approver", func(w *Waiver) { w.ApprovedBy = "" }, "no approver"},
			{"no expiry", func(w *Waiver) { w.Expires = time.Time{} }, "no expiry"},
			{"unknown product", func(w *Waiver) { w.Product = "nope" }, "not found"},
		} {
			t.Run(c.name, func(t *testing.T) {
				w := ok
				c.edit(&w)
				if _, err := s.CreateWaiver(context.Background(), "carol", w); err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %v, want %q", err, c.want)
				}
			})
		}
		if n := count(t, s, "SELECT COUNT(*) FROM audit"); n != 0 {
			t.Errorf("refused waivers left %d audit entries", n)
		}
	})
}

func TestTokens(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openTest(t, url)
		secret, tok, err := s.CreateToken(ctx, "admin", "ci", Reviewer)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, TokenPrefix) || len(secret) != len(TokenPrefix)+43 || tok.Prefix != secret[:tokenIDLen] || tok.Role != Reviewer {
			t.Errorf("secret %q, token %+v", secret, tok)
		}
		other, _, err := s.CreateToken(ctx, "admin", "viewer", Viewer)
		if err != nil || other == secret {
			t.Fatalf("second token: %v", err)
		}

		// The database holds the hash of the secret, never the secret.
		var prefix, hash string
		if err := s.db.QueryRowContext(ctx, s.q("SELECT prefix, hash FROM tokens WHERE id = ?"), tok.ID).Scan(&prefix, &hash); err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256([]byte(secret)); hash != hex.EncodeToString(sum[:]) {
			t.Errorf("stored hash %s is not the secret's SHA-256", hash)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM tokens WHERE name = ? OR prefix = ? OR hash = ? OR role = ?", secret, secret, secret, secret); n != 0 {
			t.Error("the secret is stored")
		}
		if n := count(t, s, "SELECT COUNT(*) FROM audit WHERE detail LIKE ?", "%"+secret[tokenIDLen:]+"%"); n != 0 {
			t.Error("the secret is in the audit trail")
		}

		got, err := s.Authenticate(ctx, secret)
		if err != nil || got.ID != tok.ID || got.Role != Reviewer || got.Name != "ci" || got.LastUsed.IsZero() {
			t.Errorf("authenticate: %+v, %v", got, err)
		}
		// The use is written at most once a minute (the test clock moves a
		// second a reading).
		again, err := s.Authenticate(ctx, secret)
		if err != nil || !again.LastUsed.Equal(got.LastUsed) {
			t.Errorf("a second use within the minute: last used %v, then %v (%v)", got.LastUsed, again.LastUsed, err)
		}
		later := openTest(t, url)
		c := &clock{t: got.LastUsed.Add(2 * time.Minute)}
		later.now = c.now
		if third, err := later.Authenticate(ctx, secret); err != nil || !third.LastUsed.After(got.LastUsed) {
			t.Errorf("a use two minutes later: last used %v (%v)", third.LastUsed, err)
		}
		flip := "A"
		if strings.HasSuffix(secret, "A") {
			flip = "B"
		}
		wrongLast := secret[:len(secret)-1] + flip
		for _, bad := range []string{"", "pdg_", secret[:tokenIDLen], wrongLast, secret + "x", strings.TrimPrefix(secret, TokenPrefix), "Bearer " + secret} {
			if _, err := s.Authenticate(ctx, bad); !errors.Is(err, ErrUnauthorized) {
				t.Errorf("authenticate %q: %v, want ErrUnauthorized", bad, err)
			}
		}

		if err := s.RevokeToken(ctx, "admin", tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, secret); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("revoked token: %v, want ErrUnauthorized", err)
		}
		if err := s.RevokeToken(ctx, "admin", tok.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoke twice: %v, want ErrNotFound", err)
		}
		if _, err := s.Authenticate(ctx, other); err != nil {
			t.Errorf("the other token: %v", err)
		}
		list, err := s.Tokens(ctx)
		if err != nil || len(list) != 2 || list[0].Revoked.IsZero() || !list[1].Revoked.IsZero() || list[1].Role != Viewer {
			t.Errorf("tokens: %+v, %v", list, err)
		}
		if _, _, err := s.CreateToken(ctx, "admin", "x", "root"); err == nil || !strings.Contains(err.Error(), "viewer, reviewer, admin") {
			t.Errorf("unknown role: %v", err)
		}
		if n := count(t, s, "SELECT COUNT(*) FROM audit WHERE action IN (?, ?)", ActionTokenCreate, ActionTokenRevoke); n != 3 {
			t.Errorf("%d token audit entries, want 3", n)
		}
	})
}

func TestRoles(t *testing.T) {
	for _, c := range []struct {
		r, min Role
		want   bool
	}{
		{Viewer, Viewer, true}, {Viewer, Reviewer, false}, {Viewer, Admin, false},
		{Reviewer, Viewer, true}, {Reviewer, Reviewer, true}, {Reviewer, Admin, false},
		{Admin, Viewer, true}, {Admin, Admin, true},
		{"root", Viewer, false}, {Admin, "root", false},
	} {
		if got := c.r.Allows(c.min); got != c.want {
			t.Errorf("%s.Allows(%s) = %v", c.r, c.min, got)
		}
	}
	if r, ok := ParseRole("reviewer"); !ok || r != Reviewer {
		t.Error("ParseRole(reviewer)")
	}
	if _, ok := ParseRole("Admin"); ok {
		t.Error("ParseRole(Admin) accepted")
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openTest(t, url)
		mustProduct(t, s, "gateway")
		before, err := s.Audit(ctx, time.Time{}, 0)
		if err != nil || len(before) != 1 {
			t.Fatalf("audit: %v, %v", before, err)
		}
		tamper := []string{
			"UPDATE audit SET actor = 'mallory'",
			"UPDATE audit SET detail = '{}' WHERE id = 1",
			"DELETE FROM audit",
			"DELETE FROM audit WHERE id = 1",
		}
		if s.Dialect() == Postgres {
			tamper = append(tamper, "TRUNCATE audit")
		}
		for _, stmt := range tamper {
			_, err := s.db.ExecContext(ctx, stmt)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want it refused as append-only", stmt, err)
			}
		}
		after, err := s.Audit(ctx, time.Time{}, 0)
		if err != nil || len(after) != 1 || after[0].Actor != before[0].Actor || string(after[0].Detail) != string(before[0].Detail) {
			t.Errorf("audit changed: %+v, %v", after, err)
		}
	})
}
