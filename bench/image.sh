#!/usr/bin/env bash
# Container images: builds a docker-archive from directories of this
# machine's real file system (bench/imagebuild: no container runtime), and
# times `pedigree scan docker-archive:IMAGE` against `syft scan
# docker-archive:IMAGE` in pairs, interleaved (the order alternates from one
# round to the next), printing wall time, CPU time, peak RSS and the load
# average of each run, and the pedigree/syft ratios against the targets
# (1.2x wall, CPU and peak RSS).
#
# Usage: bench/image.sh [IMAGE.tar]
#   IMAGE.tar  a docker-archive to time instead of building one
# Environment:
#   DIRS      the paths the image is made of, one layer each, separated by
#             spaces (default: the first JDK under /usr/lib/jvm,
#             /usr/lib/python3*, /usr/bin, /var/lib/dpkg and the os-release
#             files: about 600 MB on a Debian machine with OpenJDK 17)
#   RUNS      timed rounds after the untimed warm-up (default 2)
#   PEDIGREE  a pedigree binary to time instead of building this tree's
#   BASELINE  a second pedigree binary (an earlier build) timed in the same
#             rounds: before and after a change, on the same image
#   SYFT      a syft binary to use instead of building the version in go.mod
#   KEEP=1    keep the temporary directory (image, reports, timings)
#
# The warm-up runs write each tool's report, for the counts printed at the
# end and, with BASELINE, to say whether the two pedigree reports are the
# same; the timed runs write none. Needs go and /usr/bin/time (installed
# with apt-get when missing).
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-2}
# shellcheck source=bench/lib.sh
source bench/lib.sh
make_work image

need_time
build_syft
build_pedigree

# --- the image ---
if [[ $# -ge 1 ]]; then
	IMAGE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
	log "timing the image $IMAGE"
else
	if [[ -z "${DIRS:-}" ]]; then
		dirs=()
		for d in /usr/lib/jvm/*; do
			if [[ -d $d && ! -L $d ]]; then
				dirs+=("$d")
				break
			fi
		done
		for d in /usr/lib/python3* /usr/bin /var/lib/dpkg /usr/lib/os-release /etc/os-release; do
			[[ -e $d && ! ( -L $d && -d $d ) ]] && dirs+=("$d")
		done
		DIRS="${dirs[*]}"
	fi
	IMAGE="$WORK/image.tar"
	log "building a docker-archive of: $DIRS"
	# shellcheck disable=SC2086 # DIRS is a list
	go run bench/imagebuild/main.go -o "$IMAGE" $DIRS 2>"$WORK/imagebuild.log"
	sed 's/^imagebuild: /# /' "$WORK/imagebuild.log" >&2
fi

PED_CMD=(scan -q --fail-on none --allow-incomplete "docker-archive:$IMAGE")
SYFT_CMD=(scan -q "docker-archive:$IMAGE" -o syft-json=/dev/null)
tools=(pedigree syft)
[[ -n "${BASELINE:-}" ]] && tools+=(baseline)
run() { # run TOOL NAME: one timed run
	case $1 in
	pedigree) timed "$2" 0 "$PEDIGREE" "${PED_CMD[@]}" ;;
	baseline) timed "$2" 0 "$BASELINE" "${PED_CMD[@]}" ;;
	syft) timed "$2" 0 "$SYFT" "${SYFT_CMD[@]}" ;;
	esac
}

# --- warm-up: the page cache, and the reports ---
log "warm-up"
"$PEDIGREE" scan --fail-on none --allow-incomplete -o json="$WORK/pedigree.json" "docker-archive:$IMAGE" >/dev/null 2>"$WORK/warm.err" ||
	{ cat "$WORK/warm.err" >&2; exit 1; }
"$SYFT" scan -q "docker-archive:$IMAGE" -o syft-json="$WORK/syft.json" 2>"$WORK/warm.err" || { cat "$WORK/warm.err" >&2; exit 1; }
if [[ -n "${BASELINE:-}" ]]; then
	"$BASELINE" scan --fail-on none --allow-incomplete -o json="$WORK/baseline.json" "docker-archive:$IMAGE" >/dev/null 2>"$WORK/warm.err" ||
		{ cat "$WORK/warm.err" >&2; exit 1; }
fi

# --- timed rounds, the order turning each round ---
run_rounds

# --- report ---
report_header
echo "# image: $IMAGE, $(du -m "$IMAGE" | cut -f1) MiB$( [[ -s $WORK/imagebuild.log ]] && echo "; layers: $(grep -c '^imagebuild: layer' "$WORK/imagebuild.log"), $(awk '/^imagebuild: layer/ { n += $(NF-3) } END { print n }' "$WORK/imagebuild.log") files")"
echo "# syft catalogued $(grep -o '"foundBy":' "$WORK/syft.json" | wc -l) packages"
report_reports
echo
run_table
echo
for t in pedigree baseline; do
	[[ " ${tools[*]} " == *" $t "* ]] || continue
	compare "$t" syft
done
