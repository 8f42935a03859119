#!/usr/bin/env bash
# Every stage of ciupgrade, run by the given binary (the NativeAOT one, possibly through the image check's jail)
# against simulated clusters. NativeAOT has no reflection-based serialization: a model type missing from the
# source-generated JSON context (src/CiUpgrade/Cluster/OpenShiftJsonContext.cs) or the plan's static YAML context
# only fails at run time, in the published binary, so the JIT test suite cannot catch it. This runs each verb's
# cluster paths once and checks its exit code:
#   three installs (3scale-0..2): preflight, backup --databases, update-prehook (dry run, then for real),
#   patch-imagestreams, set-release, verify (text and JSON), gate, plan, drift, drift -A, wait-rollouts, unlock, rollback (refused, dry run, --restore-data);
#   an Oracle-backed install: preflight, patch-imagestreams (the build path), build-oracle-system, verify.
# Usage: .ci/aot-stages.sh CIUPGRADE SIMULATOR_DLL WORKDIR   (WORKDIR must be readable by CIUPGRADE, e.g. under /tmp)
set -euo pipefail
ciupgrade=$1
simulator=$2
work=$3
mkdir -p "$work"
chmod 0777 "$work"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

# start NAME ARGS...: a simulator serving in the background; waits for its kubeconfig.
start() {
  local name=$1; shift
  dotnet "$simulator" --kubeconfig-out "$work/$name.kubeconfig" --timing fast "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  until grep -q simulated "$work/$name.log" 2>/dev/null; do kill -0 "${pids[-1]}"; sleep 0.2; done
  chmod 0644 "$work/$name.kubeconfig"
}

# expect CODE CLUSTER ARGS...: runs one ciupgrade command, fails unless it exits with CODE (CLUSTER - for none).
expect() {
  local want=$1 cluster=$2; shift 2
  local code=0 flags=()
  [ "$cluster" = - ] || flags=(--kubeconfig "$work/$cluster.kubeconfig" --timeout 3m)
  "$ciupgrade" "$@" "${flags[@]}" >"$work/last.out" 2>&1 || code=$?
  if [ "$code" != "$want" ]; then
    echo "FAILED: ciupgrade $* exited $code, expected $want:"; tail -20 "$work/last.out"; exit 1
  fi
  if grep -q "JsonTypeInfo\|Unhandled exception\|   at " "$work/last.out"; then
    echo "FAILED: ciupgrade $* printed a .NET exception:"; tail -20 "$work/last.out"; exit 1
  fi
  echo "  ok (exit $code): ciupgrade $*"
}

