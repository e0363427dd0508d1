"""One bad gateway message or one absurd option never takes Nexus down: the real bot against the
stand-in, which sends what Discord should never send, and what only a modified client could."""

import logging
import sqlite3

import pytest
from _support import CHANNEL

pytestmark = pytest.mark.asyncio



async def test_a_gateway_message_with_a_lone_surrogate_is_dropped_and_the_bot_stays_connected(nexus, caplog):
    standin, bot = nexus.standin, nexus.bot
    sessions, resumes = standin.sessions_started, standin.resumes
    caplog.set_level(logging.WARNING, logger="bot.gateway")

    # A dispatch whose text holds a lone UTF-16 surrogate: valid JSON text, refused by orjson.
    await standin.dispatch_text("MESSAGE_CREATE", '{"id": "1", "channel_id": "2", "content": "hi \\ud800 there"}')
    answer = await standin.invoke("ada", "help")

    assert answer.message.text or answer.message.embeds  # the bot still reads and answers
    assert not bot.is_closed()
    assert (standin.sessions_started, standin.resumes) == (sessions, resumes)  # the same connection
    [dropped] = [r for r in caplog.records if "dropped a gateway message" in r.getMessage()]
    assert "event MESSAGE_CREATE" in dropped.getMessage() and "hi" not in dropped.getMessage()


async def test_many_unreadable_messages_between_real_ones_lose_none_of_the_real_ones(nexus):
    standin = nexus.standin
    for number in range(5):
        await standin.dispatch_text("MESSAGE_CREATE", f'{{"id": "{number}", "content": "\\udfff"}}')
        answer = await standin.invoke("ada", "help")
        assert answer.message.text or answer.message.embeds


async def test_a_time_of_day_past_the_option_limit_is_refused_in_words(nexus):
    standin = nexus.standin
    reply = await standin.invoke("mentor", "nexus setup", {"channel": CHANNEL, "backend_role": "Backend",
                                                           "frontend_role": "Frontend"})
    assert "Nexus is set up" in reply.message.text

    for typed in ("1" * 23, "9" * 30 + ":00", "12:" + "5" * 25):
        said = await standin.invoke_past_limits("mentor", "pair schedule", {"time": typed})
        assert said.ephemeral and "isn't a time of day: use 24-hour HH:MM" in said.message.text, typed
        assert "error id" not in said.message.text.lower()
    rows = sqlite3.connect(nexus.db_path).execute("SELECT * FROM pair_schedule").fetchall()
    assert rows == []
