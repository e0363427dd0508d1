"""The fixed lists a slash command offers as Discord choices: one definition each, used by every cog.

A choice's value is what the bot receives, and a raw value can be typed (the sandbox console, a
test): so values are the words themselves, `tuesday` and `backend`, never a number that silently
means a day. Lists read from a data file are built from what the bot loaded at start, not here:
importing the cogs reads no file."""

from __future__ import annotations

from discord import app_commands

from bot.scheduling.weekly import WEEKDAYS
from bot.tracks import Track

WEEKDAY_CHOICES = [app_commands.Choice(name=day.capitalize(), value=day) for day in WEEKDAYS]
DISCIPLINE_CHOICES = [app_commands.Choice(name="Backend", value="backend"),
                      app_commands.Choice(name="Frontend", value="frontend")]


def weekday_number(day: str) -> int:
    """A weekday choice's value as the number the schedules store (0 = Monday)."""
    return WEEKDAYS.index(day)


def track_choices(tracks: tuple[Track, ...]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=track.name, value=track.key) for track in tracks]
