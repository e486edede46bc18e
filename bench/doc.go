// Package bench holds pedigree's end-to-end benchmarks.
//
// The benchmarks generate a realistic CycloneDX 1.6 JSON SBOM of 100,000
// components in memory (deterministic, seeded), then measure ingest
// (ingest.Decode) and matching (match.Engine.Match against the embedded
// signatures) separately and together, reporting components per second,
// allocations and peak memory. Run them with bench/run.sh; the numbers
// measured on the reference machine are in docs/performance.md.
package bench
