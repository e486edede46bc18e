#!/usr/bin/env bash
# Runs pedigree's end-to-end benchmarks on a generated 100,000-component
# CycloneDX 1.6 JSON SBOM and prints the results. See docs/performance.md.
#
# Usage: bench/run.sh [extra go test flags, e.g. -count 2 or -cpuprofile cpu.out]
# Environment: BENCH (benchmark regexp, default .), BENCHTIME (default 3x).
set -euo pipefail

cd "$(dirname "$0")/.."

echo "# $(go version)"
echo "# nproc: $(nproc 2>/dev/null || echo '?')"
echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || echo '?')"
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo

out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test ./bench -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-3x}" -count 1 "$@" | tee "$out"

# The target of docs/performance.md: ingest and match together within 1.5x
# of cyclonedx-go alone decoding the same SBOM.
awk '/^BenchmarkCycloneDXDecode100k/ { d += $3; nd++ }
     /^BenchmarkScanEndToEnd100k/    { e += $3; ne++ }
     END { if (nd && ne) printf "\nend to end / cyclonedx-go decode: %.2f (target <= 1.5)\n", (e/ne) / (d/nd) }' "$out"
