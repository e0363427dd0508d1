"""Words that name another stack than this knowledge base's (`data/knowledge/other-stacks.toml`):
the homonym rule of search.

A word shared with another field is no reason to answer: "lifetime" is Rust's as much as JWT's,
"state lock" Terraform's, "jitter" a game engine's, "signals" Godot's. When a question names another
stack, a topic answers it only when it holds two of the question's other words (search's
HOMONYM_MIN_HELD: a word its names hold counts one, a word only its text holds half). When it
names another stack and none of ours (the file's `ours`: Python, Django, DRF, Celery…, not the
tools every stack uses, such as nginx or Docker), it is about that stack unless a topic holds at
least half of it (search's FOREIGN_CONFIDENT), its words weigh fully, and a one-word name it calls
a topic by is no evidence ("godot signals not firing" is not about Django signals).
A path of another language's code (`mpsc::channel`, `ActiveRecord::Base`) names another stack
as a marker does (`paths_of_other_languages`), a PostgreSQL cast (`created_at::date`) excepted.
The markers are data, next to the topics, so a mentor reviews them as they review topics; `kb
check` checks them (`check_other_stacks`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge._text import words
from bot.knowledge.model import FileProblem, Topic

FILE_NAME = "other-stacks.toml"
MAX_MARKER_WORDS = 2


@dataclass(frozen=True)
class OtherStacks:
    """Marker words and two-word phrases ("react native"), as normalized word tuples; `ours`, the
    names of this knowledge base's own stack, likewise."""

    markers: frozenset[tuple[str, ...]] = frozenset()
    ours: frozenset[tuple[str, ...]] = frozenset()
    # The words markers (ours) begin with: most words of a question begin none, and are passed
    # over without building the phrases that start there (every question is read for both).
    _marker_starts: frozenset[str] = field(init=False, repr=False, compare=False)
    _our_starts: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_marker_starts", frozenset(marker[0] for marker in self.markers))
        object.__setattr__(self, "_our_starts", frozenset(marker[0] for marker in self.ours))

    def named_in(self, query_words: list[str]) -> frozenset[str]:
        """The words of `query_words` that belong to a marker (empty when the question names no
        other stack)."""
        return _found(self.markers, self._marker_starts, query_words)

    def ours_named_in(self, query_words: list[str]) -> bool:
        """Whether `query_words` name our own stack ("django", "celery", "rest framework")."""
        return bool(_found(self.ours, self._our_starts, query_words))


# `a::b` is a path in Rust, C++, Ruby or PHP ("mpsc::channel", "ActiveRecord::Base", "QObject::connect"),
# never in Python; in PostgreSQL it is a cast, to a type ("created_at::date"), which is ours.
_PATH = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)::([A-Za-z_][A-Za-z0-9_]*)")
_SQL_TYPES = frozenset({
    "bigint", "bool", "boolean", "bytea", "char", "date", "decimal", "double", "float", "float4", "float8",
    "inet", "int", "int2", "int4", "int8", "integer", "interval", "json", "jsonb", "money", "numeric", "oid",
    "real", "regclass", "smallint", "text", "time", "timestamp", "timestamptz", "tsquery", "tsvector", "uuid",
    "varchar"})


# Languages named with symbols, which a question's words lose ("c#" is the lone letter "c"): as
# written, outside a longer name or path.
_SYMBOL_NAMED = re.compile(r"(?<![\w.#+])(c#|f#|c\+\+|\.net)(?![\w#+])", re.IGNORECASE)


def paths_of_other_languages(query: str) -> frozenset[str]:
    """The words of the `a::b` paths a question pastes (code of another language), a PostgreSQL
    cast excepted, and the languages it names with symbols (C#, F#, C++, .NET): they name another
    stack as its markers do."""
    found: set[str] = set()
    for left, right in _PATH.findall(query):
        if right.lower() not in _SQL_TYPES:
            found.update(words(left), words(right))
    found.update(name.lower() for name in _SYMBOL_NAMED.findall(query))
    return frozenset(found)


