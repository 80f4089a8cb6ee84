ARG ALPINE_VERSION=3.20
RUN echo "preparing"
FROM alpine:${ALPINE_VERSION}
CMD ["sh"]
