# syntax=docker/dockerfile:1
# The CPU image: API, CPU worker, preprocessing tier and CLI (`dermafleet ...`, on the PATH).
#   docker build -t ghcr.io/example/dermafleet:0.1.0 .
# The GPU worker has its own image (Dockerfile.gpu). Node 22 is an LTS line (maintained to
# April 2027); build on Node 24 with --build-arg NODE_VERSION=24.
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Backported library fixes (patches/, applied by patch-package; npm ci runs no scripts here).
COPY patches patches
# No install scripts: onnxruntime-node's CPU binaries and sharp's libvips ship in their packages
# (.npmrc skips onnxruntime-node's CUDA download), and `prepare` would build before the sources
# are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
RUN npx patch-package
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY bin bin
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
WORKDIR /app
# MODEL_CACHE_DIR: where MODEL_DIR=s3://... is downloaded and verified; Kubernetes mounts an
# emptyDir here (the root filesystem is read-only there).
ENV NODE_ENV=production \
    MODEL_CACHE_DIR=/var/cache/dermafleet/models
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/bin bin
RUN mkdir -p /var/cache/dermafleet/models && chown -R 1000:1000 /var/cache/dermafleet
# `dermafleet` on the PATH runs the bin through its #! line, which carries the CLI's Node flags
# (apps/cli/src/cli-node-flags.ts); `node bin/dermafleet.js` would start it without them.
RUN ln -s /app/bin/dermafleet.js /usr/local/bin/dermafleet
# Numeric (the image's `node` user), so Kubernetes can verify runAsNonRoot without a passwd file.
USER 1000:1000
EXPOSE 3000 3001
# The API by default; workers run `node --single-threaded-gc dist/apps/worker/src/main.js` (WORKER_MODE picks the tier).
CMD ["node", "dist/apps/api/src/main.js"]
