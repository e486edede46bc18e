#!/usr/bin/env bash
# Deep inspection of a 1 GB tree: times pedigree scan, syft alone, pedigree's
# content pass alone and ripgrep with the same literal patterns on one
# synthetic tree, and prints wall time, CPU time and peak RSS of each, the
# ratios against the targets, and which tool found each planted positive.
# See "Deep inspection of a 1 GB tree" in docs/performance.md.
#
# Usage: bench/deep.sh [TREE]
#   TREE   a tree written by `go run bench/tree/main.go` (default seed) to
#          reuse; without it a tree is generated into a temporary directory
#          and removed at the end.
# Environment:
#   SIZE        size of the generated tree (default 1GiB)
#   RUNS        timed runs per tool after the untimed warm-up (default 1);
#               with more, the fastest is reported
#   SYFT        a syft binary to use instead of building the version in go.mod
#   CPUPROFILE  write a CPU profile of the (last) timed content pass here
#   KEEP=1      keep the temporary directory (tree, reports, outputs)
#
# Every tool is run once untimed first, so the page cache is warm for all of
# them; nothing is dropped from it. Needs go, /usr/bin/time and rg; the last
# two are installed with apt-get when missing (the rg columns are skipped,
# with a message, when that fails).
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
SIZE=${SIZE:-1GiB}
RUNS=${RUNS:-1}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pedigree-deep.XXXXXX")
cleanup() {
	if [[ "${KEEP:-}" == 1 ]]; then
		echo "# kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
source bench/lib.sh

# --- tools ---
need_time
HAVE_RG=1
if ! command -v rg >/dev/null; then
	log "installing ripgrep with apt-get"
	if ! apt_install ripgrep || ! command -v rg >/dev/null; then
		HAVE_RG=0
		echo "bench/deep.sh: ripgrep is missing and apt-get install ripgrep failed (see below); the rg rows are skipped" >&2
		tail -5 "$WORK/apt.log" >&2 || true
	fi
fi

build_syft

log "building pedigree and the content-pass program"
go build -o "$WORK/pedigree" ./cmd/pedigree
go build -o "$WORK/contentpass" bench/contentpass/main.go
go run bench/patterns/main.go >"$WORK/patterns.txt" 2>"$WORK/patterns.log"
go run bench/tree/main.go -planted >"$WORK/planted.txt"

# --- the tree ---
if [[ $# -ge 1 ]]; then
	TREE=$(cd "$1" && pwd)
	log "reusing the tree $TREE"
else
	TREE="$WORK/tree"
	log "generating a $SIZE tree in $TREE"
	go run bench/tree/main.go -out "$TREE" -size "$SIZE" >"$WORK/tree.log"
	grep -v '^planted' "$WORK/tree.log" | sed 's/^/# /' >&2
fi
TREE_BYTES=$(find "$TREE" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
TREE_FILES=$(find "$TREE" -type f | wc -l)
TREE_ARCHIVES=$(find "$TREE" -type f \( -name '*.jar' -o -name '*.zip' -o -name '*.tar.gz' \) | wc -l)

# --- measuring ---
# measure NAME OK_STATUSES WARMUP_OUT TIMED_OUT CMD...: runs the command in
# the array WARM (CMD when WARM is empty) once with its standard output to
# WARMUP_OUT, untimed, then CMD RUNS times under /usr/bin/time with its
# output to TIMED_OUT, and records the fastest run's wall seconds, user and
# system seconds and peak RSS (KiB) in $WORK/NAME.time. A status not in
# OK_STATUSES ends the script.
WARM=()
measure() {
	local name=$1 ok=$2 warm=$3 timed=$4
	shift 4
	local st
	local warmcmd=("$@")
	if [[ ${#WARM[@]} -gt 0 ]]; then
		warmcmd=("${WARM[@]}")
	fi
	WARM=()
	log "$name: warm-up"
	set +e
	"${warmcmd[@]}" >"$warm" 2>"$WORK/$name.err"
	st=$?
	set -e
	if [[ " $ok " != *" $st "* ]]; then
		echo "bench/deep.sh: $name exited $st: $*" >&2
		cat "$WORK/$name.err" >&2
		exit 1
	fi
	local best=""
	for ((r = 1; r <= RUNS; r++)); do
		log "$name: timed run $r"
		set +e
		/usr/bin/time -f '%e %U %S %M' -o "$WORK/$name.run" "$@" >"$timed" 2>"$WORK/$name.err"
		st=$?
		set -e
		if [[ " $ok " != *" $st "* ]]; then
			echo "bench/deep.sh: $name exited $st: $*" >&2
			cat "$WORK/$name.err" >&2
			exit 1
		fi
		local line
		line=$(tail -1 "$WORK/$name.run")
		if [[ -z "$best" ]] || awk -v a="$line" -v b="$best" 'BEGIN { split(a, x, " "); split(b, y, " "); exit !(x[1] < y[1]) }'; then
			best=$line
		fi
	done
	echo "$best" >"$WORK/$name.time"
}

RG_ARGS=(-F -i -c -a --no-ignore --hidden -f "$WORK/patterns.txt")

# The warm-ups of pedigree and syft write their reports, for the checks
# below; the timed runs are the plain commands.
WARM=("$WORK/pedigree" scan -q --fail-on none -o json="$WORK/pedigree.json" "$TREE")
measure pedigree "0" /dev/null /dev/null "$WORK/pedigree" scan -q --fail-on none "$TREE"
WARM=("$SYFT" scan -q "dir:$TREE" -o "syft-json=$WORK/syft.json")
measure syft "0" /dev/null /dev/null "$SYFT" scan -q "dir:$TREE" -o syft-json=/dev/null
CP_PROF=()
if [[ -n "${CPUPROFILE:-}" ]]; then
	CP_PROF=(-cpuprofile "$CPUPROFILE")
fi
measure contentpass "0" "$WORK/contentpass.txt" /dev/null "$WORK/contentpass" "${CP_PROF[@]}" "$TREE"
if [[ $HAVE_RG == 1 ]]; then
	measure rg "0 1" "$WORK/rg.txt" /dev/null rg "${RG_ARGS[@]}" "$TREE"
	measure rg-j1 "0 1" /dev/null /dev/null rg -j1 "${RG_ARGS[@]}" "$TREE"
	measure rg-default "0 1" "$WORK/rg-default.txt" /dev/null rg -F -i -c -f "$WORK/patterns.txt" "$TREE"
fi

# --- report ---
field() { awk -v i="$2" '{ print $i }' "$WORK/$1.time"; }
wall() { field "$1" 1; }
cpu() { awk '{ printf "%.2f", $2 + $3 }' "$WORK/$1.time"; }
rss() { awk '{ printf "%.0f", $4 / 1024 }' "$WORK/$1.time"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t ? "met" : "MISSED") }'; }

echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "# $(go version); nproc $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# pedigree: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- 2>/dev/null || echo ' (with uncommitted changes)'); syft $SYFT_VERSION; $( [[ $HAVE_RG == 1 ]] && rg --version | sed -n 1p || echo 'rg: not installed')"
echo "# tree: $TREE_BYTES bytes ($(awk -v b="$TREE_BYTES" 'BEGIN { printf "%.2f", b / 2^30 }') GiB), $TREE_FILES files, $TREE_ARCHIVES archives (jar, zip, tar.gz)"
echo "# patterns: $(wc -l <"$WORK/patterns.txt") literals ($(cat "$WORK/patterns.log" | sed 's/^patterns: //'))"
echo "# syft catalogued $(grep -o '"foundBy":' "$WORK/syft.json" | wc -l) packages; runs: warm-up + $RUNS timed (fastest shown)"
echo "# content pass (warm-up run): $(head -1 "$WORK/contentpass.txt" | sed 's/^content pass [^:]*: //')"
echo
printf '| %-12s | %-58s | %8s | %10s | %13s |\n' tool command "wall (s)" "CPU (s)" "peak RSS (MiB)"
printf '| %-12s | %-58s | %8s | %10s | %13s |\n' --- --- ---: ---: ---:
row() { printf '| %-12s | %-58s | %8s | %10s | %13s |\n' "$1" "$2" "$(wall "$3")" "$(cpu "$3")" "$(rss "$3")"; }
row pedigree "pedigree scan -q --fail-on none TREE" pedigree
row syft "syft scan -q dir:TREE -o syft-json=/dev/null" syft
row "content pass" "contentpass TREE (pkg/walk + pkg/deep, no syft)" contentpass
if [[ $HAVE_RG == 1 ]]; then
	row rg "rg -F -i -c -a --no-ignore --hidden -f patterns.txt TREE" rg
	row "rg -j1" "the same, one thread" rg-j1
	row "rg (default)" "rg -F -i -c -f patterns.txt TREE (stops at a NUL)" rg-default
fi
echo
R1=$(ratio "$(wall pedigree)" "$(wall syft)")
echo "pedigree / syft wall time: $R1 (target <= 1.30: $(verdict "$R1" 1.30)); peak RSS $(ratio "$(rss pedigree)" "$(rss syft)")x"
if [[ $HAVE_RG == 1 ]]; then
	R2=$(ratio "$(wall contentpass)" "$(wall rg)")
	echo "content pass / rg wall time: $R2 (target <= 1.00: $(verdict "$R2" 1.00)); / rg -j1: $(ratio "$(wall contentpass)" "$(wall rg-j1)"); CPU time / rg CPU time: $(ratio "$(cpu contentpass)" "$(cpu rg)")"
else
	echo "content pass / rg: not measured (ripgrep is not installed)"
fi

echo
echo "planted positives (found by: pedigree scan finding; content pass + matching; rg -a; rg default):"
while IFS=$'\t' read -r _ path what; do
	# The finding whose title names the path, or else whose component
	# is located there (a file syft catalogued is titled by its package).
	ped=$(awk -v p="$path" '/"title":/ { t = $0; tn = NR; sub(/^ *"title": */, "", t); sub(/,$/, "", t); if (index(t, p)) { print t; exit } }
		index($0, "\"/" p "\"") || index($0, "\"" p "\"") { if (t != "" && NR - tn < 40) { print t; exit } }' "$WORK/pedigree.json")
	cp=$(grep -F " $path " "$WORK/contentpass.txt" | awk '$1 == "finding" { print $2, $4; exit }' || true)
	rga=no rgd=no
	if [[ $HAVE_RG == 1 ]]; then
		grep -qF "$TREE/$path:" "$WORK/rg.txt" && rga=yes
		grep -qF "$TREE/$path:" "$WORK/rg-default.txt" && rgd=yes
	else
		rga=- rgd=-
	fi
	echo "- $path ($what): pedigree: ${ped:-no}; content pass: ${cp:-no}; rg -a: $rga; rg default: $rgd"
done <"$WORK/planted.txt"
echo "pedigree findings in all: $(grep -o '"id": *"PDG-' "$WORK/pedigree.json" | wc -l); content pass findings: $(grep -c '^finding ' "$WORK/contentpass.txt" || true); rg -a matched $( [[ $HAVE_RG == 1 ]] && wc -l <"$WORK/rg.txt" || echo -) files"
