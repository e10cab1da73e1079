# syntax=docker/dockerfile:1

# Build stage: a static, reproducible binary with version information
# stamped into github.com/prometheus/common/version.
FROM golang:1.26 AS builder
# The toolchain go.mod names, fetched by the go command: it fixes the
# standard library's known vulnerabilities of Go 1.26.8. The image itself
# sets GOTOOLCHAIN=local.
ENV GOTOOLCHAIN=go1.27.3

ARG VERSION=dev
ARG REVISION=unknown
ARG BRANCH=unknown
ARG BUILD_USER=docker
ARG BUILD_DATE=unknown

WORKDIR /src

# Download modules in their own layer so it is reused until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
RUN CGO_ENABLED=0 go build \
        -trimpath \
        -ldflags "-s -w \
            -X github.com/prometheus/common/version.Version=${VERSION} \
            -X github.com/prometheus/common/version.Revision=${REVISION} \
            -X github.com/prometheus/common/version.Branch=${BRANCH} \
            -X github.com/prometheus/common/version.BuildUser=${BUILD_USER} \
            -X github.com/prometheus/common/version.BuildDate=${BUILD_DATE}" \
        -o /out/securitycopilot_exporter \
        .

# Runtime stage: distroless static image, running as the non-root user 65532.
FROM gcr.io/distroless/static-debian12:nonroot

ARG VERSION=dev
ARG REVISION=unknown
ARG BUILD_DATE=unknown

LABEL org.opencontainers.image.title="securitycopilot_exporter" \
      org.opencontainers.image.description="Prometheus exporter for Microsoft Security Copilot sessions read from Microsoft Graph" \
      org.opencontainers.image.source="https://github.com/securitycopilot-exporter/securitycopilot_exporter" \
      org.opencontainers.image.url="https://github.com/securitycopilot-exporter/securitycopilot_exporter" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${BUILD_DATE}" \
      org.opencontainers.image.base.name="gcr.io/distroless/static-debian12:nonroot"

COPY --from=builder /out/securitycopilot_exporter /bin/securitycopilot_exporter

EXPOSE 9929
USER nonroot:nonroot

ENTRYPOINT ["/bin/securitycopilot_exporter"]
CMD ["--config.file=/etc/securitycopilot_exporter/config.yml"]
