FROM --platform=$BUILDPLATFORM rust:1.79-bookworm AS build
ARG TARGETARCH
RUN case "$TARGETARCH" in \
      amd64) echo x86_64-unknown-linux-gnu > /target; apt-get update && apt-get install -y gcc-x86-64-linux-gnu ;; \
      arm64) echo aarch64-unknown-linux-gnu > /target; apt-get update && apt-get install -y gcc-aarch64-linux-gnu ;; \
    esac \
 && rustup target add "$(cat /target)"
WORKDIR /src
COPY . .
RUN cargo build --release --target "$(cat /target)" \
 && cp "target/$(cat /target)/release/gateway" /gateway

FROM gcr.io/distroless/cc-debian12
COPY --from=build /gateway /gateway
ENTRYPOINT ["/gateway"]
