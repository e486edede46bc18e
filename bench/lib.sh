# Shell shared by the bench scripts that time pedigree against syft:
# sourced, not run. The sourcing script sets WORK (a temporary directory it
# removes; make_work makes one) and runs from the module root.
#
#   log MSG...            a "# " line on standard error
#   make_work NAME        WORK: a new pedigree-NAME.* directory, removed on
#                         exit unless KEEP=1
#   apt_install PKG...    apt-get install (with sudo -n when not root)
#   need_time             /usr/bin/time (GNU time), installed when missing
#   build_syft            sets SYFT: $SYFT when set, else the syft of the
#                         version in go.mod, built once into
#                         ~/.cache/pedigree-bench; exports the settings that
#                         make the syft CLI do what the library in pedigree
#                         does
#   build_pedigree        sets PEDIGREE: $PEDIGREE when set, else this tree's
#                         ./cmd/pedigree built into $WORK
#   timed NAME OK CMD...  runs CMD under /usr/bin/time and appends
#                         "NAME wall user sys rssKiB load1" to $WORK/runs.txt
#                         (load1: the 1-minute load average at the start);
#                         a status not among OK ("0 1") ends the script
#   ratio A B             A / B with two decimals
#   report_header         the date, Go, CPU and the binaries timed (# lines)
#   report_reports        the findings and completeness of $WORK/pedigree.json
#                         and $WORK/baseline.json, and whether they are the
#                         same (# lines)
#   run_rounds            RUNS rounds of every tool in the array tools, each
#                         timed by the sourcing script's run TOOL NAME, the
#                         order turning from one round to the next
#   run_table             the timed runs of $WORK/runs.txt as a Markdown table
#   median TOOL FIELD     the median over the rounds of TOOL (runs named
#                         TOOL.ROUND) of wall, cpu (user+sys) or rss (MiB)
#   verdict R [TARGET]    "met" when R <= TARGET (default 1.2), else "MISSED"
#   compare TOOL PEER     TOOL's medians over PEER's and each round's ratios
#                         (needs RUNS)

log() { echo "# $*" >&2; }

# make_work NAME: WORK becomes a new directory pedigree-NAME.XXXXXX under
# TMPDIR, removed when the script exits unless KEEP=1.
make_work() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/pedigree-$1.XXXXXX")
	trap 'if [[ "${KEEP:-}" == 1 ]]; then echo "# kept $WORK"; else rm -rf "$WORK"; fi' EXIT
}

apt_install() {
	command -v apt-get >/dev/null || return 1
	local sudo=()
	if [[ $EUID -ne 0 ]]; then
		command -v sudo >/dev/null || return 1
		sudo=(sudo -n)
	fi
	"${sudo[@]}" apt-get install -y -q "$@" >"$WORK/apt.log" 2>&1 ||
		{ "${sudo[@]}" apt-get update -q >>"$WORK/apt.log" 2>&1 && "${sudo[@]}" apt-get install -y -q "$@" >>"$WORK/apt.log" 2>&1; }
}

need_time() {
	[[ -x /usr/bin/time ]] && return
	log "installing time (GNU time) with apt-get"
	apt_install time || { echo "$0: /usr/bin/time is missing and could not be installed" >&2; exit 1; }
}

build_syft() {
	SYFT_VERSION=$(awk '$1 == "github.com/anchore/syft" { print $2; exit }' go.mod)
	if [[ -z "${SYFT:-}" ]]; then
		local bin="${XDG_CACHE_HOME:-$HOME/.cache}/pedigree-bench/syft-$SYFT_VERSION"
		SYFT="$bin/syft"
		if [[ ! -x "$SYFT" ]]; then
			log "building syft $SYFT_VERSION (the version pedigree links) into $bin"
			mkdir -p "$bin"
			# Outside the module, so that its go.mod is not touched.
			(cd "$WORK" && GOBIN="$bin" GOFLAGS=-mod=mod go install -ldflags "-X main.version=$SYFT_VERSION" \
				"github.com/anchore/syft/cmd/syft@$SYFT_VERSION")
		fi
	fi
	# The syft CLI's defaults differ from the library's in one point: the
	# CLI hashes owned files with sha1 and sha256, the library (pedigree)
	# with sha256 only. No update check (network).
	export SYFT_FILE_METADATA_DIGESTS=sha256 SYFT_CHECK_FOR_APP_UPDATE=false
}

build_pedigree() {
	if [[ -z "${PEDIGREE:-}" ]]; then
		log "building pedigree"
		go build -o "$WORK/pedigree" ./cmd/pedigree
		PEDIGREE="$WORK/pedigree"
	fi
}

