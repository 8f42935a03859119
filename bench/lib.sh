# Shared by the bench scripts (sourced): builds what they run, starts a simulator, measures commands.
# Benchmarks, not tests: they print figures and never fail on them.
bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
# (kill only a simulator this script started: `kill 0` would signal the caller's whole process group)
trap '[ -z "${sim_pid:-}" ] || kill "$sim_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

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

# measure NAME COMMAND...: appends "seconds peak-KiB cpu-seconds" of one run to $work/NAME (output to $work/NAME.out).
# CPU time (user + system, of the command and its children) is recorded beside wall time: on a loaded machine the wall
# time is mostly waiting for a CPU, the CPU time is what the command itself cost.
measure() {
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f '%M %U %S' -o "$work/$name.rss" "$@" >"$work/$name.out" 2>&1 || true
  end=$(date +%s.%N)
  echo "$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.4f", b-a}') $(tail -1 "$work/$name.rss" | awk '{printf "%s %.2f", $1, $2+$3}')" >>"$work/$name"
}

# cpu_of PID: the CPU seconds (user + system) a running process has used so far.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/hz}' "/proc/$1/stat"; }

# stats NAME: "mean-seconds max-MiB runs mean-cpu-seconds".
stats() { awk '{t+=$1; c+=$3; if ($2>m) m=$2} END {printf "%.3f %.1f %d %.3f", t/NR, m/1024, NR, c/NR}' "$work/$1"; }

# ratio A B: A/B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (b > 0) printf "%.2f", a/b; else printf "n/a"}'; }
