# syntax=docker/dockerfile:1
# One image for every service of the supergraph (docs/adr/0026, README "Deploy"):
#   SERVICE=gateway|users|catalog|orders|notifications picks the service a container runs (gateway by default);
#   `node scripts/db-migrate.js` applies the migrations, `node scripts/admin-create.js` creates the first admin.
# Node 22 (LTS): graphql-shield 7.6.5 imports util.isUndefined, which Node 23 and later removed.
ARG NODE_VERSION=22

# Every dependency: installs (generating the Prisma clients), then compiles the services into dist/.
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY packages packages
COPY subgraphs subgraphs
COPY workers workers
COPY gateway gateway
COPY schema schema
COPY supergraph-tests supergraph-tests
COPY contract contract
COPY prisma prisma
COPY scripts scripts
RUN npm ci --no-audit --no-fund && npm run build

# Production dependencies only: the workspaces' manifests and the lock, no source.
FROM node:${NODE_VERSION}-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/auth/package.json packages/auth/
COPY packages/config/package.json packages/config/
COPY packages/contracts/package.json packages/contracts/
COPY packages/db/package.json packages/db/
COPY packages/errors/package.json packages/errors/
COPY packages/events/package.json packages/events/
COPY packages/graphql-kit/package.json packages/graphql-kit/
COPY packages/logging/package.json packages/logging/
COPY packages/metrics/package.json packages/metrics/
COPY packages/redis/package.json packages/redis/
COPY packages/testing/package.json packages/testing/
COPY packages/tracing/package.json packages/tracing/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/catalog/package.json subgraphs/catalog/
COPY subgraphs/orders/package.json subgraphs/orders/
COPY workers/notifications/package.json workers/notifications/
COPY gateway/package.json gateway/
COPY schema/package.json schema/
COPY supergraph-tests/package.json supergraph-tests/
COPY docker/prune-dev-optional.mjs /tmp/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && node /tmp/prune-dev-optional.mjs

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    SERVICE=gateway
WORKDIR /app
COPY --from=production-dependencies /app ./
COPY --from=build /app/dist ./
# PGlite's data when no *_DATABASE_URL is set (a trial run); production uses PostgreSQL.
RUN install -d -o node -g node /app/.data
USER node
# GraphQL: gateway 4000, users 4001, catalog 4002, orders 4003; notifications' health 4010; /metrics: 9464-9468.
EXPOSE 4000 4001 4002 4003 4010 9464 9465 9466 9467 9468
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "scripts/ready-probe.js"]
CMD ["node", "scripts/serve.js"]
