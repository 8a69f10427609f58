# Build: docker build -t infrapulse .
# Run:   docker run -p 8080:8080 -v infrapulse-data:/data infrapulse
FROM rust:1-bookworm AS build
WORKDIR /src
# Dependencies first, so code changes do not rebuild them. Cargo wants every
# target the manifest names to exist, benches included: stub them all.
COPY Cargo.toml Cargo.lock ./
# SQLite's compile options (LIBSQLITE3_FLAGS) apply to the dependency layer too.
COPY .cargo .cargo
RUN mkdir src benches && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && for bench in import delivery results exports respond themes; do echo 'fn main() {}' > "benches/$bench.rs"; done \
    && cargo build --release --locked \
    && rm -rf src benches
COPY . .
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked \
    && strip target/release/infrapulse

FROM debian:bookworm-slim
# SQLite and libpq are compiled in; TLS roots are built in (webpki-roots).
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home infrapulse \
    && mkdir /data && chown infrapulse:infrapulse /data
COPY --from=build /src/target/release/infrapulse /usr/local/bin/infrapulse
USER infrapulse
ENV DATA_DIR=/data \
    BIND=0.0.0.0:8080 \
    LOG_FORMAT=json
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["infrapulse", "healthcheck"]
ENTRYPOINT ["infrapulse"]
CMD ["serve"]
