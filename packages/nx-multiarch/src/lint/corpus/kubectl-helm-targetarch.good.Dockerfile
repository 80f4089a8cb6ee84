FROM alpine:3.20
ARG TARGETARCH
ARG KUBECTL_VERSION=v1.30.2
ARG HELM_VERSION=v3.15.2
RUN apk add --no-cache curl ca-certificates
RUN curl -fsSLo /usr/local/bin/kubectl "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${TARGETARCH}/kubectl" \
 && chmod +x /usr/local/bin/kubectl
RUN curl -fsSL "https://get.helm.sh/helm-${HELM_VERSION}-linux-${TARGETARCH}.tar.gz" \
  | tar -xz -C /usr/local/bin --strip-components=1 "linux-${TARGETARCH}/helm"
ENTRYPOINT ["kubectl"]
