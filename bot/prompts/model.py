"""What a weekly prompt is, what an admin types to make one, and what is posted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from bot.scheduling.weekly import WEEKDAYS


@dataclass(frozen=True)
class Prompt:
    """One server's prompt: posted on `weekday` at `at` (wall clock in the server's time zone), in
    every program week or only in `weeks`, unless paused."""

    guild_id: int
    key: str  # short and stable, e.g. "monday-goals"
    weekday: int  # 0 = Monday
    at: time
    text: str  # a template: see bot.prompts.template
    weeks: tuple[int, ...] = ()  # program weeks it runs in, ascending; () = every week
    open_thread: bool = False
    paused: bool = False
    source: str = "custom"  # 'default' (given at setup) or 'custom'

    @property
    def title(self) -> str:
        """The key in words: "monday-goals" → "Monday goals"."""
        return key_title(self.key)

    @property
    def when(self) -> str:
        """"Mondays at 09:00", for admins."""
        return f"{WEEKDAYS[self.weekday].capitalize()}s at {self.at:%H:%M}"

    @property
    def weeks_text(self) -> str:
        return describe_weeks(self.weeks)


@dataclass(frozen=True)
class PromptDraft:
    """What an admin gave for a prompt (options and form), before or after it is checked; kept
    as it was typed when the form was refused. `original_key` names the prompt being edited."""

    key: str
    weekday: int
    time_text: str
    weeks_text: str
    open_thread: bool
    text: str
    original_key: str | None = None

    @property
    def editing(self) -> bool:
        return self.original_key is not None


@dataclass(frozen=True)
class ServerSchedule:
    """What the server's setup says about where and when its prompts go."""

    guild_id: int
    channel_id: int | None
    timezone: str
    cohort_start: date | None


@dataclass(frozen=True)
class ScheduledPrompt:
    """A prompt that is posted (not paused, its server has a channel), with its server's schedule."""

    prompt: Prompt
    server: ServerSchedule


@dataclass(frozen=True)
class PromptPost:
    """A prompt rendered for one post: the delivery handler turns it into an embed (and a thread)."""

    key: str
    title: str
    text: str
    week: int | None  # the program week it is posted in, if the cohort start is known
    open_thread: bool
    thread_name: str


@dataclass(frozen=True)
class PromptListing:
    """A prompt as `/prompts list` shows it: its next post, or why it has none."""

    prompt: Prompt
    next_at: datetime | None
    not_scheduled: str | None = None  # why there is no next post


def key_title(key: str) -> str:
    words = key.replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def describe_weeks(weeks: tuple[int, ...]) -> str:
    """"every week", "week 3", "weeks 1, 2 and 5"."""
    if not weeks:
        return "every week"
    if len(weeks) == 1:
        return f"week {weeks[0]}"
    return "weeks " + ", ".join(str(w) for w in weeks[:-1]) + f" and {weeks[-1]}"


def weeks_to_text(weeks: tuple[int, ...]) -> str:
    """Weeks as an admin's form shows them: "2,4"; "" for every week."""
    return ",".join(str(w) for w in weeks)
