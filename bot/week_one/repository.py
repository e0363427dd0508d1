"""What week one asks of the database (implemented per engine in `bot/db/`)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.shards import ShardPlan
from bot.week_one.model import WeekOneServer


class WeekOneRepository(Protocol):
    """The servers week one runs in (their set-up) and which week-one posts the ledger says were made."""

    async def servers(self, guild_id: int | None = None, shards: ShardPlan | None = None) -> list[WeekOneServer]:
        """Servers week one runs in (one, or all, or all on `shards`): a channel and a cohort start are set."""
        ...

    async def made_since(self, kind: str, since: datetime) -> set[tuple[int, str, datetime]]:
        """(server, ref, due time) of the posts of `kind` due since `since` that were made or are
        being made (failed and skipped ones are not)."""
        ...
