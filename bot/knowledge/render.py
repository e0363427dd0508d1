"""A topic's sections as the text a reader sees, and pages of it that fit a size limit.

Validation measures these exact strings against Discord's embed limits, and the `/topic` cog shows
them, so what is checked is what is shown. Nothing here knows Discord's API.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from bot.knowledge.model import Link, Topic

CONTINUED = "(continued)"
BULLET = "•"


class Section(StrEnum):
    """The parts of a topic a reader can ask for (`/topic query section:`)."""

    SUMMARY = "summary"
    KEY_IDEAS = "key_ideas"
    CHALLENGES = "challenges"
    BEST_PRACTICES = "best_practices"
    FURTHER_READING = "further_reading"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Section.SUMMARY: "Summary",
    Section.KEY_IDEAS: "Key ideas",
    Section.CHALLENGES: "Common challenges",
    Section.BEST_PRACTICES: "Best practices",
    Section.FURTHER_READING: "Further reading",
}


def render_bullets(items: Iterable[str]) -> str:
    return "\n".join(f"{BULLET} {item}" for item in items)


def render_links(links: Iterable[Link]) -> str:
    return "\n".join(f"{BULLET} [{link.title}]({link.url})" for link in links)


def render_section(topic: Topic, section: Section) -> str:
    """One section as one block of text (challenges as bold symptom lines, each with its solution)."""
    if section is Section.SUMMARY:
        return topic.summary
    if section is Section.KEY_IDEAS:
        return render_bullets(topic.key_ideas)
    if section is Section.CHALLENGES:
        return "\n\n".join(f"**{c.challenge}**\n{c.solution}" for c in topic.challenges)
    if section is Section.BEST_PRACTICES:
        return render_bullets(topic.best_practices)
    return render_links(topic.further_reading)


def render_sections(topic: Topic) -> dict[Section, str]:
    return {section: render_section(topic, section) for section in Section}


def rendered_length(topic: Topic, rendered: dict[Section, str] | None = None) -> int:
    """Characters of the whole topic as one embed: title, section labels and every section (each
    challenge as its own field: heading as the field name, solution as the value)."""
    rendered = rendered or render_sections(topic)
    total = len(topic.title) + sum(len(section.label) for section in Section)
    total += sum(len(c.challenge) + len(c.solution) for c in topic.challenges)
    return total + sum(len(text) for section, text in rendered.items() if section is not Section.CHALLENGES)


def paginate(text: str, limit: int, marker: str = CONTINUED) -> list[str]:
    """`text` in pages of at most `limit` characters. Pages break at a line end where one is near,
    else between words; every page but the last ends with `marker`, so a reader always knows more
    follows. Only a single word longer than a page is cut inside, and that page says so too."""
    if len(text) <= limit:
        return [text]
    room = limit - len(marker) - 2  # the separator before the marker, and a spare "…"
    if room < 20:
        raise ValueError(f"a page of {limit} characters leaves no room for text beside {marker!r}")
    pages: list[str] = []
    rest = text
    while len(rest) > limit:
        cut, separator = _cut(rest, room)
        pages.append(rest[:cut].rstrip() + separator + marker)
        rest = rest[cut:].lstrip()
    pages.append(rest)
    return pages


def _cut(text: str, room: int) -> tuple[int, str]:
    window = text[: room + 1]
    line_end = window.rfind("\n")
    if line_end >= room // 2:  # a line break not too early: keep lines whole
        return line_end, "\n"
    space = max(window.rfind(" "), window.rfind("\n"))
    if space > 0:
        return space, " "
    return room, "… "  # one enormous word (a long URL): cut it, and say so
