"""The step most end-to-end tests start from: an admin sets Nexus up in #prodevprojectnexus with the
Backend and Frontend roles."""

from __future__ import annotations

from typing import Any

CHANNEL = "prodevprojectnexus"


async def set_up(standin: Any, **options: Any) -> None:
    """`/nexus setup` as mentor, with any further options; fails the test unless it is set up."""
    reply = await standin.invoke("mentor", "nexus setup", {"channel": CHANNEL, "backend_role": "Backend",
                                                           "frontend_role": "Frontend", **options})
    assert "Nexus is set up" in reply.message.text, reply.message.text


# A learner's project as the announce form takes it (the project tests and the forms tests share it).
JOB_BOARD = {
    "title": "Job board API",
    "description": "Job postings and applications behind a REST API, with role-based access for admins.",
    "stack": "Django, PostgreSQL, Redis caching, JWT authentication",
    "repo_url": "https://github.com/ada/job-board",
}


def project_posts(nexus: Any) -> list[Any]:
    """The project posts in the Nexus channel, oldest first."""
    return [m for m in nexus.standin.messages(CHANNEL) if m.content.startswith("📣 <@")]


def embed_field(message: Any, name: str) -> str:
    """The value of the field `name` of the message's one embed."""
    [embed] = message.embeds
    return next(f["value"] for f in embed.get("fields", []) if f["name"] == name)
