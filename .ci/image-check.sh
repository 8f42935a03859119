#!/usr/bin/env bash
# Proves what the container image runs, without a container engine (run as root: it mounts and chroots).
# The published NativeAOT binary goes into an otherwise empty root directory holding only the files of the runtime-deps
# base image that it needs, and runs from there as an arbitrary non-root UID (not in any /etc/passwd, group 0, as
# OpenShift's restricted SCC assigns), on a read-only root, with no HOME and an empty environment:
#   1. `ciupgrade --version`;
#   2. the simulator's `demo`, which runs every stage of the pipeline through this jail (preflight ... verify), so
#      `verify` passes on the upgraded simulated cluster; the demo's files live in a writable /tmp mount (Tekton's
#      workspaces), everything else is read-only;
#   3. .ci/aot-stages.sh: every other verb and path (backup --databases, drift -A, rollback, gate, the Oracle build)
#      through the jail against simulators, each exit code checked;
#   4. the jail's root refuses writes even from root (so nothing above could have written outside /tmp).
# The runtime-deps files come from this Debian machine as the stand-in for the chiseled Ubuntu base's files (same
# sonames and paths; the image itself is not built here):
#   /lib64/ld-linux-x86-64.so.2, libc.so.6, libm.so.6   what the binary links (ldd);
#   libssl.so.3, libcrypto.so.3                           loaded at run time for TLS (System.Security.Cryptography);
#   /etc/ssl/certs/ca-certificates.crt                    the CA bundle (ca-certificates).
# Like a container runtime, the jail also gets /proc, /sys (read-only) and /dev/{null,zero,random,urandom}.
# Usage: .ci/image-check.sh [BINARY] [SIMULATOR_DLL]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-publish/ciupgrade}")
simulator=$(realpath "${2:-src/CiUpgrade.Simulator/bin/Debug/net10.0/CiUpgrade.Simulator.dll}")
uid=$((100000 + RANDOM))
work=$(mktemp -d /tmp/ciupgrade-image-check.XXXXXX)
root="$work/root"
trap 'rm -rf "$work"' EXIT

echo "== image check: $binary in an empty root, UID $uid, read-only, no HOME"
libdir=$(dirname "$(ldconfig -p | awk '$1 == "libssl.so.3" && /x86-64/ { print $NF; exit }')")
libs=$(ldd "$binary" | awk '/=>/ { print $3 } /ld-linux/ && !/=>/ { print $1 }')
mkdir -p "$root/usr/local/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
install -m 0755 "$binary" "$root/usr/local/bin/ciupgrade"
for f in $libs "$libdir/libssl.so.3" "$libdir/libcrypto.so.3" /etc/ssl/certs/ca-certificates.crt; do
  cp --parents -L "$f" "$root/"
done
for d in null zero random urandom; do touch "$root/dev/$d"; done
chmod -R a+rX,go-w "$root"
echo "files in the root:"; (cd "$root" && find . -type f | sort | sed 's/^\./  /')

# The jail: one private mount namespace per run, the root bound read-only, then chroot + setuid/setgid (util-linux).
cat > "$work/ciupgrade" <<JAIL
#!/bin/sh
exec unshare --mount --propagation private sh -euc '
  mount --bind "$root" "$root"
  mount -t proc proc "$root/proc"
  mount --bind /sys "$root/sys" && mount -o remount,bind,ro "$root/sys"
  for d in null zero random urandom; do mount --bind /dev/\$d "$root/dev/\$d"; done
  mount --bind /tmp "$root/tmp"
  mount -o remount,bind,ro "$root"
  exec env -i unshare --root="$root" --wd=/tmp --setuid $uid --setgid 0 /usr/local/bin/ciupgrade "\$@"
' jail "\$@"
JAIL
chmod 0755 "$work/ciupgrade"
chmod 1777 "$work"

version=$("$work/ciupgrade" --version)
echo "--version: $version"
[ -n "$version" ]

out="$work/demo"
TMPDIR=/tmp dotnet "$simulator" demo --ciupgrade "$work/ciupgrade" --junit "$out/verify-junit.xml" | tee "$work/demo.log"
grep -q '<testsuite[^>]* failures="0"' "$out/verify-junit.xml"
tail -1 "$work/demo.log" | grep -q "(ciupgrade's overhead [0-9.]*s) with the NativeAOT build $work/ciupgrade$"
test -f "$out/backup/3scale/$(cat "$out/backup/3scale/latest")/manifest.json"

# Every other stage and path (backup --databases, drift -A, rollback, Oracle build...) through the same jail.
bash .ci/aot-stages.sh "$work/ciupgrade" "$simulator" "$work/stages"

unshare --mount --propagation private sh -euc "mount --bind '$root' '$root'; mount -o remount,bind,ro '$root'; ! touch '$root/probe' 2>/dev/null"
echo "image check passed: --version and every stage ran in the jail, verify passed (UID $uid, read-only root, no HOME)"
