# One image for every service of the supergraph; docker-compose.yml picks the entry point.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages packages
COPY subgraphs subgraphs
COPY gateway gateway
COPY prisma prisma
COPY schema schema
COPY contract contract
COPY scripts scripts
COPY tsconfig.base.json tsconfig.json codegen.ts turbo.json ./
RUN npm ci --no-audit --no-fund
ENV NODE_ENV=production
USER node
