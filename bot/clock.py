"""Time, in one place: UTC-aware datetimes, and the ISO text the database stores."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_db_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; every stored time is UTC-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
