# syntax=docker/dockerfile:1
# The bot in a container (BuildKit, the default builder of Docker 23+ and of `docker compose`):
#   docker build -t followup-bot .
#   docker run --env-file .env -v followup-data:/data -p 127.0.0.1:9090:9090 followup-bot
# Replicas on PostgreSQL: compose.yaml. Linted by `make check` (hadolint).
#
# Both stages use the same Python; pin a patch release or a digest for reproducible builds, e.g.
#   docker build --build-arg PYTHON_VERSION=3.11.14 -t followup-bot .
ARG PYTHON_VERSION=3.11

# --- build: wheels for the bot and every dependency (the full image has a compiler, for any
# dependency without a wheel for this platform; none of it reaches the runtime image) ---
FROM python:${PYTHON_VERSION}-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY rules ./rules
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[slack,discord]'

# --- runtime: slim, non-root, only the wheels installed ---
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime

LABEL org.opencontainers.image.title="followup-bot" \
      org.opencontainers.image.description="A Slack and Discord bot that helps students follow up after career conversations." \
      org.opencontainers.image.licenses="MIT"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/followup.db \
    OPS_HOST=0.0.0.0 \
    OPS_PORT=9090

# The wheels are bind-mounted from the build stage, so they never become a layer of this image.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels /wheels/*.whl \
    && groupadd --gid 10001 bot \
    && useradd --no-log-init --create-home --uid 10001 --gid 10001 bot \
    && mkdir -p /data \
    && chown 10001:10001 /data

USER 10001:10001
WORKDIR /data
VOLUME ["/data"]

# OPS_PORT: /healthz, /readyz and /metrics in every mode (OPS_PORT=0 turns them off; then run the
# container with --no-healthcheck). OPS_HOST is 0.0.0.0 inside the container so that a published
# port reaches it; publish it on 127.0.0.1 (`-p 127.0.0.1:9090:9090`), never to the internet. 3000 is PORT, Slack's HTTP mode (/slack/events), if used.
EXPOSE 9090 3000

# /healthz answers while the event loop is alive; urllib, since the slim image has no curl.
# Any error (connection refused, timeout, a status other than 2xx) exits 1: unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + (os.environ.get('OPS_PORT') or '9090') + '/healthz', timeout=4)"]

CMD ["followup-bot", "run"]
