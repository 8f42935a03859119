#!/bin/sh
# The one publish command, used by the Dockerfile and by CI (so CI proves the image's build works).
# Framework-dependent ReadyToRun for linux-x64 on the ASP.NET runtime (the demo stage hosts the simulator):
# trimming breaks KubernetesClient's kubeconfig loading and NativeAOT needs KubernetesClient.Aot (see README).
set -eu
out="${1:-publish}"
dotnet publish src/CiUpgrade/CiUpgrade.csproj -c Release -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -p:DebugType=none -o "$out"
