"""Prompt texts: placeholders such as `{week}`, checked when a prompt is saved, filled in when posted.

Checked when saved, never at posting time: an unknown placeholder, a brace without its partner and
a text that would be too long for Discord once its placeholders are filled in are refused with a
message naming the problem. `{{` and `}}` stand for literal braces, as in Python's format strings.

Python's own `str.format` is not used: it would let a text reach attributes (`{week.__class__}`),
and its errors do not say where the problem is. The scanner below knows only plain names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rapidfuzz import fuzz, process, utils

from bot.cohort import date_in_words
from bot.discord_limits import TEXT_INPUT_LIMIT
from bot.errors import UserError

# What each placeholder becomes, for the admins' help texts.
PLACEHOLDERS = {
    "week": "the program week (3)",
    "next_week": "the week after it (4)",
    "cohort_start": "the cohort's first day in words (Tuesday 1 December 2026)",
    "projects": "how many projects are announced",
    "pairs": "how many pairs are formed",
    "channel": "a link to the channel the prompt is posted in",
}
# An embed's description holds 4096 characters; what Nexus adds to a prompt (the "posted late" line)
# has the rest. A form's text field holds 4000, so a text without placeholders always fits.
POSTED_TEXT_LIMIT = TEXT_INPUT_LIMIT
# Words, never "?", for what the cohort's state does not give yet: before the cohort starts, the
# week is "before week 1" and the next is 1; with no cohort start set, the weeks and the date say so.
BEFORE_WEEK_ONE = "before week 1"
NO_COHORT = "not set yet (no cohort start)"
THE_CHANNEL = "the Nexus channel"
CONTEXT = 20  # characters shown around a bad brace
# The longest each placeholder can become, for checking a text's length when it is saved.
_LONGEST = {
    "week": max("999", BEFORE_WEEK_ONE, NO_COHORT, key=len),
    "next_week": max("1000", NO_COHORT, key=len),
    "cohort_start": max("Wednesday 30 September 2026", NO_COHORT, key=len),
    "projects": "99999",
    "pairs": "99999",
    "channel": f"<#{'9' * 20}>",
}


@dataclass(frozen=True)
class TemplateValues:
    """What the placeholders become in one post. `week` is None before the cohort starts or when
    no cohort start is set."""

    week: int | None
    cohort_start: date | None
    projects: int
    pairs: int
    channel_id: int | None

    def as_text(self) -> dict[str, str]:
        return {
            "week": str(self.week) if self.week is not None else
            BEFORE_WEEK_ONE if self.cohort_start is not None else NO_COHORT,
            "next_week": str(self.week + 1) if self.week is not None else
            "1" if self.cohort_start is not None else NO_COHORT,
            "cohort_start": NO_COHORT if self.cohort_start is None else date_in_words(self.cohort_start),
            "projects": str(self.projects),
            "pairs": str(self.pairs),
            "channel": THE_CHANNEL if self.channel_id is None else f"<#{self.channel_id}>",
        }


class TemplateError(UserError):
    """A prompt text that cannot be saved; the message names the problem and how to fix it."""


def check_template(text: str) -> None:
    """Refuse a text that is empty, uses an unknown placeholder, has a brace without its partner,
    or would be longer than Discord allows once its placeholders are filled in."""
    if not text.strip():
        raise TemplateError("Write the prompt's text: it is empty.")
    longest = "".join(_fill(text, _LONGEST))
    if len(longest) > POSTED_TEXT_LIMIT:
        raise TemplateError(
            f"The text is too long: with its placeholders filled in it can reach {len(longest)} characters, "
            f"and a post holds at most {POSTED_TEXT_LIMIT}. Shorten it by {len(longest) - POSTED_TEXT_LIMIT}."
        )


def render(text: str, values: TemplateValues) -> str:
    """The text with its placeholders filled in (the text was checked when it was saved)."""
    return "".join(_fill(text, values.as_text()))


def placeholders_used(text: str) -> set[str]:
    return {name for kind, name in _pieces(text) if kind == "field"}


def _fill(text: str, values: dict[str, str]) -> Iterator[str]:
    for kind, piece in _pieces(text):
        yield values[piece] if kind == "field" else piece


@lru_cache(maxsize=256)
def _pieces(text: str) -> tuple[tuple[str, str], ...]:
    """`_scan`'s pieces, kept: a fan-out renders one prompt's text in thousands of servers, and
    reading it character by character each time took most of the time before the first post."""
    return tuple(_scan(text))


def _scan(text: str) -> Iterator[tuple[str, str]]:
    """The text as ("literal", text) and ("field", name) pieces; a TemplateError at the first problem."""
    start = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char in "{}" and text.startswith(char * 2, i):  # {{ or }}: a literal brace
            yield "literal", text[start:i] + char
            i += 2
            start = i
            continue
        if char == "}":
            raise TemplateError(f"The text has a `}}` with no `{{` before it, in “{_around(text, i)}”. "
                                "Write `}}` twice for a brace of its own.")
        if char == "{":
            end = _closing(text, i)
            name = text[i + 1:end]
            if name not in PLACEHOLDERS:
                raise TemplateError(_unknown(name))
            yield "literal", text[start:i]
            yield "field", name
            i = end + 1
            start = i
            continue
        i += 1
    yield "literal", text[start:]


def _closing(text: str, opening: int) -> int:
    """Where the `}` of the placeholder opened at `opening` is."""
    for j in range(opening + 1, len(text)):
        if text[j] == "}":
            return j
        if text[j] == "{" or text[j] == "\n":
            break
    raise TemplateError(f"The text has a `{{` with no `}}` after it, in “{_around(text, opening)}”. "
                        "Close the placeholder, or write `{{` for a brace of its own.")


def _around(text: str, at: int) -> str:
    piece = text[max(0, at - CONTEXT):at + CONTEXT + 1]
    return " ".join(piece.split()).replace("`", "'")


def _unknown(name: str) -> str:
    shown = " ".join(name.split()).replace("`", "'")[:40] or " "
    known = ", ".join(f"`{{{p}}}`" for p in PLACEHOLDERS)
    best = (process.extractOne(name[:40], list(PLACEHOLDERS), scorer=fuzz.ratio, processor=utils.default_process)
            if name.strip() else None)
    hint = f" Did you mean `{{{best[0]}}}`?" if best and best[1] >= 70 else ""
    return f"`{{{shown}}}` is not a placeholder I know.{hint} The text may use {known}."
