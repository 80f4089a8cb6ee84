FROM --platform=$BUILDPLATFORM golang:1.22 AS toolchain
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download

# inherits the build platform from toolchain
FROM toolchain AS build
ARG TARGETOS
ARG TARGETARCH
COPY . .
RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -o /out/worker ./cmd/worker

FROM scratch
COPY --from=build /out/worker /worker
ENTRYPOINT ["/worker"]
