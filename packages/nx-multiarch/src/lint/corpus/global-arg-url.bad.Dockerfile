ARG PROTOC_URL=https://github.com/protocolbuffers/protobuf/releases/download/v27.1/protoc-27.1-linux-x86_64.zip
FROM --platform=$BUILDPLATFORM debian:bookworm-slim AS gen
ARG PROTOC_URL
RUN apt-get update && apt-get install -y --no-install-recommends curl unzip ca-certificates \
 && curl -fsSLo /tmp/protoc.zip "$PROTOC_URL" && unzip -q /tmp/protoc.zip -d /usr/local
WORKDIR /src
COPY proto ./proto
RUN protoc --python_out=/out proto/*.proto

FROM python:3.12-slim
COPY --from=gen /out /app/gen
COPY . /app
CMD ["python", "/app/main.py"]
