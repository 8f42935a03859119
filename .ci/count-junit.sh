#!/usr/bin/env bash
# Sums tests/failures/errors/skipped over the <testsuite> elements of JUnit files and prints
# the plain closing line "N passed, M failed" (skipped tests are reported on the line before). Exits 1 when no file or no test was found.
set -euo pipefail
total=0 failed=0 skipped=0 files=0
for f in "$@"; do
  [ -f "$f" ] || continue
  files=$((files + 1))
  while read -r line; do
    t=$(sed -n 's/.* tests="\([0-9]*\)".*/\1/p' <<<"$line")
    fl=$(sed -n 's/.* failures="\([0-9]*\)".*/\1/p' <<<"$line")
    er=$(sed -n 's/.* errors="\([0-9]*\)".*/\1/p' <<<"$line")
    sk=$(sed -n 's/.* skipped="\([0-9]*\)".*/\1/p' <<<"$line")
    total=$((total + ${t:-0})); failed=$((failed + ${fl:-0} + ${er:-0})); skipped=$((skipped + ${sk:-0}))
  done < <(grep -o '<testsuite [^>]*>' "$f")
done
passed=$((total - failed - skipped))
[ "$skipped" -eq 0 ] || echo "$skipped skipped"
if [ "$files" -eq 0 ] || [ "$total" -eq 0 ]; then
  echo "no JUnit results found" >&2
  echo "0 passed, 0 failed"
  exit 1
fi
echo "$passed passed, $failed failed"