timed() {
	local name=$1 ok=$2 st load
	shift 2
	load=$(cut -d' ' -f1 /proc/loadavg)
	set +e
	/usr/bin/time -f '%e %U %S %M' -o "$WORK/$name.time" "$@" >/dev/null 2>"$WORK/$name.err"
	st=$?
	set -e
	if [[ " $ok " != *" $st "* ]]; then
		echo "$0: $name exited $st: $*" >&2
		tail -20 "$WORK/$name.err" >&2
		exit 1
	fi
	echo "$name $(tail -1 "$WORK/$name.time") $load" >>"$WORK/runs.txt"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

run_rounds() {
	local r i n t
	: >"$WORK/runs.txt"
	for ((r = 1; r <= RUNS; r++)); do
		n=${#tools[@]}
		for ((i = 0; i < n; i++)); do
			t=${tools[$(((i + r - 1) % n))]}
			log "round $r: $t"
			run "$t" "$t.$r"
		done
	done
}

run_table() {
	printf '| %-11s | %8s | %8s | %14s | %6s |\n' run "wall (s)" "CPU (s)" "peak RSS (MiB)" load
	printf '| %-11s | %8s | %8s | %14s | %6s |\n' --- ---: ---: ---: ---:
	awk '{ printf "| %-11s | %8.2f | %8.2f | %14.0f | %6s |\n", $1, $2, $3 + $4, $5 / 1024, $6 }' "$WORK/runs.txt"
}

median() {
	awk -v t="$1" -v f="$2" '{ n = $1; sub(/\.[0-9]+$/, "", n); if (n != t) next; v = (f == "cpu") ? $3 + $4 : (f == "wall" ? $2 : $5 / 1024); a[++k] = v }
		END { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
		      printf "%.2f", (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }' "$WORK/runs.txt"
}

verdict() { awk -v r="$1" -v t="${2:-1.2}" 'BEGIN { print (r <= t ? "met" : "MISSED") }'; }

compare() {
	local t=$1 p=$2 w c m r
	w=$(ratio "$(median "$t" wall)" "$(median "$p" wall)")
	c=$(ratio "$(median "$t" cpu)" "$(median "$p" cpu)")
	m=$(ratio "$(median "$t" rss)" "$(median "$p" rss)")
	echo "$t / $p (medians of $RUNS rounds): wall $w ($(verdict "$w")), CPU $c ($(verdict "$c")), peak RSS $m ($(verdict "$m")); $t $(median "$t" wall) s, $(median "$t" cpu) s CPU, $(median "$t" rss) MiB; $p $(median "$p" wall) s, $(median "$p" cpu) s CPU, $(median "$p" rss) MiB"
	for ((r = 1; r <= RUNS; r++)); do
		echo "  round $r: wall $(ratio "$(of_run '$2' "$t.$r")" "$(of_run '$2' "$p.$r")"), CPU $(ratio "$(of_run '$3 + $4' "$t.$r")" "$(of_run '$3 + $4' "$p.$r")"), peak RSS $(ratio "$(of_run '$5' "$t.$r")" "$(of_run '$5' "$p.$r")")"
	done
}

# of_run EXPR NAME: an awk expression over the fields of run NAME.
of_run() { awk -v n="$2" "\$1 == n { print $1 }" "$WORK/runs.txt"; }

report_header() {
	local rev=""
	if [[ $PEDIGREE == "$WORK/pedigree" ]]; then
		rev=" ($(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null || echo ', with uncommitted changes'))"
	fi
	echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "# $(go version); nproc $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); memory: $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "# pedigree: $PEDIGREE$rev${BASELINE:+; baseline: $BASELINE}; syft $SYFT_VERSION"
}

report_reports() {
	local t
	for t in pedigree baseline; do
		[[ -f "$WORK/$t.json" ]] || continue
		echo "# $t report (warm-up): $(grep -o '"id": *"PDG-' "$WORK/$t.json" | wc -l) findings, $(grep -m1 -o '"complete": *[a-z]*' "$WORK/$t.json" || echo 'complete: ?')"
	done
	if [[ -f "$WORK/baseline.json" ]]; then
		if cmp -s "$WORK/pedigree.json" "$WORK/baseline.json"; then
			echo "# pedigree and baseline reports: identical"
		else
			echo "# pedigree and baseline reports differ:"
			diff "$WORK/baseline.json" "$WORK/pedigree.json" | head -20 | sed 's/^/#   /' || true
		fi
	fi
}
