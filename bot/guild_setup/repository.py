"""What server set-up asks of the database (implemented per engine in `bot/db/`)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.guild_setup.model import GuildConfig


class GuildConfigRepository(Protocol):
    """Each server's configuration (`guild_config`)."""

    async def get(self, guild_id: int) -> GuildConfig | None:
        ...

    async def save(self, config: GuildConfig, now: datetime) -> GuildConfig:
        ...
