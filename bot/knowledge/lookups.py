"""The lookup log, written behind: a lookup is kept in memory and written with the others of the
next WRITE_DELAY seconds, in one transaction.

Why: every write is a trip to aiosqlite's thread, and one made right after an answer takes turns
with the event loop while it reads the next interaction: on the 2-core reference machine a write
per `/topic query` cost the next interaction about 0.1–0.6 ms, where one write a second for all of
them costs nothing measurable. Whatever reads the log (`/topic stats`, `/nexus status`) writes the
pending lookups first, and so does the bot when it stops; a crash loses at most the last
WRITE_DELAY seconds of lookups, which are anonymous statistics.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.knowledge.repository import KnowledgeRepository

log = logging.getLogger(__name__)

WRITE_DELAY = 1.0  # seconds


class LookupLog:
    def __init__(self, repository: KnowledgeRepository, delay: float = WRITE_DELAY) -> None:
        self._repository = repository
        self._delay = delay
        self._pending: list[tuple[int, str, int | None, datetime]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._writing: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def add(self, guild_id: int, query: str, topic_id: int | None, at: datetime) -> None:
        self._pending.append((guild_id, query, topic_id, at))
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._delay, self._write_later)

    def _write_later(self) -> None:
        self._timer = None
        self._writing = asyncio.ensure_future(self._write_logged())

    async def _write_logged(self) -> None:
        try:
            await self.write()
        except Exception:  # a background write has no one to raise to
            log.exception("could not write the lookup log")

    async def write(self) -> None:
        """Write every pending lookup now."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        async with self._lock:
            pending, self._pending = self._pending, []
            if pending:
                await self._repository.log_lookups(pending)
