"""Helpers for the knowledge-base tests: topic files written from a few keywords, a settable clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHIPPED_KNOWLEDGE = REPO / "data" / "knowledge"

DEFAULT_CHALLENGES = (
    ("It does not work the first time", "Read the error message from the top, then check the settings."),
    ("It works locally but not in production", "Compare the environment variables of both places."),
)


def topic_markdown(
    slug: str,
    *,
    title: str | None = None,
    category: str = "Databases",
    aliases: Sequence[str] = (),
    related: Sequence[str] = (),
    tracks: Sequence[str] = ("all",),
    summary: str | None = None,
    key_ideas: Sequence[str] = ("One idea per bullet.", "Another idea, with `inline code`."),
    challenges: Sequence[tuple[str, str]] = DEFAULT_CHALLENGES,
    best_practices: Sequence[str] = ("Measure before you change anything.",),
    links: Sequence[tuple[str, str]] = (("Official documentation", "https://docs.example.org/guide/"),),
    symptoms: Sequence[str] = (),
) -> str:
    """A topic file in the format of data/KNOWLEDGE-FORMAT.md, written out by hand (not through the
    exporter, so parsing tests do not lean on the code they check)."""

    def toml_list(values: Sequence[str]) -> str:
        return "[" + ", ".join(f'"{v}"' for v in values) + "]"

    lines = [
        "+++",
        f'slug = "{slug}"',
        f'title = "{title or slug.replace("-", " ").capitalize()}"',
        f'category = "{category}"',
        f"aliases = {toml_list(aliases)}",
        f"related = {toml_list(related)}",
        f"tracks = {toml_list(tracks)}",
        *([f"symptoms = {toml_list(symptoms)}"] if symptoms else []),
        "+++",
        "",
        "## Summary",
        summary or f"What {slug} is and why a backend learner cares about it.",
        "",
        "## Key ideas",
        *(f"- {idea}" for idea in key_ideas),
        "",
        "## Common challenges",
    ]
    for heading, solution in challenges:
        lines += [f"### {heading}", solution, ""]
    lines += ["## Best practices", *(f"- {p}" for p in best_practices), "", "## Further reading"]
    lines += [f"- [{text}]({url})" for text, url in links]
    return "\n".join(lines) + "\n"


class Clock:
    """A settable UTC clock for the service, so stored times and `since` windows are exact."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
