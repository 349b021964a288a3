# Build: every dependency (esbuild is a devDependency), then dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY migrations ./migrations
RUN npm run build

# Run: production dependencies and the compiled JavaScript, started with plain node.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# The young generation held small and the old one grown by at most 2× between full collections,
# as `npm start` does: see bench/README.md (memory).
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=100", "dist/server.js"]
