# Shared by the bench scripts (sourced): builds what they run, starts a simulator, measures commands.
# Benchmarks, not tests: they print figures and never fail on them.
bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$bench_root/bench/env.sh"
bench_load_before=$(bench_load)
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
  CIUPGRADE_GC_REPORT=1 /usr/bin/time -f '%M %U %S' -o "$work/$name.rss" "$@" >"$work/$name.out" 2>&1 || true
  end=$(date +%s.%N)
  echo "$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.4f", b-a}') $(tail -1 "$work/$name.rss" | awk '{printf "%s %.2f", $1, $2+$3}')" >>"$work/$name"
}

# gc_of NAME: the GC's own report of the last run measured as NAME (ciupgrade's CIUPGRADE_GC_REPORT line, which
# measure asks for), or "not reported".
gc_of() { sed -n 's/^gc: //p' "$work/$1.out" | tail -1 | grep . || echo "not reported"; }

# bench_env_line: the environment line printed under every table: load average at the script's start and now, the
# memory limit in force, GC settings in the environment.
bench_env_line() {
  echo "environment: load average $bench_load_before at the start, $(bench_load) at the end; cgroup memory limit $(bench_mib "$(bench_memory_limit)"); GC settings in the environment: $(bench_gc_env)"
}

# cpu_of PID: the CPU seconds (user + system) a running process has used so far.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/hz}' "/proc/$1/stat"; }

# stats NAME: "mean-seconds max-MiB runs mean-cpu-seconds".
stats() { awk '{t+=$1; c+=$3; if ($2>m) m=$2} END {printf "%.3f %.1f %d %.3f", t/NR, m/1024, NR, c/NR}' "$work/$1"; }

# ratio A B: A/B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (b > 0) printf "%.2f", a/b; else printf "n/a"}'; }
