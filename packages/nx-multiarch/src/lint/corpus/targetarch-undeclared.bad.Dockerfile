# declared before the first FROM only: stages do not see it
ARG TARGETARCH
FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build
ARG TARGETOS
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .

FROM alpine:3.20
RUN echo "built for ${TARGETPLATFORM}" > /etc/build-platform
ARG TARGETPLATFORM
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
