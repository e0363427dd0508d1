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
