#!/usr/bin/env bash
# Benchmark (not a test): `ciupgrade drift --all-namespaces` over N seeded 3scale installs (default 200, 15 DCs and
# 9 image streams each) on one simulator, alternately: the NativeAOT binary with no memory limit, the NativeAOT binary
# under the memory limit the Tekton drift Task declares (tekton/tasks/ciupgrade-drift.yaml, computeResources.limits;
# 128 MiB assumed while it declares none), and the framework-dependent build: wall time, CPU time, requests (counted by
# ciupgrade: paged LISTs of 500), peak RSS, and the GC's own view of each NativeAOT run (CIUPGRADE_GC_REPORT). The
# installs are not upgraded, so every one reports drift (the largest report). Target (issue 12/23): <= 2 s and
# <= 80 MiB peak RSS, under the Task's limit. Needs GNU time; the limit needs a writable memory cgroup or systemd.
# Usage: bench/drift-200-namespaces.sh [N] [ROUNDS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n=${1:-200}
rounds=${2:-3}
task="$bench_root/tekton/tasks/ciupgrade-drift.yaml"
limit=$(bench_task_memory_limit "$task")
limit_source="the limit tekton/tasks/ciupgrade-drift.yaml declares"
[ -n "$limit" ] || { limit=134217728; limit_source="128 MiB, assumed: tekton/tasks/ciupgrade-drift.yaml declares no memory limit"; }
build_all
start=$(date +%s.%N)
start_simulator --namespace tenant --namespaces "$n" --timing fast
seeded=$(date +%s.%N)
bench_limit_setup "$limit"

# The simulator's own CPU time while it serves the unlimited NativeAOT runs: which side of the wall time is whose.
sim_cpu=0
for _ in $(seq 1 "$rounds"); do
  before=$(cpu_of "$sim_pid")
  measure drift-aot "$aot" drift --all-namespaces -n tenant-0 --junit "$work/drift.xml"
  sim_cpu=$(awk -v t="$sim_cpu" -v a="$before" -v b="$(cpu_of "$sim_pid")" 'BEGIN{printf "%.2f", t+b-a}')
  measure drift-limit "${limited[@]}" "$aot" drift --all-namespaces -n tenant-0 --junit "$work/drift.xml"
  measure drift-jit "$jit" drift --all-namespaces -n tenant-0 --junit "$work/drift.xml"
  # Without background GC (what gives the 110 MiB of issue 23; docs/benchmarks.md says why).
  measure drift-nc env DOTNET_gcConcurrent=0 "$aot" drift --all-namespaces -n tenant-0 --junit "$work/drift.xml"
done
limit_peak=$(bench_limit_peak)
bench_limit_cleanup
summary=$(grep 'installs checked' "$work/drift-aot.out")
requests=$(sed -n 's/.*; \([0-9]*\) requests;.*/\1/p' <<<"$summary")
drifted=$(sed -n 's/.*checked, \([0-9]*\) drifted.*/\1/p' <<<"$summary")
grep -q 'installs checked' "$work/drift-limit.out" || { echo "drift under the memory limit did not finish:" >&2; tail -3 "$work/drift-limit.out" >&2; }
read -r a am _ ac <<<"$(stats drift-aot)"; read -r l lm _ lc <<<"$(stats drift-limit)"; read -r j jm _ jc <<<"$(stats drift-jit)"
read -r c cm _ cc <<<"$(stats drift-nc)"
met() { awk -v t="$1" -v m="$2" 'BEGIN{print (t <= 2 && m <= 80) ? "yes" : "**no**"}'; }
echo "| \`drift -A\`, $n installs ($rounds runs each, alternated) | mean wall time | mean CPU time | peak RSS | requests | installs drifted | ≤ 2 s, ≤ 80 MiB |"
echo "|---|---|---|---|---|---|---|"
echo "| NativeAOT, no memory limit | ${a} s | ${ac} s | ${am} MiB | $requests | $drifted of $n | $(met "$a" "$am") |"
echo "| NativeAOT, under the drift Task's memory limit ($(bench_mib "$limit")) | ${l} s | ${lc} s | ${lm} MiB | $requests | $drifted of $n | $(met "$l" "$lm") |"
echo "| framework-dependent, no memory limit | ${j} s | ${jc} s | ${jm} MiB | $requests | $drifted of $n | |"
echo "| NativeAOT, no memory limit, DOTNET_gcConcurrent=0 (not shipped: the GC without background collections) | ${c} s | ${cc} s | ${cm} MiB | $requests | $drifted of $n | |"
echo
echo "- memory limit: $limit_source; applied with $limit_how${limit_peak:+; $limit_peak}"
echo "- GC, NativeAOT, no limit (as the runtime reports it): $(gc_of drift-aot)"
echo "- GC, NativeAOT, under the limit: $(gc_of drift-limit)"
echo "- GC, NativeAOT, DOTNET_gcConcurrent=0: $(gc_of drift-nc)"
awk -v c="$sim_cpu" -v r="$rounds" 'BEGIN{printf "- the simulator (Release build) used %.2f s of CPU per NativeAOT run, serving its LISTs\n", c/r}'
awk -v a="$start" -v b="$seeded" -v n="$n" 'BEGIN{printf "- seeding %d namespaces took %.1f s\n", n, b-a}'
echo "- $(bench_env_line)"
