FROM debian:bookworm-slim
RUN dpkg --add-architecture amd64 \
 && apt-get update \
 && apt-get install -y --no-install-recommends libssl3:amd64 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY bin/agent /usr/local/bin/agent
ENTRYPOINT ["agent"]
