#!/usr/bin/env bash
# Benchmark (not a test): `ciupgrade backup --databases` on the simulator with every database pod streaming a dump
# of SIZE bytes (default 200 MiB each: system-mysql, zync-database, backend-redis, system-redis), run as its own
# process like a Tekton step: wall time, peak RSS (GNU time), bytes dumped and written. Needs GNU time.
# Usage: bench/backup-databases.sh [SIZE_BYTES] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-209715200}
rounds=${2:-3}
work=$(mktemp -d)
trap 'kill "${sim_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build -c Release src/CiUpgrade/CiUpgrade.csproj -v quiet -nologo >/dev/null
dotnet build -c Release src/CiUpgrade.Simulator/CiUpgrade.Simulator.csproj -v quiet -nologo >/dev/null
bin=src/CiUpgrade/bin/Release/net10.0
sim=src/CiUpgrade.Simulator/bin/Release/net10.0
"$sim/CiUpgrade.Simulator" --namespace 3scale --kubeconfig-out "$work/kubeconfig" --timing fast --database-dump-size "$size" >"$work/sim.log" 2>&1 &
sim_pid=$!
until grep -q simulated "$work/sim.log" 2>/dev/null; do sleep 0.2; kill -0 "$sim_pid"; done
export KUBECONFIG="$work/kubeconfig"

echo "| run | wall time | peak RSS | dumped | written (gzip) |"
echo "|---|---|---|---|---|"
for i in $(seq 1 "$rounds"); do
  s=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$bin/ciupgrade" backup --databases --backup-dir "$work/b$i" --timeout 30m >"$work/out" 2>&1
  e=$(date +%s.%N)
  dir="$work/b$i/3scale/$(cat "$work/b$i/3scale/latest")"
  dumped=$(jq '[.databases[] | .bytes] | add' "$dir/manifest.json")
  written=$(jq '[.databases[] | .fileBytes] | add' "$dir/manifest.json")
  awk -v i="$i" -v s="$s" -v e="$e" -v m="$(tail -1 "$work/rss")" -v d="$dumped" -v w="$written" \
    'BEGIN{printf "| %d | %.2f s | %.0f MiB | %.0f MiB | %.1f MiB |\n", i, e-s, m/1024, d/1048576, w/1048576}'
done
