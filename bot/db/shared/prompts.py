"""Prompts' rows as models, and the statements both engines run alike (bot/db/sqlite/prompts.py,
bot/db/postgres/prompts.py)."""

from __future__ import annotations

from datetime import date, time

from bot.db.common import StoredRow
from bot.db.shared.shards import on_shards
from bot.prompts.model import Prompt, PromptDraft, ScheduledPrompt, ServerSchedule
from bot.shards import ShardPlan

# The prompts that are posted: not paused, in a server with a channel; SCHEDULED_IN narrows it to one.
SCHEDULED = """
    SELECT p.*, c.channel_id, c.timezone, c.cohort_start
      FROM prompts p JOIN guild_config c ON c.guild_id = p.guild_id
     WHERE p.paused = 0 AND c.channel_id IS NOT NULL
"""
SCHEDULED_IN = SCHEDULED + " AND p.guild_id = ?"


def scheduled_query(guild_id: int | None, shards: ShardPlan | None, *,
                    postgres: bool = False) -> tuple[str, tuple[object, ...]]:
    """SCHEDULED for one server, or all, or all of `shards`."""
    if guild_id is not None:
        return SCHEDULED_IN, (guild_id,)
    condition, params = on_shards("p.guild_id", shards, postgres=postgres)
    return SCHEDULED + condition, params
ADD = """
            INSERT INTO prompts (guild_id, key, text, weekday, time_of_day, weeks, open_thread, paused, source,
                                 created_at, updated_by, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (guild_id, key) DO NOTHING
            """
UPDATE = """
            UPDATE prompts SET text = ?, weekday = ?, time_of_day = ?, weeks = ?, open_thread = ?, paused = ?,
                               updated_by = ?, updated_at = ?
             WHERE guild_id = ? AND key = ?
            """
MARK_DEFAULTS_GIVEN = "INSERT INTO prompt_defaults_given (guild_id, given_at) VALUES (?, ?) ON CONFLICT DO NOTHING"
ADD_DEFAULT = """
                INSERT INTO prompts (guild_id, key, text, weekday, time_of_day, weeks, open_thread, paused, source,
                                     created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'default', ?, ?)
                ON CONFLICT (guild_id, key) DO NOTHING
                """
SAVE_DRAFT = """
            INSERT INTO prompt_drafts (guild_id, admin_id, original_key, key, weekday, time_of_day, weeks, open_thread,
                                       text, saved_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (guild_id, admin_id) DO UPDATE SET
                original_key = excluded.original_key, key = excluded.key, weekday = excluded.weekday,
                time_of_day = excluded.time_of_day, weeks = excluded.weeks, open_thread = excluded.open_thread,
                text = excluded.text, saved_at = excluded.saved_at
            """


def _weeks(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part)


def weeks_text(weeks: tuple[int, ...]) -> str:
    """How `weeks` is stored: "2,4"; "" for every week (read back by `_weeks`)."""
    return ",".join(str(w) for w in weeks)


def prompt_from_row(row: StoredRow) -> Prompt:
    hour, minute = row["time_of_day"].split(":")
    return Prompt(
        guild_id=row["guild_id"],
        key=row["key"],
        weekday=row["weekday"],
        at=time(int(hour), int(minute)),
        text=row["text"],
        weeks=_weeks(row["weeks"]),
        open_thread=bool(row["open_thread"]),
        paused=bool(row["paused"]),
        source=row["source"],
    )


def server_from_row(row: StoredRow) -> ServerSchedule:
    return ServerSchedule(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        timezone=row["timezone"],
        cohort_start=date.fromisoformat(row["cohort_start"]) if row["cohort_start"] else None,
    )


def scheduled_from_row(row: StoredRow) -> ScheduledPrompt:
    """A row of SCHEDULED: the prompt with its server's schedule."""
    return ScheduledPrompt(prompt_from_row(row), server_from_row(row))


def draft_from_row(row: StoredRow) -> PromptDraft:
    return PromptDraft(key=row["key"], weekday=row["weekday"], time_text=row["time_of_day"],
                       weeks_text=row["weeks"], open_thread=bool(row["open_thread"]), text=row["text"],
                       original_key=row["original_key"])


def prompt_values(prompt: Prompt) -> tuple[object, ...]:
    """The stored (text, weekday, time_of_day, weeks, open_thread, paused) of a prompt."""
    return (prompt.text, prompt.weekday, f"{prompt.at:%H:%M}", weeks_text(prompt.weeks), int(prompt.open_thread),
            int(prompt.paused))


def draft_values(guild_id: int, admin_id: int, draft: PromptDraft, stamp: str) -> tuple[object, ...]:
    """The parameters of SAVE_DRAFT."""
    return (guild_id, admin_id, draft.original_key, draft.key, draft.weekday, draft.time_text, draft.weeks_text,
            int(draft.open_thread), draft.text, stamp)

