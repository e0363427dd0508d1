"""Logging set-up, done in `main()` (never at import time).

The running log goes to stdout; stderr is kept for what stops start-up, one line each (see
`python -m bot`), so an admin or a container's supervisor sees the reason on its own.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from bot.config import RedactSecrets, Secret

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(level: str, *, secrets: tuple[Secret | None, ...] = (), file: Path | None = None) -> None:
    handler: logging.Handler
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(FORMAT))
    # On the handler, not a logger: every record that reaches output passes the filter,
    # whichever library logged it.
    handler.addFilter(RedactSecrets(*secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Python warnings (deprecations, unclosed sockets) belong in the log too, not loose on stderr.
    logging.captureWarnings(True)
    # discord.py's gateway chatter at DEBUG drowns everything else.
    logging.getLogger("discord").setLevel(max(logging.INFO, logging.getLevelName(level)))
    # Its only INFO line, "logging in using static token", says nothing an admin can use.
    logging.getLogger("discord.client").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # APScheduler logs every alarm it adds, runs and removes at INFO; the scheduler logs what it posted.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))
