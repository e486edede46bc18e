#!/usr/bin/env bash
# Scaling: does the cost of a directory scan grow linearly with the tree?
# For each size, writes a synthetic tree (bench/tree, the planted Kaspersky
# positives included), times `pedigree scan DIR` and `syft scan dir:DIR`
# (one untimed warm-up each, then RUNS timed runs, interleaved), prints
# each run and one row per size: wall and CPU seconds per GiB and peak RSS
# of both tools, and pedigree/syft. The tree is removed before the next
# size is written. For components, see BenchmarkScaleComponents (bench/).
#
# Usage: bench/scale.sh [SIZE...]   (default: 1GiB 4GiB 16GiB)
# Environment:
#   RUNS      timed runs per tool and size (default 1)
#   PEDIGREE  a pedigree binary to time instead of building this tree's
#   SYFT      a syft binary to use instead of building the version in go.mod
#   KEEP=1    keep the temporary directory (timings; trees are removed)
#
# The largest tree needs its size free on TMPDIR's disk; the timings are
# meaningful when the tree fits in the page cache (free memory), as the
# warm-up then reads it from memory for every timed run. Needs go and
# /usr/bin/time (installed with apt-get when missing).
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-1}
SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(1GiB 4GiB 16GiB)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pedigree-scale.XXXXXX")
cleanup() { if [[ "${KEEP:-}" == 1 ]]; then rm -rf "$WORK"/tree; echo "# kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
# shellcheck source=bench/lib.sh
source bench/lib.sh

need_time
build_syft
build_pedigree
go build -o "$WORK/tree-gen" bench/tree/main.go

: >"$WORK/runs.txt"
: >"$WORK/sizes.txt"
for size in "${SIZES[@]}"; do
	rm -rf "$WORK/tree"
	log "writing a $size tree"
	"$WORK/tree-gen" -out "$WORK/tree" -size "$size" >"$WORK/planted.txt"
	gib=$(du -sb "$WORK/tree" | awk '{ printf "%.3f", $1 / 1073741824 }')
	files=$(find "$WORK/tree" -type f | wc -l)
	echo "$size $gib $files" >>"$WORK/sizes.txt"
	log "warm-up ($size: $gib GiB, $files files)"
	"$PEDIGREE" scan --fail-on none -o json="$WORK/pedigree-$size.json" "$WORK/tree" >/dev/null 2>"$WORK/warm.err" ||
		{ cat "$WORK/warm.err" >&2; exit 1; }
	"$SYFT" scan -q "dir:$WORK/tree" -o syft-json=/dev/null 2>"$WORK/warm.err" || { cat "$WORK/warm.err" >&2; exit 1; }
	for ((r = 1; r <= RUNS; r++)); do
		if ((r % 2)); then order=(pedigree syft); else order=(syft pedigree); fi
		for t in "${order[@]}"; do
			log "$size round $r: $t"
			case $t in
			pedigree) timed "pedigree-$size.$r" 0 "$PEDIGREE" scan -q --fail-on none "$WORK/tree" ;;
			syft) timed "syft-$size.$r" 0 "$SYFT" scan -q "dir:$WORK/tree" -o syft-json=/dev/null ;;
			esac
		done
	done
done
rm -rf "$WORK/tree"

report_header
for size in "${SIZES[@]}"; do
	[[ -f "$WORK/pedigree-$size.json" ]] &&
		echo "# $size: pedigree report (warm-up): $(grep -o '"id": *"PDG-' "$WORK/pedigree-$size.json" | wc -l) findings, $(grep -m1 -o '"complete": *[a-z]*' "$WORK/pedigree-$size.json")"
done
echo
run_table
echo
printf '| %-6s | %7s | %7s | %-22s | %-22s | %-22s | %-16s |\n' tree GiB files "pedigree s/GiB wall, CPU" "syft s/GiB wall, CPU" "peak RSS pedigree / syft" "pedigree / syft"
printf '| %-6s | %7s | %7s | %-22s | %-22s | %-22s | %-16s |\n' --- ---: ---: --- --- --- ---
while read -r size gib files; do
	pw=$(median "pedigree-$size" wall) pc=$(median "pedigree-$size" cpu) pm=$(median "pedigree-$size" rss)
	sw=$(median "syft-$size" wall) sc=$(median "syft-$size" cpu) sm=$(median "syft-$size" rss)
	printf '| %-6s | %7s | %7s | %-22s | %-22s | %-22s | %-16s |\n' "$size" "$gib" "$files" \
		"$(ratio "$pw" "$gib"), $(ratio "$pc" "$gib")" "$(ratio "$sw" "$gib"), $(ratio "$sc" "$gib")" \
		"$(printf '%.0f / %.0f MiB' "$pm" "$sm")" "$(ratio "$pw" "$sw") wall, $(ratio "$pc" "$sc") CPU"
done <"$WORK/sizes.txt"
