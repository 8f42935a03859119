#!/usr/bin/env bash
# Benchmark (not a test): issue 23's target, the whole `ciupgrade verify` gate against ONE `kubectl get dc -o json`
# on the same seeded, upgraded simulator (target: verify <= 0.5 x kubectl, peak RSS <= 40 MiB). The two run
# alternately ROUNDS times, verify first in odd rounds and kubectl first in even ones, after five unmeasured rounds
# that warm the simulator up (see below); kubectl keeps its discovery cache warm, as on an operator's machine. Figures are medians (a loaded machine
# makes means jump): wall time, CPU time (user + system) and peak RSS, and the median of each round's ratio.
# Each wall time is taken with bash's EPOCHREALTIME around GNU time, which runs the command: the two sides pay the
# same small fork/exec overhead.
# Usage: bench/verify-vs-get-dc.sh [ROUNDS]   (needs dotnet, kubectl, GNU time)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
rounds=${1:-21}
build_all
# The simulator stands in for compiled Go: JIT-compiled fully optimised from its first call (no tier-0 code, which
# the JIT replaces only after 30 calls of a method), so that neither side is measured against a server still warming up.
DOTNET_TieredCompilation=0 start_simulator --namespace 3scale --timing fast
for stage in preflight update-prehook patch-imagestreams set-release; do "$aot" "$stage" -n 3scale >/dev/null; done
# Unmeasured rounds first: the simulator's first answers still pay for loading and compiling its code, where a real
# API server has long been running; measured cold, every request of either side pays for that, verify's four more
# than kubectl's one. The first kubectl call also fills its discovery cache.
for _ in 1 2 3 4 5; do
  "$aot" verify -n 3scale --junit "$work/junit.xml" >/dev/null || true
  kubectl get dc -n 3scale -o json >/dev/null
done

# timed NAME COMMAND...: appends "wall-seconds peak-KiB cpu-seconds" of one run to $work/NAME.
timed() {
  local name=$1 t0 t1; shift
  t0=$EPOCHREALTIME
  CIUPGRADE_GC_REPORT=1 /usr/bin/time -f '%M %U %S' -o "$work/$name.rss" "$@" >"$work/$name.out" 2>&1 || true
  t1=$EPOCHREALTIME
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b - a}') $(tail -1 "$work/$name.rss" | awk '{printf "%s %.3f", $1, $2 + $3}')" >>"$work/$name"
}
verify() { timed verify "$aot" verify -n 3scale --junit "$work/junit.xml"; }
get_dc() { timed get-dc kubectl get dc -n 3scale -o json; }

for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then verify; get_dc; else get_dc; verify; fi
done
grep -q 'failures="0"' "$work/junit.xml" || { echo "verify did not pass: the figures would not be of a full verify" >&2; exit 1; }
grep -q '"kind": "List"' "$work/get-dc.out" || { echo "kubectl get dc did not list the DCs" >&2; exit 1; }

# median FILE COLUMN
median() { awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ratios=$(paste "$work/verify" "$work/get-dc" | awk '{printf "%.4f\n", $1 / $4}' | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
vw=$(median "$work/verify" 1); vc=$(median "$work/verify" 3); vm=$(awk '$2 > m {m = $2} END {printf "%.1f", m / 1024}' "$work/verify")
kw=$(median "$work/get-dc" 1); kc=$(median "$work/get-dc" 3); km=$(awk '$2 > m {m = $2} END {printf "%.1f", m / 1024}' "$work/get-dc")
met=$(awk -v v="$vw" -v k="$kw" -v m="$vm" 'BEGIN{print (v <= 0.5 * k && m <= 40) ? "yes" : "**no**"}')
echo "| what ($rounds runs each, alternated) | median wall time | median CPU time | peak RSS (max of runs) | verify ÷ kubectl (wall) | ≤ 0.5 ×, ≤ 40 MiB |"
echo "|---|---|---|---|---|---|"
echo "| \`ciupgrade verify\` (NativeAOT; the whole gate: DCs, image streams, RCs, release) | $(printf %.3f "$vw") s | $(printf %.3f "$vc") s | $vm MiB | **$(ratio "$vw" "$kw")** (median of the rounds' ratios: $(printf %.2f "$ratios"); CPU $(ratio "$vc" "$kc")) | $met |"
echo "| \`kubectl get dc -n 3scale -o json\` (warm discovery cache) | $(printf %.3f "$kw") s | $(printf %.3f "$kc") s | $km MiB | 1 | |"
echo
echo "- kubectl $(kubectl version --client 2>/dev/null | head -1 | sed 's/Client Version: //')"
echo "- GC, NativeAOT verify (as the runtime reports it): $(sed -n 's/^gc: //p' "$work/verify.out" | tail -1)"
# Instructions, not time: callgrind counts the same on an idle or a loaded machine. By object: the binary (its
# code, and code valgrind cannot place, which is the binary's too: it maps nothing else executable), OpenSSL, libc, ld.so.
if command -v valgrind >/dev/null; then
  instructions() {
    valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$@" >/dev/null 2>&1 || true
    callgrind_annotate --threshold=100 "$work/cg" 2>/dev/null | sed 's/,//g' | awk '
      /PROGRAM TOTALS/ {total = $1; next}
      /^ *[0-9]+ \(/ {o = $NF; if (o ~ /libcrypto|libssl/) k = "OpenSSL"; else if (o ~ /libc\.so/) k = "libc"; else if (o ~ /ld-linux/) k = "ld.so"; else if (o ~ /^\[/) k = "ciupgrade"; else next; n[k] += $1}
      END {printf "%.1f M instructions (ciupgrade %.1f M, OpenSSL %.1f M, libc %.1f M, ld.so %.1f M)", total / 1e6, n["ciupgrade"] / 1e6, n["OpenSSL"] / 1e6, n["libc"] / 1e6, n["ld.so"] / 1e6}'
  }
  echo "- callgrind: verify $(instructions "$aot" verify -n 3scale --junit "$work/junit.xml"); start-up, \`--version\`: $(instructions "$aot" --version)"
fi
echo "- $(bench_env_line)"
