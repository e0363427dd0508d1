"""Logging set-up, done in `main()` (never at import time)."""

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
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    # On the handler, not a logger: every record that reaches output passes the filter,
    # whichever library logged it.
    handler.addFilter(RedactSecrets(*secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # discord.py's gateway chatter at DEBUG drowns everything else.
    logging.getLogger("discord").setLevel(max(logging.INFO, logging.getLevelName(level)))
