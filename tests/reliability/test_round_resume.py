"""A pairing round killed halfway completes after a restart, each step once: a thread per pair with
both learners in it, the announcement, the unmatched told, the round's finish time. The restart comes
within the dead process's claim lease (shortened to 3 s here), as a quick kill -9 and restart does."""

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta

import discord
import pytest
from _support import CHANNEL, start_bot_at

from cogs.pair._deliver import finish_round
from sandbox.run import stop_bot
from sandbox.standin import StandIn

pytestmark = pytest.mark.asyncio

NOW = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)  # a Wednesday
BACKEND = ("ada", "chioma", "esi")
FRONTEND = ("ben", "diego")
NO_PARTNER = "This pairing round found no partner for you"
LEASE = timedelta(seconds=3)


class ProcessDied(BaseException):
    """kill -9 at this line: nothing after it runs, nothing catches it, no claim is released."""


@pytest.fixture(autouse=True)
def short_lease(monkeypatch):
    for where in ("bot.posting", "bot.scheduling.scheduler", "cogs.pair._cog"):
        monkeypatch.setattr(f"{where}.CLAIM_LEASE", LEASE)


def db_rows(db_path, sql):
    with sqlite3.connect(db_path) as db:
        return [tuple(row) for row in db.execute(sql)]


def pair_threads(standin):
    found: dict[frozenset[int], list] = {}
    for thread in standin.threads:
        if thread.private and thread.name.startswith("Pair ·"):
            found.setdefault(frozenset(thread.member_ids) - {standin.bot_user_id}, []).append(thread)
    return found


async def until_round_finished(db_path, seconds=20.0):
    for _ in range(int(seconds / 0.05)):
        if db_rows(db_path, "SELECT id FROM pair_rounds") and not db_rows(
                db_path, "SELECT id FROM pair_rounds WHERE completed_at IS NULL"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the round was never finished")


async def form_round_and_die(standin, db_path, monkeypatch, dies_at):
    """Set up, queue five learners, run a round and die at `dies_at` (a method to break)."""
    bot, task = await start_bot_at(standin, db_path, NOW)
    try:
        reply = await standin.invoke("mentor", "nexus setup", {"channel": CHANNEL, "backend_role": "Backend",
                                                               "frontend_role": "Frontend"})
        assert "Nexus is set up" in reply.message.text
        for name in (*BACKEND, *FRONTEND):
            assert "You're in the queue" in (await standin.invoke(name, "pair queue join")).message.text
        stored = await bot.services.pair_rounds.run(standin.guild.id, "admin:killed", standin.guild.member("mentor").id)
        assert len(stored.pairs) == 2 and len(stored.unmatched) == 1
        owner, name = dies_at
        original = getattr(owner, name)
        calls = []

        async def dies(*args, **kwargs):
            calls.append(name)
            if len(calls) == 2:
                raise ProcessDied
            return await original(*args, **kwargs)

        monkeypatch.setattr(owner, name, dies)
        with pytest.raises(ProcessDied):
            await finish_round(bot, stored)
        monkeypatch.setattr(owner, name, original)
        return stored
    finally:
        await stop_bot(bot, task)


@pytest.mark.parametrize("dies_at", [
    (discord.Thread, "add_user"),  # the second pair's thread made, nobody added to it yet
    (discord.abc.Messageable, "send"),  # a thread's first message, or the notice of the one left over
], ids=["between-thread-and-members", "at-a-message"])
async def test_a_round_killed_halfway_is_finished_by_a_restart_within_the_lease(tmp_path, monkeypatch, dies_at):
    db_path = tmp_path / "nexus.db"
    async with StandIn() as standin:
        stored = await form_round_and_die(standin, db_path, monkeypatch, dies_at)
        assert db_rows(db_path, "SELECT id FROM pair_rounds WHERE completed_at IS NULL")

        bot, task = await start_bot_at(standin, db_path, NOW + timedelta(seconds=1))  # within the lease
        try:
            await until_round_finished(db_path)
            pairs = {frozenset((p.backend_id, p.frontend_id)) for p in stored.pairs}
            threads = pair_threads(standin)
            assert set(threads) == pairs  # every pair's thread has exactly the two of them in it
            assert all(len(found) == 1 for found in threads.values())
            assert not [t for t in standin.threads if t.private and set(t.member_ids) <= {standin.bot_user_id}]
            for [thread] in threads.values():
                firsts = [m for m in standin.messages(thread.id) if m.embeds and m.embeds[0]["title"] == "Why you fit"]
                assert len(firsts) == 1
            [left] = stored.unmatched
            name = next(m.name for m in standin.guild.members if m.id == left.member_id)
            assert len([m for m in standin.dm_messages(name) if NO_PARTNER in m.text]) == 1
            assert len([m for m in standin.messages(CHANNEL) if "Pairing round:" in m.text]) == 1
        finally:
            await stop_bot(bot, task)
