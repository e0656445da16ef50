# One image for `lvs-operator controller` and `lvs-operator agent`. The build stage runs the same
# commands as scripts/setup.sh and test/e2e/e2e.sh (npm ci, npm run build, npm run bundle), which
# .ci/run proves; the runtime stage holds Node.js, the one-file bundle (it carries the CRD
# schemas), koffi beside it (the agent's FFI for IPVS over generic netlink: a native addon that
# stays outside the bundle, with its prebuilt binaries for this platform from @koromix), and the
# agent's tools from Debian (ipvsadm for people, keepalived, iproute2, kmod for modprobe).
# The controller runs as a non-root user (the chart's default); the agent's pod runs it as root
# with NET_ADMIN, NET_RAW and SYS_MODULE only (deploy/helm/lvs-operator/templates/agent.yaml).

# The base images are arguments so that a build without a registry can name local stand-ins
# (scripts/image.sh); the defaults are the public images a registry build uses.
ARG NODE_IMAGE=node:24-bookworm-slim
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${NODE_IMAGE} AS build
# A CA bundle for npm where the registry's TLS is signed by a CA only the build host trusts; empty
# (the default) means none, and nothing of it reaches the runtime stage.
ARG NODE_EXTRA_CA_CERTS=
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm run bundle

FROM ${BASE_IMAGE}
# hadolint ignore=DL3008
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates ipvsadm keepalived iproute2 kmod \
  && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /src/dist/bundle/ /opt/lvs-operator/
COPY --from=build /src/node_modules/koffi /opt/lvs-operator/node_modules/koffi
COPY --from=build /src/node_modules/@koromix /opt/lvs-operator/node_modules/@koromix
# The keepalived container of the agent's pod runs this (the chart's agent.keepalivedContainer).
COPY src/node/dataplane/keepalived/container.sh /opt/lvs-operator/keepalived-container.sh
USER 65532:65532
EXPOSE 8080 9641
# /healthz on the metrics port: the controller's (8080) by default, METRICS_PORT=9641 for the agent. (Kubernetes
# ignores HEALTHCHECK: the chart gives both pods probes on /healthz.)
HEALTHCHECK --interval=30s --timeout=3s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.METRICS_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/opt/lvs-operator/lvs-operator.mjs"]
