# ciupgrade: one stage of the 3scale upgrade per container run (see tekton/).
# Build: docker build -t quay.io/<org>/ciupgrade:0.1.0 . && docker push quay.io/<org>/ciupgrade:0.1.0
#
# Both base images are pinned by digest: a tag moves whenever Microsoft rebuilds it. No container engine runs where
# this file was written, so the digests were not pulled there: they are the digests public Dockerfiles pinned for
# these exact tags in October-November 2026. Refresh them (and this note) with
#   docker buildx imagetools inspect mcr.microsoft.com/dotnet/sdk:10.0.401-noble-aot --format '{{json .Manifest.Digest}}'
#   docker buildx imagetools inspect mcr.microsoft.com/dotnet/runtime-deps:10.0.12-noble-chiseled --format '{{json .Manifest.Digest}}'
# (or `crane digest <image>:<tag>`), keeping the SDK on the version build/publish.sh is tested with.

# Tag sdk:10.0.401-noble-aot: the .NET SDK on Ubuntu 24.04 with NativeAOT's native toolchain (clang, zlib).
FROM mcr.microsoft.com/dotnet/sdk:10.0.401-noble-aot@sha256:96f3b7d45f53eb05990f05b89ce61c4e23d07a5098521c2f20b018630e34f298 AS build
WORKDIR /src
COPY . .
RUN sh build/publish.sh /out

# Tag runtime-deps:10.0.12-noble-chiseled: Ubuntu 24.04 chiseled with only what a NativeAOT binary loads (libc,
# libssl, ca-certificates, tzdata) and a non-root user 1654; no shell, no package manager, no .NET runtime.
# .ci/image-check.sh runs the binary in a root holding only those files, as an arbitrary UID, read-only.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0.12-noble-chiseled@sha256:dc5cd0c7d0a39b825312b4f0986d99b9adf9b6a3af69bc23cd345c27d9ed916a
LABEL org.opencontainers.image.title="ciupgrade" \
      org.opencontainers.image.description="Runs one stage of the 3scale 2.6 to 2.7 image upgrade on OpenShift" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/ciupgrade/ciupgrade"
# Owned by root, group 0, mode 755: runs as the image's non-root user and under any UID OpenShift assigns; it writes
# only where its flags point (Tekton workspaces), so the root filesystem may be read-only and HOME unset.
COPY --from=build --chown=0:0 /out/ciupgrade /usr/local/bin/ciupgrade
USER 1654
ENTRYPOINT ["/usr/local/bin/ciupgrade"]
CMD ["--help"]
