FROM alpine:3.20
ARG KUBECTL_VERSION=v1.30.2
RUN apk add --no-cache curl \
 && curl -fsSLo /usr/local/bin/kubectl https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/amd64/kubectl \
 && chmod +x /usr/local/bin/kubectl
ADD https://get.helm.sh/helm-v3.15.2-linux-amd64.tar.gz /tmp/helm.tar.gz
RUN tar -xzf /tmp/helm.tar.gz -C /usr/local/bin --strip-components=1 linux-amd64/helm
ENTRYPOINT ["kubectl"]
