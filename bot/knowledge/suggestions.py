"""A member's topic suggestion and the topic a moderator writes from it: checking what they typed,
keeping the line breaks they typed, and the topic an approval publishes."""

from __future__ import annotations

import re
import unicodedata

from bot.discord_limits import FIELD_VALUE_LIMIT
from bot.errors import FormRefused
from bot.knowledge.model import CATEGORIES, Link, Suggestion, Topic, TopicDraft
from bot.knowledge.render import render_bullets, render_links

# Sized so an approved topic fits the embed limits that curated topics meet (`kb check`: 1024
# characters a section as shown).
TITLE_MIN, TITLE_MAX = 3, 100
EXPLANATION_MIN, EXPLANATION_MAX = 10, 1000
LINKS_MAX = 1000
SUMMARY_MIN, SUMMARY_MAX = 10, 1000
KEY_POINTS_MAX = 1000  # as typed; as shown (bullets) the section must stay within FIELD_VALUE_LIMIT
KEY_POINTS_MAX_COUNT = 10
LINKS_MAX_COUNT = 10
LINK_TITLE_MAX = 80
SLUG_MAX = 60
_URL = re.compile(r"https?://[^\s<>()\[\]\"']+")
_BLANK_LINES = re.compile(r"\n{3,}")
_BULLET_MARK = re.compile(r"^(?:[-*+•]|\d{1,2}[.)])\s+")
_TITLE_SEPARATORS = " \t-–—:|·•*+"


def clean_title(text: str) -> str:
    return " ".join(text.split())


def clean_text(text: str) -> str:
    """What a member or moderator typed, with their line breaks kept: each line trimmed, runs of
    blank lines made one, and a line that would read as a heading (`#`) escaped, so Discord shows
    it as typed and the topic file's parser never takes it for a section (`kb export`)."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = ["\\" + line if line.startswith("#") else line for line in lines]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


def check_suggestion(title: str, explanation: str, links: str) -> tuple[str, str, str]:
    """The suggestion's fields cleaned, or a `FormRefused` saying what to change in each field."""
    title, explanation, links = clean_title(title), clean_text(explanation), clean_text(links)
    problems = []
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        problems.append(f"The title needs {TITLE_MIN} to {TITLE_MAX} characters.")
    if not EXPLANATION_MIN <= len(explanation) <= EXPLANATION_MAX:
        problems.append(f"Say what the topic should explain in {EXPLANATION_MIN} to {EXPLANATION_MAX} characters.")
    if len(links) > LINKS_MAX:
        problems.append(f"The links may be at most {LINKS_MAX} characters.")
    elif links and not _URL.search(links):
        problems.append("The links field holds no http(s) link; leave it empty or paste full URLs.")
    if problems:
        raise FormRefused(*problems)
    return title, explanation, links


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "topic"


def _url_title(url: str) -> str:
    return url.split("://", 1)[1][:LINK_TITLE_MAX]


def links_in(text: str) -> tuple[Link, ...]:
    """Every http(s) link in free text (a member's links field), titled by its address."""
    urls = list(dict.fromkeys(match.rstrip(".,;:!?") for match in _URL.findall(text)))
    return tuple(Link(_url_title(url), url) for url in urls)


# --- the moderator's form ---------------------------------------------------------------------

def draft_from_suggestion(suggestion: Suggestion, category: str) -> TopicDraft:
    """The approval form as it first opens: the member's title, text and links, one link a line."""
    return TopicDraft(
        title=suggestion.title,
        category=category,
        summary=suggestion.explanation,
        key_points="",
        links="\n".join(link.url for link in links_in(suggestion.links)),
    )


def key_points_in(text: str) -> tuple[str, ...]:
    """One key point a line; a bullet or number the moderator typed in front is dropped."""
    points = (_BULLET_MARK.sub("", line.strip()).strip() for line in clean_text(text).split("\n"))
    return tuple(point for point in points if point)


def _link_of(line: str) -> Link | None:
    """`https://…`, or a title and its URL on one line (`Django docs: signals https://…`)."""
    match = _URL.search(line)
    if match is None:
        return None
    url = match.group(0).rstrip(".,;:!?")
    rest = (line[: match.start()] + " " + line[match.start() + len(url):]).strip(_TITLE_SEPARATORS + " ")
    # Square brackets would end the markdown link early, in Discord and in the topic file.
    title = " ".join(rest.replace("[", "(").replace("]", ")").split())
    return Link(title[:LINK_TITLE_MAX] if title else _url_title(url), url)


def check_draft(draft: TopicDraft) -> list[str]:
    """Everything wrong with the form, each as a sentence the moderator can act on (empty: fine)."""
    problems = []
    title = clean_title(draft.title)
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        problems.append(f"The title needs {TITLE_MIN} to {TITLE_MAX} characters.")
    if draft.category not in CATEGORIES:
        problems.append(f"Pick a category from the list ({', '.join(CATEGORIES)}).")
    summary = clean_text(draft.summary)
    if not SUMMARY_MIN <= len(summary) <= SUMMARY_MAX:
        problems.append(f"The summary needs {SUMMARY_MIN} to {SUMMARY_MAX} characters.")
    points = key_points_in(draft.key_points)
    if not points:
        problems.append("Write at least one key point, one per line.")
    elif len(points) > KEY_POINTS_MAX_COUNT:
        problems.append(f"Keep to {KEY_POINTS_MAX_COUNT} key points (you wrote {len(points)}).")
    elif len(render_bullets(points)) > FIELD_VALUE_LIMIT:
        problems.append(f"The key points are too long to show: shorten them to about {KEY_POINTS_MAX} characters.")
    lines = [line for line in clean_text(draft.links).split("\n") if line]
    for number, line in enumerate(lines, start=1):
        if _link_of(line) is None:
            problems.append(f"Further reading, line {number}, holds no http(s) link: "
                            "put one link a line (a title before it is fine).")
            break
    links = tuple(link for link in map(_link_of, lines) if link is not None)
    if len(links) > LINKS_MAX_COUNT:
        problems.append(f"Keep to {LINKS_MAX_COUNT} links.")
    elif len(render_links(links)) > FIELD_VALUE_LIMIT:
        problems.append("The further reading is too long to show: use fewer or shorter links.")
    return problems


def topic_from_draft(draft: TopicDraft, related: tuple[str, ...]) -> Topic:
    """The topic an approval publishes, all of it the moderator's text (`check_draft` passed). The
    form has no room for common challenges and best practices: they stay empty until a maintainer
    adds the exported file to the curated set, where `kb check` asks for them."""
    title = clean_title(draft.title)
    return Topic(
        slug=slugify(title),
        title=title,
        category=draft.category,
        aliases=(),
        related=related,
        tracks=("all",),
        summary=clean_text(draft.summary),
        key_ideas=key_points_in(draft.key_points),
        challenges=(),
        best_practices=(),
        further_reading=tuple(dict.fromkeys(
            link for link in map(_link_of, clean_text(draft.links).split("\n")) if link is not None
        )),
    )
