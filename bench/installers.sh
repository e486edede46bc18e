#!/usr/bin/env bash
# Installers and firmware images: times pedigree scan and syft on the same
# squashfs image and the same MSI, built from one synthetic tree, and prints
# wall time, CPU time, peak RSS and the pedigree/syft ratios.
# See "Installers and firmware images" in docs/performance.md.
#
# Usage: bench/installers.sh
# Environment:
#   SIZE   size of the generated tree (default 256MiB)
#   SYFT   a syft binary to use instead of building the version in go.mod
#   KEEP=1 keep the temporary directory
#
# Needs go, /usr/bin/time, mksquashfs (squashfs-tools) and wixl; the last
# three are installed with apt-get when missing. syft reads each image as
# one file (it does not open squashfs or MSI); pedigree opens them and reads
# every file inside, so the ratio is the price of looking inside.
set -euo pipefail

cd "$(dirname "$0")/.."
SIZE=${SIZE:-256MiB}
# shellcheck source=bench/lib.sh
source bench/lib.sh
make_work installers

need() { # need COMMAND PACKAGE
	command -v "$1" >/dev/null && return
	log "installing $2 with apt-get"
	local sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
	$sudo apt-get install -y -qq "$2" >"$WORK/apt.log" 2>&1 || { echo "bench/installers.sh: $1 is missing and apt-get install $2 failed" >&2; exit 1; }
}
need mksquashfs squashfs-tools
need wixl wixl
[[ -x /usr/bin/time ]] || need /usr/bin/time time

build_syft

log "building pedigree"
go build -o "$WORK/pedigree" ./cmd/pedigree
log "generating a $SIZE tree"
go run bench/tree/main.go -out "$WORK/tree" -size "$SIZE" >"$WORK/tree.log"

log "building the squashfs image (gzip)"
mksquashfs "$WORK/tree" "$WORK/product.sqfs" -comp gzip -quiet -no-progress >/dev/null

log "building the MSI (wixl, one cabinet)"
{
	echo '<?xml version="1.0" encoding="utf-8"?>'
	echo '<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">'
	echo ' <Product Id="*" Name="Bench Product" Language="1033" Version="1.0.0" Manufacturer="Bench Ltd" UpgradeCode="6f0c3a52-7d1e-4b8e-9a61-0b5e2f4c9d01">'
	echo '  <Package InstallerVersion="200" Compressed="yes"/><Media Id="1" Cabinet="product.cab" EmbedCab="yes"/>'
	echo '  <Directory Id="TARGETDIR" Name="SourceDir"><Directory Id="INSTALLDIR" Name="Product"><Component Id="All" Guid="1f0c3a52-7d1e-4b8e-9a61-0b5e2f4c9d02">'
	n=0
	while IFS= read -r -d '' f; do
		n=$((n + 1))
		printf '   <File Id="f%d" Name="f%d_%s" Source="%s"/>\n' "$n" "$n" "$(basename "$f" | tr -c 'A-Za-z0-9._\n' '_' | cut -c1-60)" "$f"
	done < <(cd "$WORK/tree" && find . -type f -print0 | sort -z)
	echo '  </Component></Directory></Directory>'
	echo '  <Feature Id="Main" Level="1"><ComponentRef Id="All"/></Feature>'
	echo ' </Product>'
	echo '</Wix>'
} >"$WORK/product.wxs"
(cd "$WORK/tree" && wixl -o "$WORK/product.msi" "$WORK/product.wxs") # Source paths are relative

measure() { # measure NAME CMD... -> "wall user sys rssKiB"
	local name=$1
	shift
	"$@" >/dev/null 2>"$WORK/$name.warm.err" || true # warm-up: page cache
	/usr/bin/time -f '%e %U %S %M' -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || true
	cat "$WORK/$name.time"
}

echo "# $(go version); nproc $(nproc); tree $SIZE: $(find "$WORK/tree" -type f | wc -l) files"
printf '%-10s %-9s %10s %8s %8s %10s\n' input tool wall_s user_s sys_s rss_MiB
for input in sqfs msi; do
	file="$WORK/product.$input"
	read -r pw pu ps pm <<<"$(measure "ped-$input" "$WORK/pedigree" scan -q --fail-on none --allow-incomplete "$file")"
	read -r sw su ss sm <<<"$(measure "syft-$input" "$SYFT" scan -q "file:$file" -o syft-json=/dev/null)"
	printf '%-10s %-9s %10s %8s %8s %10d\n' "$input ($(du -h "$file" | cut -f1))" pedigree "$pw" "$pu" "$ps" $((pm / 1024))
	printf '%-10s %-9s %10s %8s %8s %10d\n' "" syft "$sw" "$su" "$ss" $((sm / 1024))
	awk -v a="$pw" -v b="$sw" -v c="$pm" -v d="$sm" -v i="$input" 'BEGIN { printf "%s: pedigree/syft wall %.2f, peak RSS %.2f\n", i, a/b, c/d }'
	"$WORK/pedigree" scan --fail-on none --allow-incomplete -o json "$file" >"$WORK/$input.json" 2>/dev/null || true
	echo "# $input: $(grep -m1 -o '"complete": [a-z]*' "$WORK/$input.json"), $(grep -m1 -o '"skippedCount": [0-9]*' "$WORK/$input.json"), $(grep -c '"id": "PDG-' "$WORK/$input.json") findings"
done
