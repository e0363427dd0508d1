"""Read one topic file (`data/KNOWLEDGE-FORMAT.md`) into a `Topic`.

The parser checks structure only: front matter, the five sections in order, bullets and links where
the format wants them. Content rules (limits, categories, empty sections, links to other topics)
are `validation`'s job, so an exported suggestion with empty sections still parses.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from bot.knowledge.model import Challenge, Link, Topic

FRONT_MATTER_FENCE = "+++"
SECTIONS: tuple[str, ...] = ("Summary", "Key ideas", "Common challenges", "Best practices", "Further reading")
FRONT_MATTER_KEYS: dict[str, type] = {
    "slug": str,
    "title": str,
    "category": str,
    "aliases": list,
    "related": list,
    "tracks": list,
}
# Keys a topic may leave out, with their type (`data/KNOWLEDGE-FORMAT.md`).
OPTIONAL_FRONT_MATTER_KEYS: dict[str, type] = {"symptoms": list}
_LIST_KEYS = ("aliases", "related", "tracks")
_BULLET = re.compile(r"^[-*]\s+(.*)$")
# A TOML basic string with nothing to unescape, and a line of the front matter made only of them.
_PLAIN_STRING = r'"[^"\\\x00-\x1f\x7f]*"'
_PLAIN_LIST = rf"\[[ \t]*(?:{_PLAIN_STRING}[ \t]*(?:,[ \t]*{_PLAIN_STRING}[ \t]*)*,?[ \t]*)?\]"
_PLAIN_LINE = re.compile(rf"^([A-Za-z0-9_-]+)[ \t]*=[ \t]*({_PLAIN_STRING}|{_PLAIN_LIST})[ \t]*$")
_LINK = re.compile(r"^\[(?P<title>[^\]]+)\]\((?P<url>[^)\s]+)\)$")


class TopicFileError(ValueError):
    """A topic file cannot be read; the message names the file and the problem."""

    def __init__(self, file: str, problem: str) -> None:
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem


@dataclass
class _Section:
    name: str
    first_line: int
    lines: list[tuple[int, str]] = field(default_factory=list)


def parse_topic(text: str, file: str) -> Topic:
    """The topic in `text`; `file` only names it in errors. Raises `TopicFileError`."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    meta, body_start = _front_matter(lines, file)
    sections = _split_sections(lines, body_start, file)
    challenges = _challenges(sections["Common challenges"], file)
    return Topic(
        slug=meta["slug"],
        title=meta["title"].strip(),
        category=meta["category"].strip(),
        aliases=tuple(meta["aliases"]),
        related=tuple(meta["related"]),
        tracks=tuple(meta["tracks"]),
        summary=_paragraphs(sections["Summary"].lines),
        key_ideas=tuple(_bullets(sections["Key ideas"], file)),
        challenges=tuple(challenges),
        best_practices=tuple(_bullets(sections["Best practices"], file)),
        further_reading=tuple(_links(sections["Further reading"], file)),
        symptoms=tuple(meta.get("symptoms", ())),
    )


def _front_matter(lines: list[str], file: str) -> tuple[dict[str, Any], int]:
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise TopicFileError(file, f"line 1: the file must start with front matter in '{FRONT_MATTER_FENCE}' lines")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        raise TopicFileError(file, f"front matter is not closed by a '{FRONT_MATTER_FENCE}' line") from None
    meta = _plain_front_matter(lines[1:end])
    if meta is None:
        try:
            meta = tomllib.loads("\n".join(lines[1:end]))
        except tomllib.TOMLDecodeError as exc:
            raise TopicFileError(file, f"front matter is not valid TOML: {exc}") from None
    for key, kind in FRONT_MATTER_KEYS.items():
        if key not in meta:
            raise TopicFileError(file, f"front matter is missing the key '{key}'")
        if not isinstance(meta[key], kind):
            raise TopicFileError(file, f"front matter '{key}' must be a {kind.__name__}")
    for key, kind in OPTIONAL_FRONT_MATTER_KEYS.items():
        if key in meta and not isinstance(meta[key], kind):
            raise TopicFileError(file, f"front matter '{key}' must be a {kind.__name__}")
    for key in (*_LIST_KEYS, *OPTIONAL_FRONT_MATTER_KEYS):
        if not all(isinstance(item, str) for item in meta.get(key, ())):
            raise TopicFileError(file, f"front matter '{key}' must be a list of strings")
    unknown = sorted(set(meta) - set(FRONT_MATTER_KEYS) - set(OPTIONAL_FRONT_MATTER_KEYS))
    if unknown:
        raise TopicFileError(file, f"front matter has unknown key(s): {', '.join(unknown)}")
    return meta, end + 1


