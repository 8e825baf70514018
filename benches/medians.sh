#!/usr/bin/env bash
# Prints the median of the latest run of every criterion benchmark (from
# target/criterion/*/new), with the time per element (COMM, iteration) or
# the throughput in MB/s where the benchmark declares one.
#
# Usage: benches/medians.sh [FILTER]   (FILTER: a substring of the id)
set -euo pipefail
cd "$(dirname "$0")/.."

root="target/criterion"
[ -d "$root" ] || { echo "medians.sh: no results yet; run: cargo bench -p rho-benches" >&2; exit 1; }
filter="${1:-}"

# `"key":{...,"point_estimate":X` -> X for the first `key` in a JSON line.
point_estimate() {
  sed -e "s/.*\"$1\":{[^}]*}[^}]*\"point_estimate\":\([-0-9.eE+]*\).*/\1/" "$2"
}

# A time in ns, in the unit that suits it.
human() {
  awk -v ns="$1" 'BEGIN {
    if (ns >= 1e9) printf "%.3f s", ns / 1e9
    else if (ns >= 1e6) printf "%.2f ms", ns / 1e6
    else if (ns >= 1e3) printf "%.2f us", ns / 1e3
    else printf "%.1f ns", ns
  }'
}

printf '%-50s %12s  %s\n' benchmark median per-element
find "$root" -path '*/new/benchmark.json' | sort | while read -r meta; do
  id=$(sed -e 's/.*"full_id":"\([^"]*\)".*/\1/' "$meta")
  case "$id" in *"$filter"*) ;; *) continue ;; esac
  estimates="${meta%benchmark.json}estimates.json"
  [ -f "$estimates" ] || continue
  median=$(point_estimate median "$estimates")
  extra=""
  if grep -q '"Elements":' "$meta"; then
    elements=$(sed -e 's/.*"Elements":\([0-9]*\).*/\1/' "$meta")
    extra="$(human "$(awk -v m="$median" -v e="$elements" 'BEGIN { print m / e }')") per element ($elements)"
  elif grep -q '"Bytes":' "$meta"; then
    bytes=$(sed -e 's/.*"Bytes":\([0-9]*\).*/\1/' "$meta")
    extra="$(awk -v m="$median" -v b="$bytes" 'BEGIN { printf "%.2f MB/s", b / m * 1e3 }') ($bytes bytes)"
  fi
  printf '%-50s %12s  %s\n' "$id" "$(human "$median")" "$extra"
done
