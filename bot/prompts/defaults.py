"""The default prompts shipped in `data/prompts.toml`, read and checked once at start.

The file ships with the code, so a problem in it is the maintainers' to fix before the bot runs:
`PromptsFileError` says in one line which prompt and what is wrong, and start-up stops there (exit
code 2) instead of a server being given a prompt that could never be posted.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import UserError
from bot.prompts.model import Prompt
from bot.prompts.parsing import parse_key, parse_time, parse_weeks
from bot.prompts.template import check_template
from bot.scheduling.weekly import WEEKDAYS

SHIPPED_PROMPTS_FILE = Path(__file__).resolve().parents[2] / "data" / "prompts.toml"
MAX_PROGRAM_WEEKS = 104
_FIELDS = {"key", "weekday", "time", "text", "weeks", "thread"}


class PromptsFileError(Exception):
    """The prompts file cannot be used; the message names the file, the prompt and the problem in one line."""


@dataclass(frozen=True)
class PromptDefaults:
    program_weeks: int  # how long the program runs: prompts may name weeks 1..program_weeks
    prompts: tuple[Prompt, ...]  # guild_id 0: copied into each server the first time it is set up


def load_prompt_defaults(path: Path = SHIPPED_PROMPTS_FILE) -> PromptDefaults:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PromptsFileError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise PromptsFileError(f"{path}: is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PromptsFileError(f"{path}: is not valid TOML ({exc})") from exc
    try:
        return _defaults(data)
    except (UserError, ValueError) as exc:
        raise PromptsFileError(f"{path}: {' '.join(str(exc).split())}") from exc


def _defaults(data: dict[str, Any]) -> PromptDefaults:
    weeks = data.get("program_weeks")
    if not isinstance(weeks, int) or isinstance(weeks, bool) or not 1 <= weeks <= MAX_PROGRAM_WEEKS:
        raise ValueError(f"program_weeks must be a whole number of weeks from 1 to {MAX_PROGRAM_WEEKS}")
    entries = data.get("prompt")
    if not isinstance(entries, list) or not entries:
        raise ValueError("no [[prompt]] tables: the file must define the default prompts")
    prompts = []
    for number, entry in enumerate(entries, start=1):
        where = f"prompt {entry.get('key', number)!r}" if isinstance(entry, dict) else f"prompt {number}"
        try:
            prompts.append(_prompt(entry, weeks))
        except (UserError, ValueError) as exc:
            raise ValueError(f"{where}: {exc}") from exc
    keys = [p.key for p in prompts]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"the key {repeated[0]!r} is used by more than one prompt")
    return PromptDefaults(weeks, tuple(prompts))


def _prompt(entry: object, program_weeks: int) -> Prompt:
    if not isinstance(entry, dict):
        raise ValueError("must be a table")
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r} (fields: {', '.join(sorted(_FIELDS))})")
    for name in ("key", "weekday", "time", "text"):
        if not isinstance(entry.get(name), str):
            raise ValueError(f"{name} must be given as text")
    weekday = entry["weekday"].strip().lower()
    if weekday not in WEEKDAYS:
        raise ValueError(f"weekday {entry['weekday']!r} is not one of {', '.join(WEEKDAYS)}")
    weeks = entry.get("weeks", [])
    if not isinstance(weeks, list) or not all(isinstance(w, int) and not isinstance(w, bool) for w in weeks):
        raise ValueError("weeks must be a list of week numbers, such as [1] or [2, 3]")
    thread = entry.get("thread", False)
    if not isinstance(thread, bool):
        raise ValueError("thread must be true or false")
    check_template(entry["text"])
    return Prompt(
        guild_id=0,
        key=parse_key(entry["key"]),
        weekday=WEEKDAYS.index(weekday),
        at=parse_time(entry["time"]),
        text=entry["text"].strip(),
        weeks=parse_weeks(",".join(str(w) for w in weeks), program_weeks) if weeks else (),
        open_thread=thread,
        source="default",
    )
