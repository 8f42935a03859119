#!/bin/sh
# The one publish command, used by the Dockerfile, CI and bench/: ciupgrade as a NativeAOT executable for
# linux-x64 (one file, no .NET runtime needed; it links libc/libm and loads OpenSSL at run time for TLS).
# NativeAOT links with clang if on PATH, else gcc + ld (both work); the symbol file (.dbg) is not shipped.
set -eu
out="${1:-publish}"
dotnet publish src/CiUpgrade/CiUpgrade.csproj -c Release -r linux-x64 \
  -p:StripSymbols=true -p:DebugType=none -o "$out"
rm -f "$out"/*.dbg "$out"/*.pdb
