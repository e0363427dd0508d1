"""A member's topic suggestion: checking what they typed, and the topic an approval makes of it."""

from __future__ import annotations

import re
import unicodedata

from bot.errors import UserError
from bot.knowledge.model import Link, Suggestion, Topic

# Sized so an approved suggestion fits the embed limits that curated topics meet.
TITLE_MIN, TITLE_MAX = 3, 100
EXPLANATION_MIN, EXPLANATION_MAX = 10, 1000
LINKS_MAX = 1000
SLUG_MAX = 60
FALLBACK_CATEGORY = "Collaboration"
_URL = re.compile(r"https?://[^\s<>()\[\]\"']+")


def clean_title(text: str) -> str:
    return " ".join(text.split())


def clean_paragraphs(text: str) -> str:
    """Paragraphs as the parser reads them back (lines joined, blank lines kept once), with a line
    that would read as a heading or bullet escaped, so an export parses to the same topic."""
    paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text.strip())]
    return "\n\n".join("\\" + p if p[:1] in "#-*+" else p for p in paragraphs if p)


def check_suggestion(title: str, explanation: str, links: str) -> tuple[str, str, str]:
    """The suggestion's fields cleaned, or a `UserError` saying what to change."""
    title, explanation, links = clean_title(title), clean_paragraphs(explanation), links.strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise UserError(f"The title needs {TITLE_MIN} to {TITLE_MAX} characters.")
    if not EXPLANATION_MIN <= len(explanation) <= EXPLANATION_MAX:
        raise UserError(f"Say what the topic should explain in {EXPLANATION_MIN} to {EXPLANATION_MAX} characters.")
    if len(links) > LINKS_MAX:
        raise UserError(f"The links may be at most {LINKS_MAX} characters.")
    if links and not _URL.search(links):
        raise UserError("The links field holds no http(s) link; leave it empty or paste full URLs.")
    return title, explanation, links


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "topic"


def links_in(text: str) -> tuple[Link, ...]:
    urls = list(dict.fromkeys(match.rstrip(".,;:!?") for match in _URL.findall(text)))
    return tuple(Link(url.split("://", 1)[1][:80], url) for url in urls)


def topic_from_suggestion(suggestion: Suggestion, category: str | None, related: tuple[str, ...]) -> Topic:
    """The topic an approval publishes: the explanation is its summary and the links its further
    reading; the other sections stay empty until a mentor writes them (`kb check` will ask)."""
    return Topic(
        slug=slugify(suggestion.title),
        title=suggestion.title,
        category=category or FALLBACK_CATEGORY,
        aliases=(),
        related=related,
        tracks=("all",),
        summary=suggestion.explanation,
        key_ideas=(),
        challenges=(),
        best_practices=(),
        further_reading=links_in(suggestion.links),
    )
