FROM golang:1.22 AS build
ENV CGO_ENABLED=0 GOOS=linux GOARCH=amd64
WORKDIR /src
COPY . .
RUN go build -o /out/api ./cmd/api

FROM golang:1.22 AS tools
ARG GOARCH=arm64
RUN GOARCH=amd64 go install github.com/example/migrate@v1.4.0

FROM alpine:3.20
COPY --from=build /out/api /usr/local/bin/api
COPY --from=tools /go/bin/migrate /usr/local/bin/migrate
ENTRYPOINT ["api"]
