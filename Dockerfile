# oss-sync container: `serve` (scheduler + HTTP + OSS push receiver) on Node 20.
# Build:  docker build -t oss-sync .
# Run:    docker run -e DATABASE_URL=postgres://… -e OSS_BASE_URL=… -e OSS_USER_KEY=… -p 8080:8080 oss-sync
# The runtime image has no embedded Postgres (an optional dependency, omitted): DATABASE_URL is required.

# --- build: compile TypeScript to dist/ -----------------------------------------------------------------------------
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY config ./config
COPY migrations ./migrations
COPY src ./src
RUN npm run build

# --- runtime: production dependencies and the compiled app only ----------------------------------------------------
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=32" \
    CHROMIUM_PATH=/usr/bin/chromium \
    TZ=Asia/Jakarta \
    HTTP_PORT=8080 \
    HTTP_HOST=0.0.0.0 \
    OSS_SYNC_DATA_DIR=/data
WORKDIR /app
# Chromium prints the partnership report as PDF (`oss-sync report --format pdf`, the console's Laporan page).
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund \
 && npm cache clean --force \
 && mkdir -p /data && chown node:node /data
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY config ./config
USER node
EXPOSE 8080
# node:20-slim has no curl: probe /healthz with Node's own fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node itself is PID 1 and gets SIGTERM directly (serve handles it: graceful stop, exit 0).
CMD ["node", "bin/oss-sync.js", "serve"]
