# the base image was meant to come from a build arg
ARG BASE_IMAGE
WORKDIR /app
COPY . .
CMD ["./start.sh"]
