#!/usr/bin/env bash
# Kill-and-resume trials (issue 13): SIGKILL a mutating stage at a random moment, rerun it, finish the chain, and
# check the end state against an uninterrupted run on a fresh simulator: the same image stream tags (no duplicate
# tag), the same DeploymentConfig versions (no extra rollout), images and release, no lock left, verify green
# (rollback: the pre-upgrade state, every DC rolled out; it runs after the full upgrade, so it is the data restore,
# `rollback --restore-data`, and its data sets — the dumps and the storage archive of a backup --databases taken at
# the end, by sha256 — must match too). Each trial gets its own simulator process; the stages run
# as separate ciupgrade processes, as Tekton runs them, with one --run-id per trial (a Task's retry keeps its
# PipelineRun's uid, so the rerun takes over the killed stage's lock at once).
# Scenario build-oracle-upload (issue 21): build-oracle-system on a simulator at real pace (--timing real) with a
# 40 MB client package (over the 30,000,000 bytes the simulator once refused), SIGKILLed during its binary upload: at a
# random moment between its "starting a binary build" line and the time an uninterrupted run's build took to start.
# Usage: tests/kill-and-resume.sh [TRIALS (default 25)] [SEED (default 13)] [SCENARIOS (default: all, space-separated)]
#   — prints one line per trial, then a summary.
#        STAGES="rollback" tests/kill-and-resume.sh 20   — the same as naming the scenarios in the third argument.
set -uo pipefail
cd "$(dirname "$0")/.."
trials=${1:-25}
RANDOM=${2:-13}
scenarios=${3:-}
work=$(mktemp -d)
sim_pid=
cleanup() { [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

dotnet build -c Release src/CiUpgrade/CiUpgrade.csproj -v quiet -nologo >/dev/null || exit 2
dotnet build -c Release src/CiUpgrade.Simulator/CiUpgrade.Simulator.csproj -v quiet -nologo >/dev/null || exit 2
cli=src/CiUpgrade/bin/Release/net10.0/ciupgrade
sim=src/CiUpgrade.Simulator/bin/Release/net10.0/CiUpgrade.Simulator
ns=3scale
client="$work/system-oracle"
mkdir -p "$client/oracle-client-files"
for f in Dockerfile oracle-client-files/instantclient-basiclite-linux.x64-12.2.0.1.0.zip \
  oracle-client-files/instantclient-sdk-linux.x64-12.2.0.1.0.zip oracle-client-files/instantclient-odbc-linux.x64-12.2.0.1.0-2.zip; do
  echo "stand-in for $f" >"$client/$f"
done

# The upload scenario's build context: the same files, the basiclite package 40 MB of incompressible bytes.
big="$work/system-oracle-big"
cp -r "$client" "$big"
head -c 40000000 /dev/urandom >"$big/oracle-client-files/instantclient-basiclite-linux.x64-12.2.0.1.0.zip"

start_sim() { # $1: seed, $2: timing (default fast)
  [ -n "$sim_pid" ] && { kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; }
  rm -f "$work/kubeconfig" "$work/sim.log"
  "$sim" --namespace "$ns" --seed "$1" --timing "${2:-fast}" --kubeconfig-out "$work/kubeconfig" >"$work/sim.log" 2>&1 &
  sim_pid=$!
  until grep -q simulated "$work/sim.log" 2>/dev/null; do sleep 0.1; kill -0 "$sim_pid" 2>/dev/null || { cat "$work/sim.log"; exit 2; }; done
}

run() { # a stage to its end; its output goes to the trial log
  "$cli" "$@" -n "$ns" --kubeconfig "$work/kubeconfig" --timeout 5m --run-id "$run_id" >>"$work/trial.log" 2>&1
}

# What must match an uninterrupted run: tags per stream (sorted, duplicates kept so they show), DC versions (not after
# the data restore: how many rollouts its config changes make while the writers are at 0 depends on timing, killed or
# not — the hook and release patches are one rollout or two — so there the replicas and the data are compared), the
# images (the Oracle build's digest depends on the build's name, so amp-system-built images are compared by verify
# instead), the release env, and whether a lock is left.
snapshot() {
  kubectl --kubeconfig "$work/kubeconfig" -n "$ns" get imagestreams,deploymentconfigs -o json | jq -S --arg stage "$stage" '
    [.items[] | if .kind == "ImageStream"
      then {stream: .metadata.name, tags: ([.spec.tags[]? | {name, from: (.from.kind + ":" + .from.name)}] | sort_by(.name))}
      else {dc: .metadata.name, version: (if $stage == "rollback" then "-" else .status.latestVersion end), replicas: .spec.replicas,
            images: [.spec.template.spec.containers[] | (.image | if test("/amp-system@") then "built" else . end)],
            release: [.spec.template.spec.containers[].env[]? | select(.name == "AMP_RELEASE") | .value]} end]'
  kubectl --kubeconfig "$work/kubeconfig" -n "$ns" get configmap ciupgrade-lock -o name 2>/dev/null || echo "no lock"
  if [ "$stage" = rollback ]; then # the data as a fresh backup --databases reads it, and redis-config
    rm -rf "$work/after"
    "$cli" backup --backup-dir "$work/after" --databases -n "$ns" --kubeconfig "$work/kubeconfig" --run-id "$run_id" >/dev/null 2>&1 || echo "data backup failed"
    jq -S '[.databases, .storage] | map(. // {} | map_values({bytes, sha256}))' "$work/after/$ns/$(cat "$work/after/$ns/latest" 2>/dev/null)/manifest.json" 2>/dev/null || echo "no data manifest"
    kubectl --kubeconfig "$work/kubeconfig" -n "$ns" get configmap redis-config -o jsonpath='{.data}'; echo
  fi
}

duplicates() {
  kubectl --kubeconfig "$work/kubeconfig" -n "$ns" get imagestreams -o json | jq -r '.items[] | .metadata.name as $s | [.spec.tags[]?.name] | group_by(.) | map(select(length > 1)) | .[][0] | "\($s):\(.)"'
}

# scenario: seed, the stages before the killed one, the killed one, the stages after it, how the end is judged
before() {
  case $1 in
    update-prehook) ;;
    patch-imagestreams) echo "update-prehook" ;;
    set-release) echo "update-prehook"; echo "patch-imagestreams" ;;
    rollback) echo "backup --backup-dir $work/backups --databases"; echo "update-prehook"; echo "patch-imagestreams"; echo "set-release" ;;
    build-oracle-system|build-oracle-upload) echo "update-prehook" ;;
  esac
}
killed() {
  case $1 in
    rollback) echo "rollback --backup-dir $work/backups --restore-data" ;;
    build-oracle-system) echo "build-oracle-system --oracle-client-dir $client" ;;
    build-oracle-upload) echo "build-oracle-system --oracle-client-dir $big" ;;
    *) echo "$1" ;;
  esac
}
after() {
  case $1 in
    update-prehook) echo "patch-imagestreams"; echo "set-release" ;;
    patch-imagestreams) echo "set-release" ;;
    set-release|rollback) ;;
    build-oracle-system) echo "patch-imagestreams --oracle-client-dir $client"; echo "set-release" ;;
    build-oracle-upload) echo "patch-imagestreams --oracle-client-dir $big"; echo "set-release" ;;
  esac
}
seed_of() { case $1 in build-oracle-*) echo "3scale-2.6,oracle" ;; *) echo "3scale-2.6" ;; esac; }
timing_of() { [ "$1" = build-oracle-upload ] && echo real || echo fast; }
# ms since the epoch
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Waits until the trial log shows the stage's upload starting (or the stage ended); prints the ms it waited.
upload_started() { # $1: pid of the stage
  local t0; t0=$(now_ms)
  until grep -q "starting a binary build" "$work/trial.log" 2>/dev/null; do kill -0 "$1" 2>/dev/null || break; sleep 0.02; done
  echo $(( $(now_ms) - t0 ))
}

