# syntax=docker/dockerfile:1
# ons-mtls-proxy: build with the full toolchain, run on a slim image as a non-root user.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: "prepare" would build before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json README.md .env.example ./
COPY scripts ./scripts
COPY config ./config
COPY src ./src
# The image gets exactly what `npm pack` puts in the package, nothing from the build tree.
RUN npm run build && mkdir -p /pack && npm pack --ignore-scripts --pack-destination /pack && mv /pack/ons-mtls-proxy-*.tgz /pack/package.tgz

FROM node:${NODE_VERSION}-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /pack/package.tgz /tmp/package.tgz
# The lockfile is not part of the package; it pins the dependencies to the tested ones.
COPY package-lock.json ./
RUN tar -xzf /tmp/package.tgz --strip-components=1 -C /app && rm /tmp/package.tgz \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# The traffic records go to /app/logs (mount a volume there; owner-only, as the proxy wants its
# traffic folder), certificates are mounted at /app/certs.
RUN mkdir -p /app/logs /app/certs && chown node:node /app/logs && chmod 0700 /app/logs
USER node
# A container's own loopback is unreachable from outside, so the proxy listens on all of the
# container's interfaces; who can reach it is decided where the port is published
# (docker-compose.yml publishes it on the host's 127.0.0.1 only).
ENV ONS_PROXY_HOST=0.0.0.0 \
    ONS_PROXY_UNSAFE_LISTEN=true \
    ONS_PROXY_PORT=8080 \
    ONS_PROXY_LOG_DIR=/app/logs
EXPOSE 8080
# /__proxy/ routes pass the same guards as everything else, so the check sends the access
# token when one is configured.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.ONS_PROXY_PORT || 8080) + '/__proxy/health', { headers: process.env.ONS_PROXY_ACCESS_TOKEN ? { 'x-proxy-token': process.env.ONS_PROXY_ACCESS_TOKEN } : {} }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/cli/main.js", "start"]
