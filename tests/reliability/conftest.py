"""The demo server set up with both roles, its introduction posted, so a scenario starts quiet."""

from datetime import UTC, datetime

import pytest
from _support import CHANNEL


@pytest.fixture
async def server(nexus, settled):
    nexus.bot.clock.set(datetime(2026, 12, 20, 12, 0, tzinfo=UTC))
    reply = await nexus.standin.invoke("mentor", "nexus setup", {"channel": CHANNEL, "backend_role": "Backend",
                                                                 "frontend_role": "Frontend"})
    assert "Nexus is set up" in reply.message.text
    await settled(nexus.bot)  # the introduction is posted: nothing else is sent but what a test does
    return nexus
