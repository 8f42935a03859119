#!/usr/bin/env bash
# Benchmark (not a test): the peak RSS of every cluster stage of the chain, as a Tekton step runs it (the NativeAOT
# binary, its own process), in chain order on one seeded simulator: preflight, backup --databases (four dumps of SIZE
# bytes), update-prehook, patch-imagestreams, set-release, wait-rollouts, verify, gate, drift (into a directory), report
# (over that directory), rollback; ROUNDS times on a fresh namespace each, the highest peak kept. Beside each: the memory limit its Task declares
# (tekton/tasks/ciupgrade-<stage>.yaml) and that limit over the peak, against the rule tekton/README.md "Compute
# resources" states (a limit of at least 3.5 x the peak). Needs GNU time.
# Usage: bench/stage-memory.sh [SIZE_BYTES] [ROUNDS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
size=${1:-209715200}
rounds=${2:-3}
build_all
start_simulator --namespace bench --namespaces "$rounds" --timing fast --database-dump-size "$size"

stages=(preflight backup update-prehook patch-imagestreams set-release wait-rollouts verify gate drift report rollback)
for r in $(seq 0 $((rounds - 1))); do
  ns=(-n "bench-$r" --timeout 10m)
  measure preflight "$aot" preflight "${ns[@]}"
  measure backup "$aot" backup "${ns[@]}" --databases --backup-dir "$work/backups"
  measure update-prehook "$aot" update-prehook "${ns[@]}"
  measure patch-imagestreams "$aot" patch-imagestreams "${ns[@]}"
  measure set-release "$aot" set-release "${ns[@]}"
  measure wait-rollouts "$aot" wait-rollouts "${ns[@]}"
  measure verify "$aot" verify "${ns[@]}" --junit "$work/verify.xml"
  measure gate "$aot" gate --status Succeeded --passed 16 --failed 0 --skipped 1
  measure drift "$aot" drift "${ns[@]}" --target "bench-$r::bench-$r" --junit "$work/fleet/"
  measure report "$aot" report --junit-dir "$work/fleet" --junit "$work/fleet.xml" --html "$work/fleet.html" --targets "bench-$r"
  measure rollback "$aot" rollback "${ns[@]}" --backup-dir "$work/backups"
  rm -rf "$work/backups"
done
# The figures are of a working chain only: every stage of the last round must have done its work.
grep -q 'failures="0"' "$work/verify.xml" || { echo "verify did not pass: not the figures of an upgraded install" >&2; tail -3 "$work/verify.out" >&2; exit 1; }

echo "| stage ($rounds runs, NativeAOT; backup: four $(bench_mib "$size") dumps) | peak RSS (max of runs) | mean CPU time | Task memory limit | limit ÷ peak | ≥ 3.5 × |"
echo "|---|---|---|---|---|---|"
for stage in "${stages[@]}"; do
  read -r _ m _ c <<<"$(stats "$stage")"
  limit=$(bench_task_memory_limit "$bench_root/tekton/tasks/ciupgrade-$stage.yaml")
  awk -v s="$stage" -v m="$m" -v c="$c" -v l="${limit:-0}" 'BEGIN{
    printf "| %s | %s MiB | %s s | %s | %s | %s |\n", s, m, c, (l > 0) ? sprintf("%.0f MiB", l / 1048576) : "none",
      (l > 0) ? sprintf("%.1f", l / 1048576 / m) : "n/a", (l > 0 && l / 1048576 >= 3.5 * m) ? "yes" : "**no**" }'
done
echo
echo "- GC, NativeAOT, backup (as the runtime reports it): $(gc_of backup)"
echo "- $(bench_env_line)"
