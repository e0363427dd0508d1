"""When a prompt is posted: the local days it runs on, and the instant of each (pure, no clock).

- Without a cohort start, a prompt with no program weeks runs every week; one tied to program weeks
  waits until the cohort start is set.
- With a cohort start, week 1 is its first seven days (`bot.cohort.program_week`): a prompt runs on
  its weekday in each of its weeks, or in every week of the program, never before the cohort starts
  nor after the program ends.
- The instant of a local day comes from `WeeklyTime.on`, so DST is handled as everywhere else: a
  time the clocks skip is posted at the first minute after the gap, an ambiguous one once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.prompts.model import Prompt, ServerSchedule
from bot.scheduling.weekly import WeeklyTime

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class FireTime:
    day: date  # the server's local date
    at: datetime  # the instant, UTC
    week: int | None  # the program week of `day`, when the cohort start is known


def rule_of(prompt: Prompt, server: ServerSchedule) -> WeeklyTime:
    return WeeklyTime(prompt.weekday, prompt.at, server.timezone)


def fire_times_after(prompt: Prompt, server: ServerSchedule, moment: datetime,
                     program_weeks: int) -> Iterator[FireTime]:
    """Every time `prompt` is posted strictly after `moment`, soonest first (endless for a prompt that
    runs every week without a cohort start). Paused prompts and servers without a channel are the
    caller's to leave out."""
    rule = rule_of(prompt, server)
    start = server.cohort_start
    if start is None:
        if prompt.weeks:
            return
        # The local date of `moment`, less a day: a fire time DST moves may fall just around it.
        day = moment.astimezone(rule.zone).date() - timedelta(days=1)
        day += timedelta(days=(prompt.weekday - day.weekday()) % 7)
        while True:
            at = rule.on(day)
            if at > moment:
                yield FireTime(day, at, None)
            day += WEEK
    first_day = start + timedelta(days=(prompt.weekday - start.weekday()) % 7)  # its weekday in week 1
    weeks = prompt.weeks or range(1, program_weeks + 1)
    # Skip the weeks wholly before `moment` without computing their instants.
    earliest = moment.astimezone(rule.zone).date() - timedelta(days=1)
    for week in weeks:
        day = first_day + (week - 1) * WEEK
        if day < earliest:
            continue
        at = rule.on(day)
        if at > moment:
            yield FireTime(day, at, week)


def fire_times_between(prompt: Prompt, server: ServerSchedule, after: datetime, until: datetime,
                       program_weeks: int) -> list[FireTime]:
    """Every time in (after, until]."""
    found = []
    for fire in fire_times_after(prompt, server, after, program_weeks):
        if fire.at > until:
            break
        found.append(fire)
    return found


def next_fire_time(prompt: Prompt, server: ServerSchedule, moment: datetime,
                   program_weeks: int) -> FireTime | None:
    return next(fire_times_after(prompt, server, moment, program_weeks), None)


def why_not_scheduled(prompt: Prompt, server: ServerSchedule | None, moment: datetime,
                      program_weeks: int) -> str | None:
    """Why `prompt` has no next post, in words for an admin; None when it has one."""
    if server is None or server.channel_id is None:
        return "not posted until a channel is chosen with `/nexus setup`"
    if prompt.paused:
        return "paused: `/prompts resume` starts it again"
    if server.cohort_start is None and prompt.weeks:
        return "waits for the cohort start: set it with `/nexus setup cohort_start`"
    if next_fire_time(prompt, server, moment, program_weeks) is None:
        return "its program weeks are over"
    return None
