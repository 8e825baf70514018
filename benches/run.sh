#!/usr/bin/env bash
# Runs every workload of ../shared/bench, plus hello world, through the
# release `rhoc` binary with each engine, and the countdown at three sizes;
# checks each output against its `.expected` file and prints a table of the
# median wall time and the median peak memory (resident set size).
#
# Usage: benches/run.sh [REPETITIONS]   (default 5; or set REPS)
#
# Engines: `wasm-cold` runs with an empty compile cache each time,
# `wasm-warm` after one untimed run has filled it, `interp` is the Par
# evaluator. Wall time is taken around the whole process (start-up
# included) with bash's $EPOCHREALTIME, peak memory with GNU time's `%M`
# (its own `%e` has only 10 ms resolution).
set -euo pipefail
[ -n "${EPOCHREALTIME:-}" ] || { echo "run.sh: needs bash 5 or later" >&2; exit 1; }
cd "$(dirname "$0")/.."

reps="${1:-${REPS:-5}}"
case "$reps" in
  '' | *[!0-9]* | 0) echo "run.sh: REPETITIONS must be a positive integer, not '$reps'" >&2; exit 2 ;;
esac
if [ ! -x /usr/bin/time ]; then
  echo "run.sh: /usr/bin/time (GNU time) is missing; install it with: apt-get install time" >&2
  exit 1
fi

bench_dir="../shared/bench"
hello_dir="../shared/conformance"
[ -d "$bench_dir" ] || { echo "run.sh: no workloads at $bench_dir" >&2; exit 1; }

cargo build --release --bin rhoc >&2
rhoc="$PWD/target/release/rhoc"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export RHOC_CACHE_DIR="$work/cache"

# The countdown at other sizes, the program text with N substituted.
for n in 10000 1000000; do
  sed "s/ch!(100000)/ch!($n)/" "$bench_dir/countdown_100000.rho" > "$work/countdown_$n.rho"
  cp "$bench_dir/countdown_100000.expected" "$work/countdown_$n.expected"
done
grep -q 'ch!(1000000)' "$work/countdown_1000000.rho" ||
  { echo "run.sh: countdown_100000.rho no longer starts with ch!(100000)" >&2; exit 1; }

# Targets of issue 6 (end to end, ms); hello world's depend on the cache.
target_ms() {
  case "$1/$2" in
    countdown_100000/wasm-warm) echo 50 ;;
    ping_pong_100000/wasm-warm) echo 80 ;;
    fib_20/wasm-warm) echo 30 ;;
    list_build_sum_10000/wasm-warm) echo 20 ;;
    map_insert_lookup_5000/wasm-warm) echo 30 ;;
    hello_world/wasm-warm) echo 10 ;;
    hello_world/wasm-cold) echo 30 ;;
    *) echo "" ;;
  esac
}

