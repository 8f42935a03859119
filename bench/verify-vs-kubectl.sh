#!/usr/bin/env bash
# Benchmark (not a test): on a seeded, upgraded simulator, `ciupgrade verify` against the runbook's step 9 loop
# (`kubectl get dc $c -o json | jq ...` for its 14 DCs), and `ciupgrade --version` against `kubectl version --client`,
# for the NativeAOT binary (the image's) and the framework-dependent build of the same code, all run alternately
# ROUNDS times (the machine may be loaded by other work: alternation spreads that evenly). Prints a Markdown table
# of mean wall time, peak RSS and the ratios the targets are stated in.
# Usage: bench/verify-vs-kubectl.sh [ROUNDS]   (needs dotnet, kubectl, jq, GNU time)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
rounds=${1:-10}
build_all
start_simulator --namespace 3scale --timing fast
for stage in preflight update-prehook patch-imagestreams set-release; do "$aot" "$stage" -n 3scale >/dev/null; done

DCS="apicast-production apicast-staging backend-cron backend-listener backend-redis backend-worker system-app system-memcache system-mysql system-redis system-sidekiq system-sphinx zync zync-database"
runbook_loop() {
  for c in $DCS; do echo -n "${c} image: " && kubectl get dc "$c" -o json | jq .spec.template.spec.containers[0].image; done
}
export -f runbook_loop; export DCS

for _ in $(seq 1 "$rounds"); do
  measure verify-aot "$aot" verify -n 3scale --junit "$work/junit.xml"
  measure loop bash -c runbook_loop
  measure verify-jit "$jit" verify -n 3scale --junit "$work/junit.xml"
  measure version-aot "$aot" --version
  measure kubectl-version kubectl version --client
  measure version-jit "$jit" --version
done
grep -q 'failures="0"' "$work/junit.xml" || { echo "verify did not pass: the figures would not be of a full verify" >&2; exit 1; }

read -r va vam _ vac <<<"$(stats verify-aot)"; read -r vj vjm _ vjc <<<"$(stats verify-jit)"; read -r l lm _ lc <<<"$(stats loop)"
read -r sa sam _ sac <<<"$(stats version-aot)"; read -r sj sjm _ sjc <<<"$(stats version-jit)"; read -r k km _ kc <<<"$(stats kubectl-version)"
echo "| what ($rounds runs each, alternated) | mean wall time | mean CPU time | peak RSS | ratio (wall) | ratio (CPU) |"
echo "|---|---|---|---|---|---|"
echo "| \`ciupgrade verify\`, NativeAOT | ${va} s | ${vac} s | ${vam} MiB | $(ratio "$va" "$l") × the loop | $(ratio "$vac" "$lc") × |"
echo "| \`ciupgrade verify\`, framework-dependent | ${vj} s | ${vjc} s | ${vjm} MiB | $(ratio "$vj" "$l") × the loop | $(ratio "$vjc" "$lc") × |"
echo "| runbook loop: 14 × \`kubectl get dc -o json \\| jq\` | ${l} s | ${lc} s | ${lm} MiB | 1 | 1 |"
echo "| \`ciupgrade --version\`, NativeAOT | ${sa} s | ${sac} s | ${sam} MiB | $(ratio "$sa" "$k") × kubectl | $(ratio "$sac" "$kc") × |"
echo "| \`ciupgrade --version\`, framework-dependent | ${sj} s | ${sjc} s | ${sjm} MiB | $(ratio "$sj" "$k") × kubectl | $(ratio "$sjc" "$kc") × |"
echo "| \`kubectl version --client\` | ${k} s | ${kc} s | ${km} MiB | 1 | 1 |"
echo
echo "- GC, NativeAOT verify (as the runtime reports it): $(gc_of verify-aot)"
echo "- $(bench_env_line)"
