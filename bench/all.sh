#!/usr/bin/env bash
# Every target of the image's performance, in one run (a benchmark, not a test): app size, verify vs the runbook
# loop, --version vs kubectl, drift over 200 installs, the demo's overhead. The figures go into docs/benchmarks.md.
# Usage: bench/all.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-8}
bin=${CIUPGRADE_BIN:-publish/ciupgrade}
[ -x "$bin" ] || sh build/publish.sh "$(dirname "$bin")" >/dev/null
bytes=$(stat -c %s "$bin")
echo "app size: $bin $bytes bytes ($(awk -v b="$bytes" 'BEGIN{printf "%.1f MB, %.1f MiB", b/1e6, b/1048576}'))"
echo
bash bench/verify-vs-kubectl.sh "$rounds"
echo
bash bench/drift-200-namespaces.sh 200 3
echo
bash bench/demo-overhead.sh 3
