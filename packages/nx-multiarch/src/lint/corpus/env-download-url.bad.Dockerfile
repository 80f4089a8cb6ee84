FROM ubuntu:24.04
ENV TERRAFORM_VERSION=1.8.5 \
    TERRAFORM_URL=https://releases.hashicorp.com/terraform/1.8.5/terraform_1.8.5_linux_amd64.zip
RUN apt-get update && apt-get install -y --no-install-recommends curl unzip ca-certificates \
 && curl -fsSLo /tmp/terraform.zip "$TERRAFORM_URL" \
 && unzip /tmp/terraform.zip -d /usr/local/bin && rm /tmp/terraform.zip
ENTRYPOINT ["terraform"]
