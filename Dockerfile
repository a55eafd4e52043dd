# ferry: one image for every program (make-ca, controller, agent).
#   docker build -t ferry .
#   docker run --rm ferry --help
# Runs as an unprivileged user and writes nothing outside the volumes it is given, so it
# works with a read-only root filesystem (docker run --read-only, Kubernetes
# readOnlyRootFilesystem). Writable places: /var/lib/ferry (state, make-ca output) and /tmp.

# Compile TypeScript with the dev dependencies.
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY proto ./proto
COPY src ./src
RUN npx tsc -p tsconfig.json

# Production dependencies only.
FROM node:20-slim AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY package.json ./
COPY bin ./bin
COPY proto ./proto
# A numeric user (runAsNonRoot can check it) owning the one writable directory; a named
# volume mounted there starts with this ownership.
RUN mkdir -p /var/lib/ferry && chown 10001:10001 /var/lib/ferry
USER 10001:10001
VOLUME ["/var/lib/ferry"]
# agents (gRPC mTLS), front door (HTTPS), control API (HTTPS), metrics and health (HTTP)
EXPOSE 9001 9002 9003 9102
# The node flag and glibc's malloc settings: see bin/ferry.
ENV MALLOC_MMAP_THRESHOLD_=1048576 MALLOC_TRIM_THRESHOLD_=33554432
ENTRYPOINT ["node", "--initial-old-space-size=64", "/app/bin/ferry"]
CMD ["--help"]
