#!/usr/bin/env bash
# Benchmark (not a test): `ciupgrade drift --all-namespaces` over N seeded 3scale installs (default 200, 15 DCs
# each) on the simulator: wall time, requests sent (counted by ciupgrade), peak RSS. Upgrades UPGRADED of them
# first (default 0: every install then reports drift, the heaviest report). Needs GNU time.
# Usage: bench/drift-200-namespaces.sh [N] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
rounds=${2:-3}
work=$(mktemp -d)
trap 'kill "${sim_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build -c Release src/CiUpgrade/CiUpgrade.csproj -v quiet -nologo >/dev/null
bin=src/CiUpgrade/bin/Release/net10.0
start=$(date +%s.%N)
"$bin/CiUpgrade.Simulator" --namespace tenant --namespaces "$n" --kubeconfig-out "$work/kubeconfig" --timing fast >"$work/sim.log" 2>&1 &
sim_pid=$!
until grep -q simulated "$work/sim.log" 2>/dev/null; do sleep 0.2; kill -0 "$sim_pid"; done
seeded=$(date +%s.%N)
export KUBECONFIG="$work/kubeconfig"

echo "| run | wall time | requests | peak RSS | installs drifted |"
echo "|---|---|---|---|---|"
for i in $(seq 1 "$rounds"); do
  s=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$bin/ciupgrade" drift --all-namespaces -n tenant-0 --junit "$work/drift.xml" >"$work/out" 2>&1 || true
  e=$(date +%s.%N)
  summary=$(grep 'installs checked' "$work/out")
  requests=$(sed -n 's/.*; \([0-9]*\) requests;.*/\1/p' <<<"$summary")
  drifted=$(sed -n 's/.*checked, \([0-9]*\) drifted.*/\1/p' <<<"$summary")
  awk -v i="$i" -v s="$s" -v e="$e" -v r="$requests" -v m="$(tail -1 "$work/rss")" -v d="$drifted" -v n="$n" \
    'BEGIN{printf "| %d | %.2f s | %s | %.0f MiB | %s of %s |\n", i, e-s, r, m/1024, d, n}'
done
awk -v a="$start" -v b="$seeded" -v n="$n" 'BEGIN{printf "\nseeding %d namespaces took %.1f s\n", n, b-a}'
