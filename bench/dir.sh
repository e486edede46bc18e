#!/usr/bin/env bash
# Real directories: times `pedigree scan DIR` against `syft scan dir:DIR`
# in rounds, interleaved (the order turns from one round to the next), and
# beside them the two halves of pedigree's own work without syft: the walk
# alone (every file read, every archive opened and its entries
# decompressed, nothing inspected: `bench/contentpass -walk-only`) and the
# content pass (the walk and pkg/deep's inspection: `bench/contentpass`),
# and, when ripgrep is installed, `rg -F -i -c -a` with the signatures'
# literals (bench/patterns), which reads every file's bytes but opens no
# archive.
# It prints each run (wall time, CPU time, peak RSS, load average), the
# pedigree/syft ratios against the targets (1.2x wall, CPU and peak RSS),
# and the floor: syft's CPU time plus the walk's over syft's, the least
# CPU ratio a tool that catalogs with syft and reads every byte of the
# tree, archives' entries included, can reach.
#
# Usage: bench/dir.sh [DIR]   (default /usr/lib)
# Environment:
#   RUNS      timed rounds after the untimed warm-up (default 2)
#   PEDIGREE  a pedigree binary to time instead of building this tree's
#   BASELINE  a second pedigree binary (an earlier build) timed in the same
#             rounds: before and after a change, on the same tree
#   SYFT      a syft binary to use instead of building the version in go.mod
#   KEEP=1    keep the temporary directory (reports, timings)
#
# The warm-up runs fill the page cache and write each tool's report, for
# the counts printed at the end and, with BASELINE, to say whether the two
# pedigree reports are the same; the timed runs write none. Needs go and
# /usr/bin/time (installed with apt-get when missing).
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-2}
DIR=${1:-/usr/lib}
[[ -d $DIR ]] || { echo "$0: $DIR is not a directory" >&2; exit 2; }
DIR=$(cd "$DIR" && pwd)
# shellcheck source=bench/lib.sh
source bench/lib.sh
make_work dir

need_time
build_syft
build_pedigree
log "building bench/contentpass"
go build -o "$WORK/contentpass" bench/contentpass/main.go

PED_CMD=(scan -q --fail-on none --allow-incomplete "$DIR")
SYFT_CMD=(scan -q "dir:$DIR" -o syft-json=/dev/null)
tools=(pedigree syft walk contentpass)
if command -v rg >/dev/null; then
	go run bench/patterns/main.go >"$WORK/patterns.txt" 2>/dev/null
	tools+=(rg)
else
	log "rg (ripgrep) is not installed: no rg row"
fi
RG_ARGS=(-F -i -c -a --no-ignore --hidden -f "$WORK/patterns.txt")
[[ -n "${BASELINE:-}" ]] && tools+=(baseline)
run() { # run TOOL NAME: one timed run
	case $1 in
	pedigree) timed "$2" 0 "$PEDIGREE" "${PED_CMD[@]}" ;;
	baseline) timed "$2" 0 "$BASELINE" "${PED_CMD[@]}" ;;
	syft) timed "$2" 0 "$SYFT" "${SYFT_CMD[@]}" ;;
	walk) timed "$2" 0 "$WORK/contentpass" -walk-only "$DIR" ;;
	contentpass) timed "$2" 0 "$WORK/contentpass" "$DIR" ;;
	rg) timed "$2" "0 1" rg "${RG_ARGS[@]}" "$DIR" ;;
	esac
}

# --- warm-up: the page cache, and the reports ---
log "warm-up"
warm() { "$@" 2>"$WORK/warm.err" || { cat "$WORK/warm.err" >&2; exit 1; }; }
warm "$PEDIGREE" scan --fail-on none --allow-incomplete -o json="$WORK/pedigree.json" "$DIR" >/dev/null
warm "$SYFT" scan -q "dir:$DIR" -o syft-json="$WORK/syft.json"
warm "$WORK/contentpass" -walk-only "$DIR" >"$WORK/walk.txt"
warm "$WORK/contentpass" "$DIR" >"$WORK/contentpass.txt"
if [[ " ${tools[*]} " == *" rg "* ]]; then
	rg "${RG_ARGS[@]}" "$DIR" >/dev/null 2>&1 || true
fi
if [[ -n "${BASELINE:-}" ]]; then
	warm "$BASELINE" scan --fail-on none --allow-incomplete -o json="$WORK/baseline.json" "$DIR" >/dev/null
fi

# --- timed rounds, the order turning each round ---
run_rounds

# --- report ---
report_header
echo "# tree: $DIR, $(find "$DIR" -type f | wc -l) files, $(du -sm "$DIR" | cut -f1) MiB"
echo "# walk (warm-up): $(head -1 "$WORK/walk.txt" | sed 's/^content pass [^:]*: //')"
echo "# syft catalogued $(grep -o '"foundBy":' "$WORK/syft.json" | wc -l) packages"
report_reports
echo
run_table
echo
for t in pedigree baseline; do
	[[ " ${tools[*]} " == *" $t "* ]] || continue
	compare "$t" syft
done
floor=$(awk -v s="$(median syft cpu)" -v w="$(median walk cpu)" 'BEGIN { printf "%.2f", (s + w) / s }')
echo "floor (syft CPU + walk-only CPU) / syft CPU: $floor; the walk alone $(median walk cpu) s CPU, the content pass $(median contentpass cpu) s CPU"
echo "pedigree CPU / (syft + content pass CPU): $(ratio "$(median pedigree cpu)" "$(awk -v s="$(median syft cpu)" -v c="$(median contentpass cpu)" 'BEGIN { print s + c }')")"
if [[ " ${tools[*]} " == *" rg "* ]]; then
	echo "content pass / rg -a: wall $(ratio "$(median contentpass wall)" "$(median rg wall)"), CPU $(ratio "$(median contentpass cpu)" "$(median rg cpu)") (rg opens no archive: it reads $(du -sm "$DIR" | cut -f1) MiB, the content pass also the entries of every archive)"
fi
