"""What a project may say. Every check names what is wrong and the limit; nothing is fetched (the
bot talks to nothing but Discord, so a repository link is checked for its form only)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from bot.errors import FormRefused, Problems, UserError
from bot.projects.model import DISCIPLINES, ProjectDraft
from bot.tracks import Track

TITLE_MAX = 100
DESCRIPTION_MAX = 1000
STACK_MAX = 200
REPO_URL_MAX = 300


class ProjectRefused(FormRefused):
    """The form's text cannot be saved as it is (every problem named); the learner's draft is kept
    for them to fix."""


def _required(value: str, name: str, limit: int) -> str:
    text = value.strip()
    if not text:
        raise ProjectRefused(f"**{name}** is empty: write something in it.")
    return _within(text, name, limit)


def _within(text: str, name: str, limit: int) -> str:
    if len(text) > limit:
        raise ProjectRefused(f"**{name}** is {len(text):,} characters long; the limit is {limit:,}.")
    return text


def checked_url(value: str) -> str | None:
    """An http(s) link with a host, or None when left empty."""
    text = value.strip()
    if not text:
        return None
    _within(text, "Repository link", REPO_URL_MAX)
    wrong = ProjectRefused("**Repository link** must be a full web address starting with `https://` or "
                           "`http://`, such as `https://github.com/you/your-project` (or leave it empty).")
    if any(c.isspace() for c in text) or any(c in text for c in "<>\"'`"):
        raise wrong
    try:
        parts = urlsplit(text)
        host = parts.hostname
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        raise wrong from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise wrong
    return text


def check_track(track: str, tracks: tuple[Track, ...]) -> str:
    keys = [t.key for t in tracks]
    if track not in keys:
        raise UserError(f"There is no track `{track[:50]}`. Pick one of: " + ", ".join(f"`{k}`" for k in keys) + ".")
    return track


def checked_draft(draft: ProjectDraft, tracks: tuple[Track, ...]) -> ProjectDraft:
    """The draft cleaned for saving (surrounding blanks removed), or ProjectRefused naming every
    problem of its fields at once."""
    check_track(draft.track, tracks)
    if draft.discipline not in DISCIPLINES:
        raise ProjectRefused("Pick your discipline, backend or frontend.")
    problems = Problems()
    title = problems.check(lambda: _required(draft.title, "Title", TITLE_MAX))
    description = problems.check(lambda: _required(draft.description, "What it does", DESCRIPTION_MAX))
    stack = problems.check(lambda: _required(draft.stack, "Stack", STACK_MAX))
    repo_url = problems.check(lambda: checked_url(draft.repo_url))
    if problems.found:
        raise ProjectRefused(*problems.found)
    assert title is not None and description is not None and stack is not None
    return replace(draft, title=title, description=description, stack=stack, repo_url=repo_url or "")
