"""A topic back as a file in the format of `data/KNOWLEDGE-FORMAT.md` (`kb export`), so a topic
approved in a server can join the curated set; `parse_topic` reads the result back unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterable

from bot.knowledge.model import Topic
from bot.knowledge.parsing import FRONT_MATTER_FENCE


def _toml_string(value: str) -> str:
    # A JSON string without ASCII escaping is also a valid TOML basic string.
    return json.dumps(value, ensure_ascii=False)


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_toml_string(v) for v in values) + "]"


def _text(text: str) -> str:
    """Paragraphs as the parser reads them back: a line break inside a paragraph (typed in
    Discord) is written as markdown's hard line break, a backslash at the end of the line."""
    paragraphs = text.split("\n\n")
    return "\n\n".join("\\\n".join(paragraph.split("\n")) for paragraph in paragraphs)


def export_markdown(topic: Topic) -> str:
    lines = [
        FRONT_MATTER_FENCE,
        f"slug = {_toml_string(topic.slug)}",
        f"title = {_toml_string(topic.title)}",
        f"category = {_toml_string(topic.category)}",
        f"aliases = {_toml_list(topic.aliases)}",
        f"related = {_toml_list(topic.related)}",
        f"tracks = {_toml_list(topic.tracks)}",
        *([f"symptoms = {_toml_list(topic.symptoms)}"] if topic.symptoms else []),
        FRONT_MATTER_FENCE,
        "",
        "## Summary",
        _text(topic.summary),
        "",
        "## Key ideas",
        *(f"- {idea}" for idea in topic.key_ideas),
        "",
        "## Common challenges",
    ]
    for challenge in topic.challenges:
        lines += [f"### {challenge.challenge}", _text(challenge.solution), ""]
    lines += [
        "## Best practices",
        *(f"- {practice}" for practice in topic.best_practices),
        "",
        "## Further reading",
        *(f"- [{link.title}]({link.url})" for link in topic.further_reading),
    ]
    return "\n".join(lines) + "\n"
