# One image for `lvs-operator controller` and `lvs-operator agent`. The build stage runs the same
# commands as scripts/setup.sh and test/e2e/e2e.sh (npm ci, npm run build, npm run bundle), which
# .ci/run proves; the runtime stage holds Node.js, the one-file bundle (it carries the CRD
# schemas), koffi beside it (the agent's FFI for IPVS over generic netlink: a native addon that
# stays outside the bundle, with its prebuilt binaries for this platform from @koromix), and the
# agent's tools from Debian (ipvsadm for people, keepalived, iproute2, kmod for modprobe).
# The controller runs as a non-root user (the chart's default); the agent's pod runs it as root
# with NET_ADMIN, NET_RAW and SYS_MODULE only (deploy/helm/lvs-operator/templates/agent.yaml).

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm run bundle

FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates ipvsadm keepalived iproute2 kmod \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /src/dist/lvs-operator.mjs /opt/lvs-operator/lvs-operator.mjs
COPY --from=build /src/node_modules/koffi /opt/lvs-operator/node_modules/koffi
COPY --from=build /src/node_modules/@koromix /opt/lvs-operator/node_modules/@koromix
USER 65532:65532
EXPOSE 8080 9641
# /healthz on the metrics port: the controller's (8080) by default, METRICS_PORT=9641 for the agent. (Kubernetes
# ignores HEALTHCHECK: the chart gives both pods probes on /healthz.)
HEALTHCHECK --interval=30s --timeout=3s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.METRICS_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/opt/lvs-operator/lvs-operator.mjs"]