judge() { # $1 stage: verify green, or after a rollback every DC rolled out, the release the source's, ready to upgrade
  if [ "$1" = rollback ]; then
    run wait-rollouts && run preflight
  else
    run verify --junit "$work/verify.xml"
  fi
}

# One uninterrupted reference run per stage, with its duration (the window the kill lands in).
declare -A reference window
stages=(update-prehook patch-imagestreams set-release rollback build-oracle-system build-oracle-upload)
[ -n "$scenarios" ] && read -r -a stages <<<"$scenarios"
[ -n "${STAGES:-}" ] && read -r -a stages <<<"$STAGES"
for stage in "${stages[@]}"; do
  run_id="reference-$stage"; : >"$work/trial.log"
  start_sim "$(seed_of "$stage")" "$(timing_of "$stage")"
  while read -r s; do [ -n "$s" ] && { run $s || { echo "reference $stage: $s failed"; cat "$work/trial.log"; exit 2; }; }; done < <(before "$stage")
  t0=$(date +%s%N)
  if [ "$stage" = build-oracle-upload ]; then
    # The window is the upload: from its first line until the server answered with the running build.
    run $(killed "$stage") --output json || { echo "reference $stage failed"; cat "$work/trial.log"; exit 2; }
    window[$stage]=$(grep '^{' "$work/trial.log" | jq -rs '
      def ms: (sub("\\.[0-9]+Z$"; "Z") | fromdate) * 1000 + (capture("\\.(?<f>[0-9]{3})Z$").f | tonumber);
      [.[] | select(.stage? == "build-oracle-system")] as $e
      | ($e | map(select(.event == "upload")) | first | .time | ms) as $a
      | ($e | map(select(.event == "build" and (.message | contains(" started (")))) | first | .time | ms) as $b
      | $b - $a')
  else
    run $(killed "$stage") || { echo "reference $stage failed"; cat "$work/trial.log"; exit 2; }
    window[$stage]=$(( ($(date +%s%N) - t0) / 1000000 ))
  fi
  while read -r s; do [ -n "$s" ] && run $s; done < <(after "$stage")
  judge "$stage" || { echo "reference $stage not green"; cat "$work/trial.log"; exit 2; }
  reference[$stage]=$(snapshot)
  if [ "$stage" = build-oracle-upload ]; then echo "reference $stage: its upload took at most ${window[$stage]} ms"; else echo "reference $stage: uninterrupted in ${window[$stage]} ms"; fi
done

passed=0; failed=0
declare -A tried ok
for t in $(seq 1 "$trials"); do
  stage=${stages[$(( (t - 1) % ${#stages[@]} ))]}
  delay=$(( RANDOM % (window[$stage] + 1) ))
  run_id="trial-$t"; : >"$work/trial.log"
  start_sim "$(seed_of "$stage")" "$(timing_of "$stage")"
  while read -r s; do [ -n "$s" ] && run $s; done < <(before "$stage")
  "$cli" $(killed "$stage") -n "$ns" --kubeconfig "$work/kubeconfig" --timeout 5m --run-id "$run_id" >>"$work/trial.log" 2>&1 &
  pid=$!
  at=""
  [ "$stage" = build-oracle-upload ] && at="$(upload_started "$pid") ms + "
  sleep "$(awk -v d="$delay" 'BEGIN{printf "%.3f", d/1000}')"
  if kill -9 "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null; how="killed at ${at}${delay} ms"; else wait "$pid"; how="ended before the kill (${at}${delay} ms)"; fi
  if [ "$stage" = build-oracle-upload ]; then
    grep -q " started (" "$work/trial.log" && how="$how, after its upload" || how="$how, during its upload"
  fi
  verdict=ok
  run $(killed "$stage") || verdict="rerun exit $?"
  if [ "$verdict" = ok ]; then
    while read -r s; do [ -n "$s" ] && { run $s || { verdict="$s exit $?"; break; }; }; done < <(after "$stage")
  fi
  [ "$verdict" = ok ] && { judge "$stage" || verdict="not green (exit $?)"; }
  dup=$(duplicates)
  [ "$verdict" = ok ] && [ -n "$dup" ] && verdict="duplicate tags: $dup"
  if [ "$verdict" = ok ] && [ "$(snapshot)" != "${reference[$stage]}" ]; then
    verdict="state differs from the uninterrupted run: $(diff <(echo "${reference[$stage]}") <(snapshot) | head -5 | tr '\n' ' ')"
  fi
  tried[$stage]=$(( ${tried[$stage]:-0} + 1 ))
  if [ "$verdict" = ok ]; then
    passed=$((passed + 1)); ok[$stage]=$(( ${ok[$stage]:-0} + 1 ))
  else
    failed=$((failed + 1)); cp "$work/trial.log" "/tmp/kill-and-resume-trial-$t.log"
  fi
  echo "trial $t: $stage $how: $verdict"
done

echo
echo "| stage | trials | same end state as uninterrupted, verify green |"
echo "|---|---|---|"
for stage in "${stages[@]}"; do echo "| $stage | ${tried[$stage]:-0} | ${ok[$stage]:-0} |"; done
echo "$passed of $trials trials passed"
[ "$failed" -eq 0 ]
