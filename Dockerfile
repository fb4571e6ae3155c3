# The bot in a container: `docker build -t followup-bot .` then
# `docker run --env-file .env -v followup-data:/data followup-bot`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/followup.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY rules ./rules
COPY migrations ./migrations
RUN pip install --no-cache-dir '.[slack,discord]' \
    && useradd --create-home --uid 10001 bot \
    && mkdir -p /data && chown bot /data

USER bot
VOLUME ["/data"]
CMD ["followup-bot", "run"]
