#!/usr/bin/env bash
# Benchmark (not a test): `ciupgrade backup --databases` on the simulator with every database pod streaming a dump
# of SIZE bytes (default 200 MiB each: system-mysql, zync-database, backend-redis, system-redis), run as its own
# process like a Tekton step, for the NativeAOT binary (the image's) and the framework-dependent build of the same
# code, alternated ROUNDS times. Prints a Markdown table of mean wall time, peak RSS (issue 10: under 100 MiB) and
# the bytes dumped and written.
# Usage: bench/backup-databases.sh [SIZE_BYTES] [ROUNDS]   (needs dotnet, jq, GNU time)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
size=${1:-209715200}
rounds=${2:-3}
build_all
start_simulator --namespace 3scale --timing fast --database-dump-size "$size"

n=0
backup() {
  n=$((n + 1))
  measure "$1" "$2" backup --databases --backup-dir "$work/b$n" --timeout 30m
  local dir="$work/b$n/3scale/$(cat "$work/b$n/3scale/latest")"
  jq '[.databases[] | .bytes] | add' "$dir/manifest.json" >"$work/$1.dumped"
  jq '[.databases[] | .fileBytes] | add' "$dir/manifest.json" >"$work/$1.written"
  rm -rf "$work/b$n"
}

for _ in $(seq 1 "$rounds"); do
  backup aot "$aot"
  backup jit "$jit"
done

echo "| \`backup --databases\` ($rounds runs each, alternated) | mean wall time | peak RSS | dumped | written (gzip) |"
echo "|---|---|---|---|---|"
for kind in aot jit; do
  read -r t m _ <<<"$(stats "$kind")"
  label=$([ "$kind" = aot ] && echo NativeAOT || echo framework-dependent)
  awk -v l="$label" -v t="$t" -v m="$m" -v d="$(cat "$work/$kind.dumped")" -v w="$(cat "$work/$kind.written")" \
    'BEGIN{printf "| %s | %s s | %s MiB | %.0f MiB | %.1f MiB |\n", l, t, m, d/1048576, w/1048576}'
done
echo
echo "- $(bench_env_line)"
