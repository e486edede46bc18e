package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
)

func TestMigrationsApplyOnceAndRecordTheirVersion(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openTest(t, url)
		v, err := s.SchemaVersion(ctx)
		if err != nil || v != len(migrations) {
			t.Fatalf("fresh: version %d, %v; want %d", v, err, len(migrations))
		}
		if n := count(t, s, "SELECT COUNT(*) FROM schema_migrations"); n != len(migrations) {
			t.Fatalf("fresh: %d rows in schema_migrations, want %d", n, len(migrations))
		}
		mustProduct(t, s, "gateway")

		// Opening again applies nothing and keeps the data.
		again := openTest(t, url)
		if n := count(t, again, "SELECT COUNT(*) FROM schema_migrations"); n != len(migrations) {
			t.Errorf("re-opened: %d rows in schema_migrations, want %d", n, len(migrations))
		}
		if _, err := again.Product(ctx, "gateway"); err != nil {
			t.Errorf("re-opened: %v", err)
		}
	})
}

func TestConcurrentOpensMigrateOnce(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		const n = 4
		var wg sync.WaitGroup
		errs := make([]error, n)
		stores := make([]*Store, n)
		for i := range n {
			wg.Go(func() { stores[i], errs[i] = Open(context.Background(), url) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("open %d: %v", i, err)
				continue
			}
			defer stores[i].Close()
		}
		if t.Failed() {
			return
		}
		if got := count(t, stores[0], "SELECT COUNT(*) FROM schema_migrations"); got != len(migrations) {
			t.Errorf("%d rows in schema_migrations, want %d", got, len(migrations))
		}
	})
}

func TestNewerSchemaIsRefused(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openTest(t, url)
		// A newer pedigree adds a migration; this one must then refuse
		// the database instead of using it.
		next := append(append([]migration(nil), migrations...), migration{
			version: len(migrations) + 1, name: "later",
			shared: "CREATE TABLE later (id {{id}}, note TEXT NOT NULL)",
		})
		if err := s.migrate(ctx, next); err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		if v, _ := s.SchemaVersion(ctx); v != len(next) {
			t.Fatalf("upgraded to version %d, want %d", v, len(next))
		}
		if err := s.migrate(ctx, next); err != nil {
			t.Fatalf("upgrade twice: %v", err)
		}
		old, err := Open(ctx, url)
		if err == nil {
			old.Close()
			t.Fatal("an older pedigree opened a newer database")
		}
		if want := fmt.Sprintf("up to %d", len(migrations)); !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), want) {
			t.Errorf("error %q: want ErrSchemaTooNew naming %q", err, want)
		}
	})
}

func TestFailedMigrationLeavesNothingBehind(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openTest(t, url)
		bad := append(append([]migration(nil), migrations...), migration{
			version: len(migrations) + 1, name: "broken",
			shared: "CREATE TABLE half (id INTEGER); CREATE TABLE products (id INTEGER)",
		})
		if err := s.migrate(ctx, bad); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("migration %04d_broken", len(migrations)+1)) {
			t.Fatalf("error %v: want the broken migration named", err)
		}
		if v, _ := s.SchemaVersion(ctx); v != len(migrations) {
			t.Errorf("version %d after a failed migration, want %d", v, len(migrations))
		}
		if _, err := s.db.ExecContext(ctx, "SELECT * FROM half"); err == nil {
			t.Error("the failed migration's first table was kept")
		}
	})
}

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	for _, c := range []struct {
		name    string
		fs      fstest.MapFS
		wantErr string
	}{
		{"shared and dialect parts", fstest.MapFS{
			"migrations/0001_init.sql":          file("CREATE TABLE a (id {{id}}, b {{bytes}});"),
			"migrations/0001_init.sqlite.sql":   file("-- sqlite"),
			"migrations/0001_init.postgres.sql": file("-- postgres"),
			"migrations/0002_more.sql":          file("CREATE TABLE c (id {{id}});"),
		}, ""},
		{"gap", fstest.MapFS{"migrations/0001_a.sql": file(""), "migrations/0003_c.sql": file("")}, "version 2 is missing"},
		{"bad name", fstest.MapFS{"migrations/1_a.sql": file("")}, "want NNNN_name.sql"},
		{"unknown dialect", fstest.MapFS{"migrations/0001_a.mysql.sql": file("")}, "want NNNN_name.sql"},
		{"two names", fstest.MapFS{"migrations/0001_a.sql": file(""), "migrations/0001_b.sqlite.sql": file("")}, `also named "a"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			ms, err := loadMigrations(c.fs)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != 2 || ms[0].version != 1 || ms[1].name != "more" {
				t.Fatalf("got %+v", ms)
			}
			for d, want := range map[Dialect]string{
				SQLite:   "CREATE TABLE a (id INTEGER PRIMARY KEY, b BLOB);\n-- sqlite",
				Postgres: "CREATE TABLE a (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, b BYTEA);\n-- postgres",
			} {
				if got, err := ms[0].sql(d); err != nil || got != want {
					t.Errorf("%s: got %q, %v; want %q", d, got, err, want)
				}
			}
		})
	}
	if _, err := (migration{version: 1, name: "x", shared: "CREATE TABLE a (t {{text}})"}).sql(SQLite); err == nil || !strings.Contains(err.Error(), "unknown placeholder") {
		t.Errorf("unknown placeholder: %v", err)
	}
}

func TestEmbeddedMigrationsBuildForBothDialects(t *testing.T) {
	for _, m := range migrations {
		for _, d := range []Dialect{SQLite, Postgres} {
			if _, err := m.sql(d); err != nil {
				t.Error(err)
			}
			if m.version == 1 && !strings.Contains(m.dialect[d], "audit") {
				t.Errorf("migration 1 has no %s triggers for the audit table", d)
			}
		}
	}
}
