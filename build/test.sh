#!/usr/bin/env bash
# The README's test command: every test project of the solution, with JUnit files under tests/*/TestResults.
# The real-API-server tier (tests/CiUpgrade.RealApiTests) starts ../shared/tools/kube-apiserver, which needs etcd, and the
# fleet report test renders its page in headless Chromium:
# on a machine without them, Debian's etcd-server and chromium packages are installed first (apt-get, as root or sudo).
# Exits with dotnet test's exit code.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need, as "command package" pairs.
needed=(
  "etcd etcd-server"
  "chromium chromium"   # the fleet drift report's page is rendered in headless Chromium
)

missing=()
for pair in "${needed[@]}"; do
  command -v "${pair%% *}" >/dev/null 2>&1 || missing+=("${pair#* }")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "build/test.sh: installing ${missing[*]} (apt-get)"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    # Not fatal here: the tests that need it fail with one line naming the package.
    echo "build/test.sh: could not install ${missing[*]}; the tests that need it will say so" >&2
  fi
fi

set +e
dotnet test CiUpgrade.sln --logger "junit;LogFilePath=TestResults/{assembly}.junit.xml"
exit $?
