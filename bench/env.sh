# Sourced by bench/lib.sh: what a figure depends on besides the code, recorded beside it (issue 23: the same commit
# gave 70 and 110 MiB on two machines). Linux only (reads /proc and /sys).

# bench_cgroup_dir: this process's memory cgroup directory: cgroup v1's memory hierarchy when the memory controller is
# mounted there (hybrid hosts), else the cgroup v2 (unified) one; empty when neither is readable.
bench_cgroup_dir() {
  local path mnt
  path=$(awk -F: '$2 == "memory" {print $3; exit}' /proc/self/cgroup)
  if [ -n "$path" ] && [ -d "/sys/fs/cgroup/memory$path" ]; then
    echo "/sys/fs/cgroup/memory$path"
    return
  fi
  path=$(awk -F: '$1 == "0" {print $3; exit}' /proc/self/cgroup)
  mnt=$(awk '{for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break }}' /proc/self/mountinfo | head -1)
  [ -n "$mnt" ] && [ -d "$mnt$path" ] && echo "$mnt$path"
}

# bench_memory_limit: the memory limit in force for this process, in bytes, or "none": the smallest limit of its
# cgroup and the cgroups above it (v1 memory.limit_in_bytes, "unlimited" being about 2^63; v2 memory.max), which is
# what the .NET GC takes as the machine's memory (and 75 % of it as its heap hard limit).
bench_memory_limit() {
  local dir limit=none value
  dir=$(bench_cgroup_dir)
  while [ -n "$dir" ] && [ "$dir" != / ] && [ "$dir" != /sys/fs/cgroup ]; do
    value=$(cat "$dir/memory.limit_in_bytes" "$dir/memory.max" 2>/dev/null | head -1 || true)
    case "$value" in
      '' | max) ;;
      *) if [ "$value" -lt 4611686018427387904 ] && { [ "$limit" = none ] || [ "$value" -lt "$limit" ]; }; then limit=$value; fi ;;
    esac
    dir=$(dirname "$dir")
  done
  echo "$limit"
}

# bench_mib BYTES|none: "N MiB", or "none".
bench_mib() { case "$1" in none) echo none ;; *) awk -v b="$1" 'BEGIN{printf "%.0f MiB", b / 1048576}' ;; esac; }

# bench_load: the 1-minute load average now.
bench_load() { cut -d' ' -f1 /proc/loadavg; }

# bench_gc_env: the GC settings given through the environment (DOTNET_gc*, DOTNET_GC*, COMPlus_ alike), or "none".
bench_gc_env() {
  local vars
  vars=$(env | grep -iE '^(DOTNET|COMPlus)_(gc|System_GC)' | sort | tr '\n' ' ' || true)
  echo "${vars:-none}"
}

# bench_machine: one Markdown table of the machine: CPUs, CPU model, memory, cgroup memory limit, GC environment.
bench_machine() {
  local model mem
  model=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
  echo "| CPUs | CPU | memory | cgroup memory limit | GC settings in the environment | L3 cache (as the GC reads it) |"
  echo "|---|---|---|---|---|---|"
  echo "| $(nproc) | ${model:-unknown} | $mem | $(bench_mib "$(bench_memory_limit)") | $(bench_gc_env) | $(getconf LEVEL3_CACHE_SIZE 2>/dev/null | awk '{ if ($1 > 0) printf "%.1f MiB", $1 / 1048576; else print "not reported" }') |"
}

# bench_limit_setup BYTES: sets the array `limited` to a command prefix that runs a command under a memory limit of
# BYTES, and limit_how to how: a child cgroup of this process's own (cgroup v1 memory.limit_in_bytes, or v2
# memory.max where the parent delegates the memory controller), entered by a shell that then execs the command (so
# GNU time measures the command itself); else systemd-run --scope -p MemoryMax= when systemd runs; else no limit,
# and limit_how says so.
bench_limit_setup() {
  local bytes=$1 dir
  limit_cg= limited=()
  dir=$(bench_cgroup_dir)
  if [ -n "$dir" ] && mkdir "$dir/ciupgrade-bench-$$" 2>/dev/null; then
    if { echo "$bytes" >"$dir/ciupgrade-bench-$$/memory.limit_in_bytes"; } 2>/dev/null; then
      limit_how="a child memory cgroup (cgroup v1, memory.limit_in_bytes = $bytes)"
    elif { echo "$bytes" >"$dir/ciupgrade-bench-$$/memory.max"; } 2>/dev/null; then
      limit_how="a child memory cgroup (cgroup v2, memory.max = $bytes)"
    else
      rmdir "$dir/ciupgrade-bench-$$" 2>/dev/null || true
    fi
    if [ -d "$dir/ciupgrade-bench-$$" ]; then
      limit_cg="$dir/ciupgrade-bench-$$"
      # shellcheck disable=SC2016 # expanded by the inner shell
      limited=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$limit_cg")
      return
    fi
  fi
  if command -v systemd-run >/dev/null && systemd-run --scope --quiet -p MemoryMax="$bytes" true 2>/dev/null; then
    limit_how="systemd-run --scope -p MemoryMax=$bytes"
    limited=(systemd-run --scope --quiet -p MemoryMax="$bytes")
    return
  fi
  limit_how="NO LIMIT APPLIED (no writable memory cgroup, no systemd here): these figures are unlimited"
}

# bench_limit_cleanup: removes the cgroup bench_limit_setup made (empty by then).
bench_limit_cleanup() { [ -z "${limit_cg:-}" ] || rmdir "$limit_cg" 2>/dev/null || true; }

# bench_limit_peak: the cgroup's own record of its peak charge (v1 memory.max_usage_in_bytes, v2 memory.peak: every
# page the commands charged, file pages included) and its OOM kills, if known.
bench_limit_peak() {
  [ -n "${limit_cg:-}" ] || return 0
  local peak oom
  peak=$(cat "$limit_cg/memory.max_usage_in_bytes" "$limit_cg/memory.peak" 2>/dev/null | head -1 || true)
  oom=$(awk '$1 == "oom_kill" {print $2}' "$limit_cg/memory.oom_control" "$limit_cg/memory.events" 2>/dev/null | head -1 || true)
  echo "cgroup peak charge $(bench_mib "${peak:-0}"), OOM kills ${oom:-0}"
}

# bench_task_memory_limit TASK_YAML: the memory limit the Task's step declares (computeResources.limits.memory, or
# the stepTemplate's), in bytes; empty when it declares none. Kubernetes quantities: plain bytes, k/M/G/T (10^3…) and
# Ki/Mi/Gi/Ti (2^10…) suffixes.
bench_task_memory_limit() {
  awk '
    /^[[:space:]]*limits:[[:space:]]*$/ { inlimits = 1; indent = match($0, /[^ ]/); next }
    inlimits && match($0, /[^ ]/) <= indent { inlimits = 0 }
    inlimits && $1 == "memory:" { gsub(/["\x27]/, "", $2); print $2; exit }
  ' "$1" | awk '
    match($0, /^[0-9.]+/) {
      n = substr($0, 1, RLENGTH); s = substr($0, RLENGTH + 1)
      m["Ki"] = 2^10; m["Mi"] = 2^20; m["Gi"] = 2^30; m["Ti"] = 2^40; m["k"] = 1e3; m["M"] = 1e6; m["G"] = 1e9; m["T"] = 1e12; m[""] = 1
      if (s in m) printf "%.0f\n", n * m[s]
    }'
}
