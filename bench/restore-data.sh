#!/usr/bin/env bash
# Benchmark (not a test): `ciupgrade rollback --restore-data` on the simulator after a full upgrade, with the system
# database's dump SIZE bytes (default 1 GiB; the other data sets the simulator's default 64 KiB), run by the NativeAOT
# binary (the image's) as its own process like the Tekton finally task. The backup and the upgrade before it are set
# up with the same binary and not measured. Prints a Markdown table of wall time, CPU time, peak RSS (issue 20: a
# 1 GiB dump within 100 MiB) and the bytes loaded through pods/exec stdin, with the GC's own report.
# Usage: bench/restore-data.sh [SIZE_BYTES] [ROUNDS]   (needs dotnet, jq, GNU time)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
size=${1:-1073741824}
rounds=${2:-1}
build_all

for round in $(seq 1 "$rounds"); do
  [ -z "${sim_pid:-}" ] || { kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; }
  start_simulator --namespace 3scale --timing fast --database-dump-size "$size" --database-dump-dc system-mysql
  for stage in "backup --databases --backup-dir $work/backups --timeout 30m" update-prehook patch-imagestreams set-release; do
    # shellcheck disable=SC2086
    "$aot" $stage -n 3scale >>"$work/setup.log" 2>&1 || { echo "setup: $stage failed"; tail -5 "$work/setup.log"; exit 1; }
  done
  measure aot "$aot" rollback -n 3scale --backup-dir "$work/backups" --restore-data --timeout 30m
  grep -q "data included" "$work/aot.out" || { echo "round $round: the data restore did not finish:"; tail -5 "$work/aot.out"; exit 1; }
  dir="$work/backups/3scale/$(cat "$work/backups/3scale/latest")"
  jq '[.databases[], .storage[]? | .bytes] | add' "$dir/manifest.json" >"$work/aot.loaded"
  jq '.databases["system-mysql"].bytes' "$dir/manifest.json" >"$work/aot.mysql"
  rm -rf "$work/backups"
done

echo "| \`rollback --restore-data\` ($rounds run(s), NativeAOT) | mean wall time | mean CPU time | peak RSS | system-mysql dump | loaded in all |"
echo "|---|---|---|---|---|---|"
read -r t m _ c <<<"$(stats aot)"
awk -v t="$t" -v m="$m" -v c="$c" -v s="$(cat "$work/aot.mysql")" -v l="$(cat "$work/aot.loaded")" \
  'BEGIN{printf "| NativeAOT | %s s | %s s | %s MiB | %.0f MiB | %.0f MiB |\n", t, c, m, s/1048576, l/1048576}'
echo
echo "gc: $(gc_of aot)"
bench_env_line
