# Builds the single `gelijkgericht` binary (templates, static files and migrations are embedded).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p gelijkgericht

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 gelijkgericht
COPY --from=build /src/target/release/gelijkgericht /usr/local/bin/gelijkgericht
USER gelijkgericht
ENV GG_ADDR=0.0.0.0:8080 GG_ENV=production GG_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '200' <&3"]
ENTRYPOINT ["gelijkgericht"]
CMD ["serve"]
