# Sourced by .ci/run and .ci/stress-test: CPU-burning processes that run beside the test suite, so a test that
# depends on how fast the machine runs fails in CI instead of on a busy day.
# start_cpu_burners N starts N busy loops; stop_cpu_burners ends exactly those (by process id), silently.
cpu_burner_pids=()

start_cpu_burners() {
  local i
  for ((i = 0; i < $1; i++)); do
    bash -c 'while :; do :; done' </dev/null >/dev/null 2>&1 &
    cpu_burner_pids+=("$!")
    disown "$!"   # no "Terminated" line from the shell when it is stopped
  done
}

stop_cpu_burners() {
  local pid
  for pid in "${cpu_burner_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  cpu_burner_pids=()
}
