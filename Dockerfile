# Nexus: a small image that runs the same entry point as `make run` (python -m bot).
# The base is pinned to a Python patch release on a Debian release; refresh it together with the
# lock file (README, "Upgrading the pins").
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/nexus.db \
    KNOWLEDGE_DIR=/app/data/knowledge

WORKDIR /app

# The dependency layer depends on the lock file alone: editing the code or the README reuses it.
# Exact versions with their hashes; no console libraries (the sandbox is for development).
COPY requirements.lock /tmp/requirements.lock
# numpy's and scipy's own test suites (about 50 MB) are never imported by Nexus: dropped in the same
# layer, so they never ship.
RUN pip install --require-hashes --no-deps -r /tmp/requirements.lock && rm /tmp/requirements.lock \
    && python -c "import pathlib, shutil, numpy, scipy; \
[shutil.rmtree(p, ignore_errors=True) for m in (numpy, scipy) \
 for p in sorted(pathlib.Path(m.__file__).parent.rglob('tests')) if p.is_dir()]"

# The code is not pip-installed: `python -m bot` runs it from /app, so nothing is built and no
# packaging metadata is left behind.
COPY bot ./bot
COPY cogs ./cogs
COPY data ./data
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin nexus \
    && mkdir -p /data && chown nexus /data

USER nexus
# The database, its WAL files and the heartbeat live on a volume: an image upgrade keeps every
# project and pair, and the container can run with a read-only root file system.
VOLUME ["/data"]

# The bot touches a heartbeat file beside the database every 30 s while its gateway is connected.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck"]

# Needs DISCORD_TOKEN (env_file in compose.yaml, or docker run --env-file .env); `run` refuses to
# start without it rather than open the interactive sandbox in a container.
CMD ["python", "-m", "bot", "run"]
