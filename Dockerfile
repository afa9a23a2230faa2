# wow: an Apache OpenWhisk runtime for WebAssembly actions (kind wasm:0.1).
# Pure Go, no cgo: the default engine is wazero. See docs/openwhisk.md.
#
#   docker build -t wow .
#   docker run -p 8080:8080 wow
#
# CI builds exactly the go build command below (executor/dockerfile_test.go),
# so the recipe cannot rot even where Docker is unavailable.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/wow ./executor/cmd/wow

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/wow /usr/local/bin/wow
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/wow"]
CMD ["serve"]
