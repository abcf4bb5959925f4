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
# Healthy while /ready answers 200 (the database answers too). The binary asks it itself: the slim
# image has no curl, and /bin/sh is dash, which has no /dev/tcp. `health` follows GG_ADDR.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD ["/usr/local/bin/gelijkgericht", "health"]
ENTRYPOINT ["gelijkgericht"]
CMD ["serve"]
