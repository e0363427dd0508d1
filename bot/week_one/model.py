"""What week one posts about: the servers it runs in and the projects announced there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class WeekOneServer:
    guild_id: int
    channel_id: int
    timezone: str
    cohort_start: date
    backend_role_id: int | None
    frontend_role_id: int | None


@dataclass(frozen=True)
class AnnouncedProject:
    owner_id: int
    title: str
    track: str
    discipline: str  # "backend" or "frontend"
    looking: bool  # for a partner, as bot.learners decides
