"""A server's set-up as stored, and what an admin gives `/nexus setup`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.clock import from_db_time


@dataclass(frozen=True)
class GuildConfig:
    """One server's set-up. `cohort_start` is a calendar date (day 1 of week one), not an instant."""

    guild_id: int
    channel_id: int | None
    backend_role_id: int | None
    frontend_role_id: int | None
    cohort_start: date | None
    timezone: str
    updated_by: int | None
    updated_at: str

    @property
    def changed_at(self) -> datetime | None:
        """When an admin last changed it (None: never saved)."""
        return from_db_time(self.updated_at) if self.updated_at else None


@dataclass(frozen=True)
class SetupRequest:
    guild_id: int
    actor_id: int
    channel_id: int
    backend_role_id: int | None = None
    frontend_role_id: int | None = None
    cohort_start: str | None = None
    timezone: str | None = None
