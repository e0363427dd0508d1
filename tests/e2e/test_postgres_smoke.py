"""The real bot against the local Discord stand-in on PostgreSQL (DATABASE_URL, a fresh database on
the session's pgserver): `/nexus setup`, `/project announce` through its form, and a scheduled
prompt made by moving the clock, each seen once in the stand-in; no SQLite file is made."""

from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from _server import CHANNEL, JOB_BOARD, project_posts

from bot.clock import Clock
from bot.config import DatabaseSettings, Secret, load_settings
from sandbox.run import sandbox_settings, start_bot_against, stop_bot
from sandbox.standin import StandIn
from tests.pg.session import create_database, drop_database

pytestmark = pytest.mark.asyncio

SUNDAY = datetime(2027, 1, 3, 12, 0, tzinfo=UTC)  # the day before the cohort starts
MONDAY_AFTER_GOALS = datetime(2027, 1, 4, 9, 30, tzinfo=UTC)  # "Monday goals" is due at 09:00 in Lagos


def prompt_titles(standin):
    return [m.embeds[0]["title"] for m in standin.messages(CHANNEL)
            if m.embeds and (m.embeds[0].get("footer") or {}).get("text", "").startswith("Weekly prompt")]


async def test_setup_a_project_and_a_scheduled_prompt_on_postgresql(postgres_server, tmp_path):
    url = await create_database(postgres_server)
    db_path = tmp_path / "nexus.db"
    try:
        async with StandIn() as standin:
            settings = sandbox_settings(load_settings({}, env_file=None), standin, db_path)
            settings = replace(settings, database=DatabaseSettings(path=db_path, url=Secret(url)))
            clock = Clock()
            clock.set(SUNDAY)
            bot, task = await start_bot_against(standin, settings, clock=clock)
            try:
                reply = await standin.invoke("mentor", "nexus setup", {
                    "channel": CHANNEL, "backend_role": "Backend", "frontend_role": "Frontend",
                    "cohort_start": "2027-01-04", "timezone": "Africa/Lagos"})
                assert "Nexus is set up" in reply.message.text, reply.message.text

                opened = await standin.invoke("ada", "project announce", {"track": "job-board"})
                assert opened.modal is not None, opened.message and opened.message.text
                await (await standin.submit_modal("ada", opened.modal, JOB_BOARD)).wait_done()
                [post] = project_posts(SimpleNamespace(standin=standin))
                assert post.embeds[0]["title"] == "Job board API"

                await bot.services.scheduler.advance_to(MONDAY_AFTER_GOALS)
                assert prompt_titles(standin) == ["Monday goals"]

                status = await standin.invoke("mentor", "nexus status")
                bot_field = next(f["value"] for f in status.message.embeds[0]["fields"] if f["name"] == "Bot")
                assert "Database: " in bot_field and "write-ahead log" not in bot_field
            finally:
                await stop_bot(bot, task)
        assert not db_path.exists()  # everything went to PostgreSQL
    finally:
        await drop_database(postgres_server, url)