def _found(markers: frozenset[tuple[str, ...]], starts: frozenset[str], query_words: list[str]) -> frozenset[str]:
    found: set[str] = set()
    for start, word in enumerate(query_words):
        if word not in starts:
            continue
        for length in range(1, MAX_MARKER_WORDS + 1):
            phrase = tuple(query_words[start:start + length])
            if len(phrase) == length and phrase in markers:
                found.update(phrase)
    return frozenset(found)


def _read(path: Path) -> tuple[dict[str, list[str]], list[str]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    stacks = data.get("stacks", {})
    ours = data.get("ours", [])
    if not isinstance(stacks, dict) or set(data) - {"stacks", "ours"}:
        raise ValueError("the file holds a list, ours = [our stack's names], and one table, [stacks], "
                         "of stack = [marker words]")
    if not isinstance(ours, list) or not all(isinstance(m, str) for m in ours):
        raise ValueError("ours must be a list of strings")
    for stack, markers in stacks.items():
        if not isinstance(markers, list) or not all(isinstance(m, str) for m in markers):
            raise ValueError(f"stacks.{stack} must be a list of strings")
    return stacks, ours


def _keys(markers: Iterable[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(words(marker)) for marker in markers if 0 < len(words(marker)) <= MAX_MARKER_WORDS)


def load_other_stacks(directory: Path) -> OtherStacks:
    """The markers of `directory`'s other-stacks file; none when it is missing or unreadable
    (search then answers as before: the rule only ever withholds answers)."""
    try:
        stacks, ours = _read(directory / FILE_NAME)
    except (OSError, ValueError):
        return OtherStacks()
    return OtherStacks(_keys(marker for markers in stacks.values() for marker in markers), _keys(ours))


def check_other_stacks(directory: Path, topics: Mapping[str, Topic] | Iterable[Topic]) -> list[FileProblem]:
    """What is wrong with the other-stacks file (none when there is no such file): unreadable, a
    marker empty, too long or listed twice, or one that names one of our topics (its slug, an
    alias, or a word of its title's head), which would withhold the topic from its own questions."""
    path = directory / FILE_NAME
    if not path.is_file():
        return []
    try:
        stacks, ours_markers = _read(path)
    except (OSError, ValueError) as exc:  # tomllib.TOMLDecodeError is a ValueError
        return [FileProblem(FILE_NAME, f"cannot be read: {exc}")]
    ours: dict[tuple[str, ...], str] = {}
    for topic in topics.values() if isinstance(topics, Mapping) else topics:
        for name in (topic.slug, *topic.aliases):
            ours.setdefault(tuple(words(name)), topic.slug)
        for word in words(topic.title.split(":")[0]):
            ours.setdefault((word,), topic.slug)
    problems = []
    seen: set[tuple[str, ...]] = set()
    for stack, markers in stacks.items():
        for marker in markers:
            key = tuple(words(marker))
            if not key:
                problems.append(FileProblem(FILE_NAME, f"stacks.{stack}: a marker is empty"))
            elif len(key) > MAX_MARKER_WORDS:
                problems.append(FileProblem(FILE_NAME, f"stacks.{stack}: marker '{marker}' has more than "
                                                       f"{MAX_MARKER_WORDS} words"))
            elif key in seen:
                problems.append(FileProblem(FILE_NAME, f"stacks.{stack}: marker '{marker}' is listed twice"))
            elif key in ours:
                problems.append(FileProblem(FILE_NAME, f"stacks.{stack}: marker '{marker}' names the topic "
                                                       f"'{ours[key]}'"))
            seen.add(key)
    ours_seen: set[tuple[str, ...]] = set()
    for marker in ours_markers:
        key = tuple(words(marker))
        if not key or len(key) > MAX_MARKER_WORDS:
            problems.append(FileProblem(FILE_NAME, f"ours: '{marker}' must have 1 to {MAX_MARKER_WORDS} words"))
        elif key in seen:
            problems.append(FileProblem(FILE_NAME, f"ours: '{marker}' is also another stack's marker"))
        elif key in ours_seen:
            problems.append(FileProblem(FILE_NAME, f"ours: '{marker}' is listed twice"))
        ours_seen.add(key)
    return problems
