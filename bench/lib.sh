# Shared by the bench scripts (sourced): builds what they run, starts a simulator, measures commands.
# Benchmarks, not tests: they print figures and never fail on them.
bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'kill "${sim_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

# aot: the NativeAOT binary the image ships (build/publish.sh; CIUPGRADE_BIN overrides); jit: the same code as the
# framework-dependent build (what the image shipped before, ReadyToRun aside), built with the simulator.
build_all() {
  aot=$(realpath -m "${CIUPGRADE_BIN:-$bench_root/publish/ciupgrade}")
  if [ ! -x "$aot" ]; then
    echo "publishing $aot (NativeAOT, a few minutes)" >&2
    sh "$bench_root/build/publish.sh" "$(dirname "$aot")" >/dev/null
  fi
  dotnet build -c Release "$bench_root/src/CiUpgrade.Simulator/CiUpgrade.Simulator.csproj" -v quiet -nologo >/dev/null
  simulator="$bench_root/src/CiUpgrade.Simulator/bin/Release/net10.0/CiUpgrade.Simulator.dll"
  jit="$bench_root/src/CiUpgrade.Simulator/bin/Release/net10.0/ciupgrade-app/ciupgrade"
}

# start_simulator ARGS...: a simulator in the background (sim_pid), KUBECONFIG pointing at it.
start_simulator() {
  dotnet "$simulator" --kubeconfig-out "$work/kubeconfig" "$@" >"$work/sim.log" 2>&1 &
  sim_pid=$!
  until grep -q simulated "$work/sim.log" 2>/dev/null; do kill -0 "$sim_pid"; sleep 0.2; done
  export KUBECONFIG="$work/kubeconfig"
}

# measure NAME COMMAND...: appends "seconds peak-KiB" of one run to $work/NAME (output to $work/NAME.out).
measure() {
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/$name.rss" "$@" >"$work/$name.out" 2>&1 || true
  end=$(date +%s.%N)
  echo "$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.4f", b-a}') $(tail -1 "$work/$name.rss")" >>"$work/$name"
}

# stats NAME: "mean-seconds max-MiB runs".
stats() { awk '{t+=$1; if ($2>m) m=$2} END {printf "%.3f %.1f %d", t/NR, m/1024, NR}' "$work/$1"; }

# ratio A B: A/B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
