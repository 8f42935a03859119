#!/usr/bin/env bash
# Benchmark (not a test): the README's demo ROUNDS times with the NativeAOT binary and with the framework-dependent
# build, alternately. Each run's last line gives the upgrade's wall time and the simulated cluster's own busy time
# (imports and rollouts, paced by its demo timing); the difference is ciupgrade's overhead across all stages
# (process starts, TLS, requests, noticing changes). Prints the means.
# Usage: bench/demo-overhead.sh [ROUNDS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
rounds=${1:-3}
build_all
for _ in $(seq 1 "$rounds"); do
  for kind in aot jit; do
    bin=$aot; [ "$kind" = jit ] && bin=$jit
    (cd "$work" && dotnet "$simulator" demo --ciupgrade "$bin" --junit "$work/out/verify-junit.xml" | tail -1) >>"$work/demo-$kind"
  done
done
echo "| demo, each stage its own process ($rounds runs each, alternated) | upgrade | simulated imports and rollouts | ciupgrade's overhead |"
echo "|---|---|---|---|"
for kind in aot jit; do
  label=NativeAOT; [ "$kind" = jit ] && label=framework-dependent
  sed -n 's/.*upgrade took \([0-9.]*\)s, of which the simulated cluster.s own imports and rollouts \([0-9.]*\)s.*/\1 \2/p' "$work/demo-$kind" |
    awk -v l="$label" '{u+=$1; s+=$2; n++} END {printf "| %s | %.2f s | %.2f s | %.2f s |\n", l, u/n, s/n, (u-s)/n}'
done
echo
echo "- $(bench_env_line)"
