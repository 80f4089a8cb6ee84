FROM debian:bookworm-slim
ARG TARGETARCH
ARG AWSCLI_VERSION=2.17.0
# the vendor names architectures x86_64/aarch64, so map them from TARGETARCH
RUN case "${TARGETARCH}" in \
      amd64) arch=x86_64 ;; \
      arm64) arch=aarch64 ;; \
      *) echo "unsupported: ${TARGETARCH}" >&2; exit 1 ;; \
    esac \
 && apt-get update && apt-get install -y --no-install-recommends curl unzip \
 && curl -fsSLo /tmp/awscli.zip "https://awscli.amazonaws.com/awscli-exe-linux-${arch}-${AWSCLI_VERSION}.zip" \
 && unzip -q /tmp/awscli.zip -d /tmp && /tmp/aws/install && rm -rf /tmp/aws*
ENTRYPOINT ["aws"]
