#!/usr/bin/env bash
# Benchmark (not a test): `ciupgrade drift --all-namespaces` over N seeded 3scale installs (default 200, 15 DCs and
# 9 image streams each) on one simulator, NativeAOT binary and framework-dependent build alternately: wall time,
# requests (counted by ciupgrade: paged LISTs of 500), peak RSS. The installs are not upgraded, so every one
# reports drift (the largest report). Needs GNU time.
# Usage: bench/drift-200-namespaces.sh [N] [ROUNDS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n=${1:-200}
rounds=${2:-3}
build_all
start=$(date +%s.%N)
start_simulator --namespace tenant --namespaces "$n" --timing fast
seeded=$(date +%s.%N)

# The simulator's own CPU time while it serves the NativeAOT runs: which side of the wall time is whose.
sim_cpu=0
for _ in $(seq 1 "$rounds"); do
  before=$(cpu_of "$sim_pid")
  measure drift-aot "$aot" drift --all-namespaces -n tenant-0 --junit "$work/drift.xml"
  sim_cpu=$(awk -v t="$sim_cpu" -v a="$before" -v b="$(cpu_of "$sim_pid")" 'BEGIN{printf "%.2f", t+b-a}')
  measure drift-jit "$jit" drift --all-namespaces -n tenant-0 --junit "$work/drift.xml"
done
summary=$(grep 'installs checked' "$work/drift-aot.out")
requests=$(sed -n 's/.*; \([0-9]*\) requests;.*/\1/p' <<<"$summary")
drifted=$(sed -n 's/.*checked, \([0-9]*\) drifted.*/\1/p' <<<"$summary")
read -r a am _ ac <<<"$(stats drift-aot)"; read -r j jm _ jc <<<"$(stats drift-jit)"
echo "| \`drift -A\`, $n installs ($rounds runs each, alternated) | mean wall time | mean CPU time | peak RSS | requests | installs drifted |"
echo "|---|---|---|---|---|---|"
echo "| NativeAOT | ${a} s | ${ac} s | ${am} MiB | $requests | $drifted of $n |"
echo "| framework-dependent | ${j} s | ${jc} s | ${jm} MiB | $requests | $drifted of $n |"
awk -v c="$sim_cpu" -v r="$rounds" 'BEGIN{printf "\nthe simulator (Release build) used %.2f s of CPU per NativeAOT run, serving its LISTs\n", c/r}'
awk -v a="$start" -v b="$seeded" -v n="$n" 'BEGIN{printf "seeding %d namespaces took %.1f s\n", n, b-a}'
