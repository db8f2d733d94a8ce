# One image for the API, the CPU worker and the CLI; the GPU worker builds with
# --build-arg ORT_INSTALL=cuda12 on a CUDA base (see k8s/overlays/gpu and README "Deploying").
ARG BASE=node:20-bookworm-slim
FROM ${BASE} AS build
ARG ORT_INSTALL=skip
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# onnxruntime-node ships CPU binaries; ONNXRUNTIME_NODE_INSTALL=cuda12 fetches the CUDA 12 ones.
ENV ONNXRUNTIME_NODE_INSTALL=${ORT_INSTALL}
RUN npm ci --ignore-scripts && (cd node_modules/onnxruntime-node && [ "$ORT_INSTALL" = skip ] || node ./script/install)
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY bin bin
RUN npm run build && npm prune --omit=dev

FROM ${BASE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/bin bin
COPY package.json ./
USER node
# API by default; the worker runs `node dist/apps/worker/src/main.js`.
CMD ["node", "dist/apps/api/src/main.js"]
