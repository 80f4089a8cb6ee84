FROM --platform=$BUILDPLATFORM rust:1.79-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
    # cross linker for the arm64 image
    gcc-aarch64-linux-gnu \
    libc6-dev-arm64-cross \
 && rustup target add aarch64-unknown-linux-gnu
WORKDIR /src
COPY . .
ENV CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
RUN cargo build --release --target aarch64-unknown-linux-gnu

FROM debian:bookworm-slim
COPY --from=build /src/target/aarch64-unknown-linux-gnu/release/indexer /usr/local/bin/indexer
ENTRYPOINT ["indexer"]
