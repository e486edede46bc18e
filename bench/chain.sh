#!/usr/bin/env bash
# Long dependency chains: peak RSS, wall time and output size of
# `pedigree scan -o json`, `scan -o table`, `inspect` and `inspect -o json`
# on SBOMs whose N components form one chain, each named like a Kaspersky
# driver (so each is a finding, N hops deep at most). Before paths were
# shortened and computed once, memory grew with N² (a 1 MB SBOM of 10,000
# components took 4+ GB). See "Long dependency chains" in
# docs/performance.md.
#
# Usage: bench/chain.sh [N...]          (default: 10000 100000)
# Environment:
#   PEDIGREE   a pedigree binary to measure instead of building ./cmd/pedigree
#   MEMLIMIT   ulimit -v for each run, in KiB (default 16000000, about 16 GB):
#              a run past it fails ("out of memory") instead of swamping the
#              machine; 0 for none
#   COMMANDS   the commands to run, separated by commas (default
#              "scan -o json,scan -o table,inspect,inspect -o json")
#   KEEP=1     keep the temporary directory (inputs and outputs)
#
# Prints one Markdown table row per run: N, input size, command, exit status,
# wall time, peak RSS, peak RSS / input size, output size. Needs go and
# /usr/bin/time (installed with apt-get when missing).
set -euo pipefail

cd "$(dirname "$0")/.."
SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(10000 100000)
MEMLIMIT=${MEMLIMIT:-16000000}
IFS=, read -r -a CMDS <<<"${COMMANDS:-scan -o json,scan -o table,inspect,inspect -o json}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pedigree-chain.XXXXXX")
cleanup() {
	if [[ "${KEEP:-}" == 1 ]]; then
		echo "# kept $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

if [[ ! -x /usr/bin/time ]]; then
	echo "# installing time (GNU time) with apt-get" >&2
	sudo=()
	[[ $EUID -eq 0 ]] || sudo=(sudo -n)
	"${sudo[@]}" apt-get install -y -q time >/dev/null 2>&1 ||
		{ "${sudo[@]}" apt-get update -q >/dev/null 2>&1 && "${sudo[@]}" apt-get install -y -q time >/dev/null 2>&1; } ||
		{ echo "bench/chain.sh: /usr/bin/time is missing and could not be installed" >&2; exit 1; }
fi

BIN=${PEDIGREE:-}
if [[ -z "$BIN" ]]; then
	BIN=$WORK/pedigree
	go build -o "$BIN" ./cmd/pedigree
fi

echo "# $(go version)"
echo "# nproc: $(nproc 2>/dev/null || echo '?'); $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/\s\+/ /g' || echo '?'); $(grep -m1 MemTotal /proc/meminfo 2>/dev/null | sed 's/\s\+/ /g' || echo '?')"
echo "# pedigree: $BIN ($("$BIN" version 2>/dev/null | sed -n 1p)); MEMLIMIT=$MEMLIMIT KiB"
echo
echo "| components | input | command | exit | wall | peak RSS | RSS / input | output |"
echo "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |"

mib() { awk -v b="$1" 'BEGIN { if (b < 1048576) printf "%.1f KiB", b / 1024; else printf "%.1f MiB", b / 1048576 }'; }

for n in "${SIZES[@]}"; do
	in=$WORK/chain-$n.cdx.json
	go run bench/chain/main.go -n "$n" -out "$in"
	size=$(stat -c %s "$in")
	for cmd in "${CMDS[@]}"; do
		out=$WORK/out.txt
		# shellcheck disable=SC2086 # $cmd is words
		if (
			[[ "$MEMLIMIT" == 0 ]] || ulimit -v "$MEMLIMIT"
			/usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$BIN" $cmd "$in" >"$out" 2>"$WORK/err.txt"
		); then rc=0; else rc=$?; fi
		read -r wall rss_kib < <(tail -1 "$WORK/time.txt")
		note=""
		grep -q "out of memory" "$WORK/err.txt" && note=" (out of memory)"
		printf '| %s | %s | `%s` | %s%s | %s s | %s | %.0fx | %s |\n' "$n" "$(mib "$size")" "$cmd" "$rc" "$note" "$wall" \
			"$(mib $((rss_kib * 1024)))" "$(awk -v r="$rss_kib" -v s="$size" 'BEGIN { print r * 1024 / s }')" "$(mib "$(stat -c %s "$out")")"
	done
done