start multi --namespace 3scale --namespaces 3 --database-dump-size 65536
start oracle --namespace oracle --seed 3scale-2.6,oracle
echo "== every stage through $ciupgrade"
# Help and usage errors read the options classes by reflection (CommandLineParser, and the flags that need a value).
expect 0 - --version
grep -q "^ciupgrade [0-9.]* (NativeAOT)$" "$work/last.out" || { echo "FAILED: --version does not say NativeAOT: $(cat "$work/last.out")"; exit 1; }
expect 0 - --help
grep -q "^  update-prehook " "$work/last.out" || { echo "FAILED: --help does not list update-prehook"; exit 1; }
expect 0 - verify --help
expect 2 - verify --timeout
grep -qx "error: --timeout needs a value; see ciupgrade verify --help" "$work/last.out" || { echo "FAILED: usage error: $(cat "$work/last.out")"; exit 1; }
expect 2 - backup --nope
grep -qx "error: unknown flag --nope; --backup-dir is required; see ciupgrade backup --help" "$work/last.out" || { echo "FAILED: usage error: $(cat "$work/last.out")"; exit 1; }
ns=(-n 3scale-0)
expect 0 multi preflight "${ns[@]}"
expect 4 multi preflight -n nowhere
expect 0 multi backup "${ns[@]}" --backup-dir "$work/backup" --databases
expect 0 multi update-prehook "${ns[@]}" --dry-run
expect 0 multi update-prehook "${ns[@]}"
expect 0 multi plan "${ns[@]}" --output json
expect 0 multi patch-imagestreams "${ns[@]}"
expect 0 multi set-release "${ns[@]}"
expect 0 multi verify "${ns[@]}" --junit "$work/verify.xml" --results-dir "$work/results" --write-baseline "$work/baseline.json"
expect 0 multi verify "${ns[@]}" --junit "$work/verify.xml" --output json
# target-kubeconfig as the 3.11 admin runs it (the simulator's token controller fills the account's token Secret)
expect 0 multi target-kubeconfig -n 3scale-0 --service-account deployer --output-file "$work/deployer.kubeconfig"
expect 4 multi target-kubeconfig -n 3scale-0 --service-account deployer --token-source request
# a target Secret mounted as a directory (Tekton's target workspace): --kubeconfig-dir instead of --kubeconfig
mkdir -p "$work/target" && cp "$work/multi.kubeconfig" "$work/target/kubeconfig" && chmod -R a+rX "$work/target"
expect 0 - verify "${ns[@]}" --kubeconfig-dir "$work/target" --junit "$work/verify-target.xml" --timeout 3m
expect 0 - gate --status "$(cat "$work/results/status")" --passed "$(cat "$work/results/passed")" --failed "$(cat "$work/results/failed")" --skipped "$(cat "$work/results/skipped")"
expect 1 - gate --status Failed --passed 16 --failed 1 --skipped 1
expect 0 multi wait-rollouts "${ns[@]}"
expect 0 multi drift "${ns[@]}" --junit "$work/drift.xml" --baseline "$work/baseline.json"
# The other two installs are still on 2.6: drift -A reports them (exit 1), one testsuite per install.
expect 1 multi drift -A --junit "$work/drift-all.xml" --results-dir "$work/drift-results"
[ "$(grep -c '<testsuite ' "$work/drift-all.xml")" = 3 ] || { echo "FAILED: drift -A did not report 3 installs"; exit 1; }
[ "$(cat "$work/drift-results/drifted")" = 2 ] || { echo "FAILED: drift -A: $(cat "$work/drift-results/drifted") drifted, expected 2"; exit 1; }
# a fleet: one drift per install into a directory, then the report over them (gamma never reported: drifted too)
expect 0 multi drift --target alpha::3scale-0 --junit "$work/fleet/"
expect 1 multi drift --target beta::3scale-1 --junit "$work/fleet/"
expect 1 - report --junit-dir "$work/fleet" --junit "$work/fleet.xml" --html "$work/fleet.html" --results-dir "$work/fleet-results" --targets alpha beta gamma
[ "$(cat "$work/fleet-results/drifted")" = 2 ] || { echo "FAILED: report: $(cat "$work/fleet-results/drifted") drifted, expected 2"; exit 1; }
# a fleet upgrade's report: verify's per-install reports (--junit DIR/; beta is still 2.6), wave by wave; gamma's wave never ran
expect 0 multi verify --target alpha::3scale-0 --junit "$work/upgrade/"
expect 1 multi verify --target beta::3scale-1 --junit "$work/upgrade/"
expect 1 - report --junit-dir "$work/upgrade" --junit "$work/upgrade.xml" --html "$work/upgrade.html" --results-dir "$work/upgrade-results" --waves wave-1=Failed alpha beta wave-2=None gamma
[ "$(cat "$work/upgrade-results/not-upgraded")" = 2 ] || { echo "FAILED: report --waves: $(cat "$work/upgrade-results/not-upgraded") not upgraded, expected 2"; exit 1; }
expect 0 multi unlock "${ns[@]}" --run-id someone --force
# The 2.7 migration ran (system-app rolled with the 2.7 hook): the images alone are refused, the data restore is not
# (the loads stream the dumps through pods/exec stdin, the progress is ConfigMap ciupgrade-restore).
expect 4 multi rollback "${ns[@]}" --backup-dir "$work/backup"
expect 0 multi rollback "${ns[@]}" --backup-dir "$work/backup" --restore-data --dry-run
expect 0 multi rollback "${ns[@]}" --backup-dir "$work/backup" --restore-data
expect 1 multi verify "${ns[@]}" --junit "$work/verify-after-rollback.xml"

mkdir -p "$work/oracle-client/oracle-client-files"
echo "FROM scratch" >"$work/oracle-client/Dockerfile"
for f in instantclient-basiclite-linux.x64-12.2.0.1.0.zip instantclient-sdk-linux.x64-12.2.0.1.0.zip instantclient-odbc-linux.x64-12.2.0.1.0-2.zip; do
  echo "$f" >"$work/oracle-client/oracle-client-files/$f"
done
chmod -R a+rX "$work/oracle-client"
expect 0 oracle preflight -n oracle --oracle-client-dir "$work/oracle-client"
expect 0 oracle update-prehook -n oracle
expect 0 oracle patch-imagestreams -n oracle --oracle-client-dir "$work/oracle-client"
expect 0 oracle build-oracle-system -n oracle --oracle-client-dir "$work/oracle-client" --force
expect 0 oracle set-release -n oracle
expect 0 oracle verify -n oracle --junit "$work/oracle-verify.xml"
echo "every stage passed through $ciupgrade"
