# Nexus: a small image that runs the same entry point as `make run` (python -m bot).
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/nexus.db \
    KNOWLEDGE_DIR=/app/data/knowledge

WORKDIR /app

# Dependencies first (installed from pyproject.toml, then the empty package removed), so a code
# change does not reinstall them. The code itself runs from /app: `python -m bot` finds it there.
COPY pyproject.toml README.md ./
COPY bot/__init__.py bot/__init__.py
COPY cogs/__init__.py cogs/__init__.py
RUN pip install . && pip uninstall -y nexus-bot

COPY bot ./bot
COPY cogs ./cogs
COPY data ./data
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin nexus \
    && mkdir -p /data && chown nexus /data

USER nexus
# The database (and its WAL files) live on a volume, so an image upgrade keeps every project and pair.
VOLUME ["/data"]

# The bot touches a heartbeat file every 30 s while its Discord gateway is connected.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck"]

# Needs DISCORD_TOKEN (docker run --env-file .env); `run` refuses to start without it,
# rather than opening the interactive sandbox in a container.
CMD ["python", "-m", "bot", "run"]
