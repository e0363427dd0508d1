"""What an admin types for a prompt (key, time, program weeks), checked with a message that says
what is wrong and how to write it instead. Pure functions; every refusal is a `UserError`."""

from __future__ import annotations

import re
from datetime import time

from bot.errors import UserError

KEY_MIN, KEY_MAX = 2, 32
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_WEEK_RANGE = re.compile(r"([0-9]{1,3})-([0-9]{1,3})")
EVERY_WEEK_WORDS = ("", "every", "all", "every week", "all weeks")
SHOWN = 40  # characters of a bad value shown back


def shown(text: str) -> str:
    """A typed value quoted back in a message: one line, short, no backticks to break the code span."""
    value = " ".join(text.split()).replace("`", "'")
    return value[:SHOWN] + ("…" if len(value) > SHOWN else "")


def parse_key(text: str) -> str:
    """A short stable name such as `monday-goals`: lowercase letters, digits and single hyphens.
    Spaces become hyphens and capitals are lowered, so "Monday Goals" is `monday-goals`."""
    key = "-".join(text.strip().lower().split())
    if not KEY_MIN <= len(key) <= KEY_MAX or not _KEY.fullmatch(key):
        raise UserError(
            f"`{shown(text) or ' '}` can't be a prompt key. Use {KEY_MIN}–{KEY_MAX} lowercase letters, digits "
            "and hyphens, such as `monday-goals`."
        )
    return key


def parse_time(text: str) -> time:
    """`HH:MM` on a 24-hour clock ("9:00" too)."""
    match = _TIME.fullmatch(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise UserError(
            f"`{shown(text) or ' '}` is not a time I can use. Write it as HH:MM on a 24-hour clock, "
            "such as `09:00` or `17:30`."
        )
    return time(int(match[1]), int(match[2]))


def parse_weeks(text: str, program_weeks: int) -> tuple[int, ...]:
    """Program weeks as "3", "1, 2", "3-5" (or a mix); "every" or nothing for every week."""
    if text.strip().lower() in EVERY_WEEK_WORDS:
        return ()
    weeks: set[int] = set()
    bare = re.sub(r"^weeks?\b", "", text.strip(), flags=re.IGNORECASE)  # "week 3" is 3
    joined = re.sub(r"\s*-\s*", "-", bare.strip())  # "3 - 5" is the range 3-5
    for part in re.split(r"[,;\s]+", joined):
        if not part:
            continue
        span = _WEEK_RANGE.fullmatch(part)
        if span is not None:
            first, last = int(span[1]), int(span[2])
        elif part.isascii() and part.isdigit() and len(part) <= 3:
            first = last = int(part)
        else:
            raise _not_weeks(text)
        if first > last:
            raise UserError(f"`{shown(part)}` runs backwards: write the earlier week first, such as `3-5`.")
        outside = [w for w in (first, last) if not 1 <= w <= program_weeks]
        if outside:
            raise UserError(
                f"Week {outside[0]} is outside the program: it runs from week 1 to week {program_weeks}."
            )
        weeks.update(range(first, last + 1))
    if not weeks:  # only separators, such as ","
        raise _not_weeks(text)
    return tuple(sorted(weeks))


def _not_weeks(text: str) -> UserError:
    return UserError(
        f"`{shown(text)}` is not a list of program weeks. Write a week such as `3`, several as `1, 2` or a "
        "range as `3-5`; leave it out for every week."
    )
