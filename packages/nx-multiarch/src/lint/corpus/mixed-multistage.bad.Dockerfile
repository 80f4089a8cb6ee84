ARG NODE_VERSION=20
FROM node:${NODE_VERSION}-alpine AS web
WORKDIR /web
COPY web/package.json web/pnpm-lock.yaml ./
RUN corepack enable && pnpm install --frozen-lockfile
COPY web .
RUN pnpm build

FROM --platform=$BUILDPLATFORM golang:1.22 AS api
ARG TARGETARCH
WORKDIR /src
COPY . .
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/api ./cmd/api

FROM --platform=$BUILDPLATFORM alpine:3.20
RUN wget -qO /usr/local/bin/dumb-init https://github.com/Yelp/dumb-init/releases/download/v1.2.5/dumb-init_1.2.5_x86_64 \
 && chmod +x /usr/local/bin/dumb-init
COPY --from=web /web/dist /srv/web
COPY --from=api /out/api /usr/local/bin/api
ENTRYPOINT ["dumb-init", "api"]