# One run: prints "wall_ms rss_kb status" where status is ok, WRONG-OUTPUT
# or EXIT-<code>.
run_once() {
  local file="$1" engine="$2" expected="$3"
  local flag=wasm
  [ "$engine" = interp ] && flag=interp
  [ "$engine" = wasm-cold ] && rm -rf "$RHOC_CACHE_DIR"
  local start end code=0
  start=${EPOCHREALTIME/[.,]/}
  /usr/bin/time -o "$work/time" -f '%e %M' \
    "$rhoc" run --engine "$flag" "$file" > "$work/out" 2> "$work/err" || code=$?
  end=${EPOCHREALTIME/[.,]/}
  local status=ok
  if [ "$code" -ne 0 ]; then
    status="EXIT-$code"
  elif ! cmp -s "$work/out" "$expected"; then
    status=WRONG-OUTPUT
  fi
  echo "$((end - start)) $(tail -n 1 "$work/time" | cut -d' ' -f2) $status"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

programs=()
for f in "$bench_dir"/*.rho; do programs+=("$f"); done
programs+=("$hello_dir/hello_world.rho" "$work/countdown_10000.rho" "$work/countdown_1000000.rho")

failures=0
results="$work/results"
: > "$results"
for file in "${programs[@]}"; do
  name="$(basename "$file" .rho)"
  expected="${file%.rho}.expected"
  for engine in wasm-cold wasm-warm interp; do
    # Fill the cache first for a warm run.
    [ "$engine" = wasm-warm ] && "$rhoc" run "$file" > /dev/null 2>&1 || true
    : > "$work/walls"; : > "$work/rss"; status=ok
    for _ in $(seq "$reps"); do
      read -r wall_us rss_kb run_status <<< "$(run_once "$file" "$engine" "$expected")"
      echo "$wall_us" >> "$work/walls"
      echo "$rss_kb" >> "$work/rss"
      [ "$run_status" = ok ] || status="$run_status"
    done
    [ "$status" = ok ] || failures=$((failures + 1))
    echo "$name $engine $(median < "$work/walls") $(median < "$work/rss") $status" >> "$results"
  done
done

echo
echo "rhoc $("$rhoc" --version | head -n 1), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $reps repetitions, medians"
printf '%-24s %-10s %10s %10s %9s  %-6s %s\n' program engine wall_ms rss_MB target_ms met output
while read -r name engine wall_us rss_kb status; do
  target="$(target_ms "$name" "$engine")"
  wall_ms=$(awk -v us="$wall_us" 'BEGIN { printf "%.1f", us / 1000 }')
  rss_mb=$(awk -v kb="$rss_kb" 'BEGIN { printf "%.1f", kb / 1024 }')
  met=""
  if [ -n "$target" ]; then
    met=$(awk -v w="$wall_ms" -v t="$target" 'BEGIN { print (w <= t) ? "yes" : "NO" }')
    if [ "$name" = countdown_100000 ]; then
      # Also at most 64 MB of peak memory.
      met=$(awk -v m="$met" -v r="$rss_mb" 'BEGIN { print (m == "yes" && r <= 64) ? "yes" : "NO" }')
      target="$target,64MB"
    fi
  fi
  printf '%-24s %-10s %10s %10s %9s  %-6s %s\n' "$name" "$engine" "$wall_ms" "$rss_mb" "${target:--}" "${met:--}" "$status"
done < "$results"

# Scaling of the countdown: time per COMM (N + 2 COMMs) and the ratio of
# the times at 10 N and N (at most 11), peak memory at each N.
echo
echo "countdown scaling (time per COMM includes process start-up and compilation)"
printf '%-10s %10s %12s %12s %10s\n' engine N wall_ms ns_per_COMM rss_MB
for engine in wasm-warm interp; do
  previous=""
  for n in 10000 100000 1000000; do
    read -r wall_us rss_kb <<< "$(awk -v name="countdown_$n" -v e="$engine" '$1 == name && $2 == e { print $3, $4 }' "$results")"
    per_comm=$(awk -v us="$wall_us" -v n="$n" 'BEGIN { printf "%.0f", us * 1000 / (n + 2) }')
    ratio=""
    if [ -n "$previous" ]; then
      ratio=$(awk -v a="$previous" -v b="$wall_us" 'BEGIN { r = b / a; printf "  x%.2f for 10x work (%s)", r, (r <= 11) ? "ok" : "ABOVE 11" }')
    fi
    printf '%-10s %10s %12.1f %12s %10.1f%s\n' "$engine" "$n" "$(awk -v us="$wall_us" 'BEGIN { print us / 1000 }')" "$per_comm" "$(awk -v kb="$rss_kb" 'BEGIN { print kb / 1024 }')" "$ratio"
    previous="$wall_us"
  done
done

if [ "$failures" -gt 0 ]; then
  echo "run.sh: $failures program/engine pairs failed (wrong output or exit status)" >&2
  exit 1
fi
