#!/usr/bin/env bash
# Benchmark (not a test): on a seeded, upgraded simulator, `ciupgrade verify` against the runbook's step 9
# loop (`kubectl get dc $c -o json | jq ...` per DC), run alternately ROUNDS times each; then process start
# of `ciupgrade --version`. Prints a Markdown table of mean wall time and peak RSS.
# Usage: bench/verify-vs-kubectl.sh [ROUNDS]   (needs dotnet, kubectl, jq, GNU time)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
work=$(mktemp -d)
trap 'kill "${sim_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build -c Release src/CiUpgrade/CiUpgrade.csproj -v quiet -nologo >/dev/null
ciupgrade=src/CiUpgrade/bin/Release/net10.0/ciupgrade
simulator=src/CiUpgrade/bin/Release/net10.0/CiUpgrade.Simulator

"$simulator" --namespace 3scale --kubeconfig-out "$work/kubeconfig" --timing fast >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do [ -s "$work/kubeconfig" ] && grep -q simulated "$work/sim.log" && break; sleep 0.1; done
export KUBECONFIG="$work/kubeconfig"
for stage in preflight patch-imagestreams set-release; do "$ciupgrade" "$stage" -n 3scale >/dev/null; done

DCS="apicast-production apicast-staging backend-cron backend-listener backend-redis backend-worker system-app system-memcache system-mysql system-redis system-sidekiq system-sphinx zync zync-database"
runbook_loop() {
  for c in $DCS; do echo -n "${c} image: " && kubectl get dc "$c" -o json | jq .spec.template.spec.containers[0].image; done
}
export -f runbook_loop; export DCS

# measure NAME COMMAND...: appends "seconds kilobytes" to $work/NAME
measure() {
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/$name.rss" "$@" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  echo "$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.4f", b-a}') $(cat "$work/$name.rss")" >>"$work/$name"
}

for _ in $(seq 1 "$rounds"); do
  measure verify "$ciupgrade" verify -n 3scale --junit "$work/junit.xml"
  measure loop bash -c runbook_loop
  measure version "$ciupgrade" --version
done

stats() { awk '{t+=$1; if ($2>m) m=$2} END {printf "%.3f %.1f", t/NR, m/1024}' "$work/$1"; }
read -r vt vm <<<"$(stats verify)"; read -r lt lm <<<"$(stats loop)"; read -r st sm <<<"$(stats version)"
ratio=$(awk -v l="$lt" -v v="$vt" 'BEGIN{printf "%.1f", l/v}')
echo "| what ($rounds runs each, alternated) | mean wall time | peak RSS |"
echo "|---|---|---|"
echo "| \`ciupgrade verify\` (1 LIST of DCs + 1 of image streams, JUnit written) | ${vt} s | ${vm} MiB |"
echo "| runbook loop: 14 × \`kubectl get dc -o json \| jq\` | ${lt} s | ${lm} MiB |"
echo "| \`ciupgrade --version\` (process start) | ${st} s | ${sm} MiB |"
echo
echo "verify is ${ratio}x faster than the runbook loop"
