package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/pedigree-sbom/pedigree/internal/pgtest"
	"github.com/pedigree-sbom/pedigree/pkg/ingest"
	"github.com/pedigree-sbom/pedigree/pkg/match"
	"github.com/pedigree-sbom/pedigree/pkg/serve"
	"github.com/pedigree-sbom/pedigree/pkg/signature"
	"github.com/pedigree-sbom/pedigree/pkg/store"
	"github.com/pedigree-sbom/pedigree/signatures"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// reevalSubmissions is how many SBOMs BenchmarkReevaluate stores
// (PEDIGREE_BENCH_SUBMISSIONS, default 10,000), each of reevalComponents
// components, spread over 100 products.
func reevalSubmissions() int {
	if n, err := strconv.Atoi(os.Getenv("PEDIGREE_BENCH_SUBMISSIONS")); err == nil && n > 0 {
		return n
	}
	return 10_000
}

const reevalComponents = 100

// BenchmarkReevaluate is the work `pedigree serve` does when a newer
// signature pack comes into force: every stored SBOM evaluated again and
// recorded. The store is filled once per database (untimed): 10,000
// CycloneDX SBOMs of 100 components (about 120 KB each, one in a hundred
// with a Kaspersky-made component), evaluated under the embedded pack.
// Each timed iteration then puts a newer pack in force (the embedded one
// and a rule of its own, so a new digest) and lets one or two replicas
// (separate servers with their own connections to the database, as
// separate processes would have) re-evaluate everything; it reports
// submissions per second and the process's peak RSS. Run with
// -benchtime 1x: each iteration re-evaluates all of them.
//
//	go test ./bench -run '^$' -bench Reevaluate -benchtime 1x -timeout 60m
func BenchmarkReevaluate(b *testing.B) {
	n := reevalSubmissions()
	base, err := signatures.Layer()
	if err != nil {
		b.Fatal(err)
	}
	pack := 0
	engine := func(b *testing.B) *match.Engine {
		pack++
		if pack == 1 {
			return newEngine(b)
		}
		y := fmt.Sprintf(`pack: bench-pack-%d
version: "%d"
rules:
  - id: T-BENCH-%03d
    title: A product of the benchmark
    entity: Test
    category: security-product
    severity: high
    match: {products: ["Bench Product %d"]}
    references: [test]
    examples: {match: [{name: "Bench Product %d"}]}
`, pack, pack, pack, pack, pack)
		p, err := signature.Parse("bench.yaml", []byte(y))
		if err != nil {
			b.Fatal(err)
		}
		set, err := signature.NewSet(base, signature.Layer{p})
		if err != nil {
			b.Fatal(err)
		}
		e, err := match.New(set)
		if err != nil {
			b.Fatal(err)
		}
		return e
	}
	newServer := func(b *testing.B, url string, eng *match.Engine) (*serve.Server, *store.Store) {
		st, err := store.Open(context.Background(), url)
		if err != nil {
			b.Fatal(err)
		}
		opts := ingest.DefaultOptions()
		srv, err := serve.New(serve.Config{Store: st, Engine: eng, Ingest: opts})
		if err != nil {
			b.Fatal(err)
		}
		return srv, st
	}
	for _, db := range []string{"sqlite", "postgres"} {
		// The store is filled once per database, in the sub-benchmark that
		// holds the database (removed when it ends), for its children.
		b.Run(db, func(b *testing.B) {
			reevaluate(b, db, n, engine, newServer)
		})
	}
}

func reevaluate(b *testing.B, db string, n int, engine func(*testing.B) *match.Engine,
	newServer func(*testing.B, string, *match.Engine) (*serve.Server, *store.Store)) {
	url := seedStore(b, db, n, engine, newServer)
	for _, replicas := range []int{1, 2} {
		b.Run(fmt.Sprintf("%d-replica", replicas), func(b *testing.B) {
			ctx := context.Background()
			evaluated := 0
			p := startPeak()
			for b.Loop() {
				b.StopTimer()
				eng := engine(b)
				var workers []*serve.Worker
				for r := range replicas {
					srv, st := newServer(b, url, eng)
					defer st.Close()
					workers = append(workers, srv.Worker(fmt.Sprintf("replica-%d", r), serve.WorkerOptions{}))
				}
				b.StartTimer()
				var wg sync.WaitGroup
				counts := make([]int, len(workers))
				errs := make([]error, len(workers))
				for i, w := range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						counts[i], errs[i] = w.Drain(ctx)
					}()
				}
				wg.Wait()
				for i := range workers {
					if errs[i] != nil {
						b.Fatal(errs[i])
					}
					evaluated += counts[i]
				}
			}
			p.report(b)
			if evaluated != n*b.N {
				b.Fatalf("%d evaluations recorded, want %d (every submission once per pack)", evaluated, n*b.N)
			}
			b.ReportMetric(float64(evaluated)/b.Elapsed().Seconds(), "submissions/s")
		})
	}
}

// seedStore makes the database (removed when b ends), stores n SBOMs in it
// and evaluates them under the first pack; it returns the database's URL.
func seedStore(b *testing.B, db string, n int, engine func(*testing.B) *match.Engine,
	newServer func(*testing.B, string, *match.Engine) (*serve.Server, *store.Store)) string {
	var url string
	switch db {
	case "sqlite":
		url = "sqlite://" + b.TempDir() + "/bench.db"
	default:
		url = pgtest.URL(b) // skips without a PostgreSQL server
	}
	ctx := context.Background()
	srv, st := newServer(b, url, engine(b))
	defer st.Close()
	for p := range 100 {
		if _, err := st.CreateProduct(ctx, "bench", store.Product{Name: fmt.Sprintf("product-%02d", p)}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range n {
		g := generate(genConfig{Components: reevalComponents, Seed: uint64(i + 1), PlantEvery: 100 * (1 + i%100)})
		if _, err := st.Submit(ctx, fmt.Sprintf("product-%02d", i%100), g.JSON,
			store.Meta{Kind: store.SBOMKind, Format: "cyclonedx-json", Filename: fmt.Sprintf("sbom-%05d.cdx.json", i), SubmittedBy: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := srv.Worker("seed", serve.WorkerOptions{}).Drain(ctx); err != nil {
		b.Fatal(err)
	}
	return url
}
