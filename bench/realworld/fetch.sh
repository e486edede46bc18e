#!/usr/bin/env bash
# fetch.sh DIR: clone the repositories of SOURCES.md at their commits and
# copy the real-world SBOM sets into DIR/<set>/. Needs network and git;
# the tests never run it.
set -euo pipefail
dir=${1:?usage: fetch.sh DIR}
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

clone() { # clone REPO COMMIT
  local repo=$1 commit=$2 to="$tmp/${1//\//+}"
  git clone -q --filter=blob:none "https://github.com/$repo" "$to"
  git -C "$to" checkout -q "$commit"
  echo "$to"
}

shelter=$(clone chainguard-dev/bom-shelter 89ed4943e027c9bf148e6a80d7b2b78ae8d7771a)
mkdir -p "$dir/in-the-wild" "$dir/in-the-lab"
cp -r "$shelter/in-the-wild/." "$dir/in-the-wild/"
cp -r "$shelter/in-the-lab/spdx-popular-containers" "$dir/in-the-lab/"

sbomqs=$(clone interlynk-io/sbomqs e9deb52b92fb362fb810e823edf8e6ea72e11cc4)
mkdir -p "$dir/sbomqs"
for sub in samples spdx3 testdata; do
  (cd "$sbomqs" && find "$sub" -type f \( -name '*.json' -o -name '*.spdx' -o -name '*.xml' -o -name '*.yaml' -o -name '*.yml' -o -name '*.rdf' -o -name '*.tv' \) \
    -exec cp --parents {} "$dir/sbomqs/" \;)
done

examples=$(clone spdx/spdx-examples 692c708f2644b3e439143f42462033f469f93303)
mkdir -p "$dir/spdx-examples"
(cd "$examples" && find . -type f \( -name '*.json' -o -name '*.spdx' -o -name '*.xml' -o -name '*.yaml' -o -name '*.yml' -o -name '*.rdf' -o -name '*.jsonld' \) \
  ! -name package.json ! -name package-lock.json ! -name tsconfig.json -exec cp --parents {} "$dir/spdx-examples/" \;)
echo "fetched into $dir"
