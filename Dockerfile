# The image of securitycopilot_exporter, in the style of the Prometheus
# exporters: nothing is compiled here. tools/image.sh first builds the static
# binaries with promu into .build/<os>-<arch>/ and copies the CA bundle into
# .image/, then builds this file once per platform into one manifest list:
#
#   tools/image.sh
#
# The image holds the binary, the CA bundle and nothing else: no shell, no
# package manager, no libc. It runs as the unprivileged user 65532.
FROM scratch

ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown

LABEL org.opencontainers.image.title="securitycopilot_exporter" \
      org.opencontainers.image.description="Prometheus exporter for Microsoft Security Copilot sessions read from Microsoft Graph" \
      org.opencontainers.image.source="https://github.com/securitycopilot-exporter/securitycopilot_exporter" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"

# Graph and Entra ID are reached over TLS only; Go reads this file.
COPY .image/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY .build/${TARGETOS}-${TARGETARCH}/securitycopilot_exporter /bin/securitycopilot_exporter

USER 65532:65532
# Every interface of the container's own network: --demo, which listens on
# loopback elsewhere, must answer a published port here too. The flag
# --web.listen-address wins over it.
ENV SECURITYCOPILOT_EXPORTER_WEB_LISTEN_ADDRESS=:9929
EXPOSE 9929
ENTRYPOINT ["/bin/securitycopilot_exporter"]
CMD ["--config.file=/etc/securitycopilot_exporter/config.yml"]
