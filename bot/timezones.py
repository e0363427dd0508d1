"""IANA time-zone names as people type them: one test of "is this a zone?" for settings and `/nexus setup`."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


@cache
def zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def find_zone(name: str) -> ZoneInfo | None:
    """The zone called `name`, or None when there is none.

    `ZoneInfo` looks the key up as a file, so odd keys raise more than ZoneInfoNotFoundError: a
    region folder such as `Africa` or `America/Argentina` raises IsADirectoryError, a key over 255
    bytes "File name too long" (OSError), `../x` or a NUL byte ValueError. All of them mean "no such
    zone" to a person.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def region_example(name: str) -> str | None:
    """For a region folder (`Africa`, `america/argentina`), one zone inside it; None otherwise."""
    prefix = name.strip().strip("/").lower() + "/"
    if prefix == "/":
        return None
    return next((zone for zone in zone_names() if zone.lower().startswith(prefix)), None)