def _plain_front_matter(lines: list[str]) -> dict[str, Any] | None:
    """The front matter read without tomllib when every line is `key = "text"` or
    `key = ["text", …]` with no escapes, as topic files are; None for anything else, which tomllib
    then reads. Only for speed: syncing 10,000 files spends most of its time here otherwise."""
    meta: dict[str, Any] = {}
    for line in lines:
        if not line.strip():
            continue
        match = _PLAIN_LINE.match(line)
        if match is None or match.group(1) in meta:
            return None
        key, value = match.groups()
        meta[key] = [s[1:-1] for s in re.findall(_PLAIN_STRING, value)] if value.startswith("[") else value[1:-1]
    return meta


def _split_sections(lines: list[str], start: int, file: str) -> dict[str, _Section]:
    sections: dict[str, _Section] = {}
    current: _Section | None = None
    for index in range(start, len(lines)):
        number, line = index + 1, lines[index].rstrip()
        if line.startswith("## "):
            name = line[3:].strip()
            if name not in SECTIONS:
                raise TopicFileError(file, f"line {number}: unknown section '## {name}' (expected one of: "
                                           f"{', '.join(SECTIONS)})")
            if name in sections:
                raise TopicFileError(file, f"line {number}: section '## {name}' appears twice")
            current = sections[name] = _Section(name, number)
        elif current is not None:
            current.lines.append((number, line))
        elif line.strip():
            raise TopicFileError(file, f"line {number}: text before the first section ('## Summary')")
    missing = [name for name in SECTIONS if name not in sections]
    if missing:
        raise TopicFileError(file, f"missing section '## {missing[0]}'")
    if list(sections) != list(SECTIONS):
        raise TopicFileError(file, f"sections must come in this order: {', '.join(SECTIONS)}")
    return sections


def _paragraphs(lines: list[tuple[int, str]]) -> str:
    """The text with its blank-line paragraph breaks kept and runs of blank lines collapsed. Lines
    of a paragraph are joined by a space, except after a line ending in a backslash (markdown's
    hard line break, which `kb export` writes for a line break typed in Discord): there the
    backslash goes and the line break stays."""
    paragraphs: list[list[str]] = [[]]
    for _, line in lines:
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join(_joined(p) for p in paragraphs if p)


def _joined(paragraph: list[str]) -> str:
    text = paragraph[0]
    for line in paragraph[1:]:
        text = f"{text[:-1]}\n{line}" if text.endswith("\\") else f"{text} {line}"
    return text


def _bullets(section: _Section, file: str) -> list[str]:
    items: list[str] = []
    for number, line in section.lines:
        if not line.strip():
            continue
        match = _BULLET.match(line)
        if match:
            items.append(match.group(1).strip())
        elif line[:1].isspace() and items:
            items[-1] = f"{items[-1]} {line.strip()}"  # a wrapped bullet continues on an indented line
        else:
            raise TopicFileError(file, f"line {number}: '{section.name}' holds bullets only (start the line with '- ')")
    return items


def _challenges(section: _Section, file: str) -> list[Challenge]:
    headings: list[tuple[str, list[tuple[int, str]]]] = []
    for number, line in section.lines:
        if line.startswith("### "):
            headings.append((line[4:].strip(), []))
        elif headings:
            headings[-1][1].append((number, line))
        elif line.strip():
            raise TopicFileError(
                file, f"line {number}: 'Common challenges' must start with a '### challenge' heading"
            )
    return [Challenge(heading, _paragraphs(body)) for heading, body in headings]


def _links(section: _Section, file: str) -> list[Link]:
    links = []
    for item in _bullets(section, file):
        match = _LINK.match(item)
        if match is None:
            raise TopicFileError(
                file, f"'Further reading' item is not a markdown link '[title](url)': {item[:80]!r}"
            )
        links.append(Link(match.group("title").strip(), match.group("url")))
    return links
