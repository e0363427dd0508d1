"""The heartbeat file `python -m bot healthcheck` (the Docker HEALTHCHECK) reads.

It lives beside the database it belongs to: that folder is the one a read-only container lets the bot
write (`/data`), and two bots (or a bot and a sandbox) on one machine never share it. Kept free of
discord.py so the health check starts fast.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

HEARTBEAT_SECONDS = 30
# A bot that has not beaten for three intervals is not connected to Discord.
STALE_AFTER_SECONDS = 3 * HEARTBEAT_SECONDS


def heartbeat_path(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + ".heartbeat")


def write_heartbeat(path: Path) -> None:
    """Write the current time; through a temporary file, so a reader never sees half a number."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(str(time.time()), encoding="ascii")
    os.replace(partial, path)


def heartbeat_age(path: Path) -> float | None:
    """Seconds since the last beat, or None when there is no readable heartbeat."""
    try:
        return time.time() - float(path.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None
