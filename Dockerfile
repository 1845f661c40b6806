# The ecology worker image (docker-compose.yml builds it for the `migrate` and `worker` services).
# bin/ecology.cjs runs the TypeScript sources through tsx, a runtime dependency, so the production
# dependencies are all the image needs; the one build step bundles the workflow code, which the
# worker then loads instead of bundling it at every start.
FROM node:20-bookworm-slim

# tini: PID 1 that forwards SIGTERM to the worker (graceful shutdown) and reaps children; its static
# build (/usr/bin/tini-static) is also what src/sandbox/image.ts ships as the sandbox image's init.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production
# At most two glibc malloc arenas, as scripts/run.sh runs the ecology: with one per thread the
# worker keeps tens of MB of freed memory it never returns (BENCHMARKS.md, agents).
ENV MALLOC_ARENA_MAX=2

# Dependencies first, so editing the sources does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .

# The workflow bundle (webpack, from @temporalio/worker), built once here: the worker loads the file
# named by ECOLOGY_WORKFLOW_BUNDLE.
RUN npm run --silent workflows:bundle -- dist/workflow-bundle.js
ENV ECOLOGY_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js

# Runs as the base image's unprivileged user `node` (the sources stay root-owned, read-only to it).
# The sandbox talks to the Docker daemon through the mounted /var/run/docker.sock: compose adds the
# socket's group (DOCKER_GID) to the container. Agent code never runs here; it runs in the sandbox
# containers (unprivileged user, no network, read-only root, all capabilities dropped).
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/ecology.cjs", "worker"]
