# ciupgrade: one stage of the 3scale upgrade per container run (see tekton/).
# Build: docker build -t quay.io/<org>/ciupgrade:0.1.0 . && docker push quay.io/<org>/ciupgrade:0.1.0
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN sh build/publish.sh /out

# Chiseled Ubuntu: no shell, no package manager, ASP.NET runtime for the in-process simulator of `demo`.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
LABEL org.opencontainers.image.title="ciupgrade" \
      org.opencontainers.image.description="Runs one stage of the 3scale 2.6 to 2.7 image upgrade on OpenShift" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/ciupgrade/ciupgrade"
WORKDIR /app
# Owned by root, group 0, world-readable: runs as the image's non-root user and under any UID OpenShift assigns.
COPY --from=build --chown=0:0 /out/ /app/
ENV PATH="/app:${PATH}" \
    HOME=/tmp \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
USER 1654
ENTRYPOINT ["ciupgrade"]
CMD ["--help"]
