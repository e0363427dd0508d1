"""What the reliability scenarios share: the demo channel, a learner's project, a bot started on a
clock that reads a given moment (a restart is a second one on the same database and stand-in)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.config import load_settings
from sandbox.run import sandbox_settings, start_bot_against

CHANNEL = "prodevprojectnexus"
JOB_BOARD = {
    "title": "Job board API",
    "description": "Job postings and applications behind a REST API, with role-based access for admins.",
    "stack": "Django, PostgreSQL, Redis caching, JWT authentication",
    "repo_url": "https://github.com/ada/job-board",
}


async def start_bot_at(standin: Any, db_path: Any, moment: datetime, **env: str) -> Any:
    """The real bot against `standin` on `db_path`, its clock reading `moment` (settings from `env`)."""
    clock = Clock()
    clock.set(moment)
    settings = sandbox_settings(load_settings(env, env_file=None), standin, db_path)
    return await start_bot_against(standin, settings, clock=clock)


def answer_text(reply: Any) -> str:
    """Everything the member was answered: the first message and every follow-up."""
    return "\n".join(m.text for m in [reply.message, *reply.followups] if m is not None)


def project_posts(nexus: Any) -> list[Any]:
    return [m for m in nexus.standin.messages(CHANNEL) if m.content.startswith("📣 <@")]
