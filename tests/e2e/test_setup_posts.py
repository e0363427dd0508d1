"""What `/nexus setup` shows and posts: the cohort date as a date, an introduction that names only
commands that exist, posted exactly once per server and channel (also under races, failures and
crashes), through the real bot and the local Discord stand-in."""

import asyncio
import re
from datetime import timedelta

import pytest

from bot.posting import CLAIM_LEASE
from bot.scheduling.ledger import PostKey

pytestmark = pytest.mark.asyncio

CHANNEL = "prodevprojectnexus"
INTRO = "Nexus is here"


async def setup_as(nexus, member="mentor", **options):
    options.setdefault("channel", CHANNEL)
    return await nexus.standin.invoke(member, "nexus setup", options)


async def until(condition, seconds=5.0):
    """Wait for something the bot does after it answered (a follow-up, a post)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition never came true")


def intros(nexus, channel=CHANNEL):
    return [m for m in nexus.standin.messages(channel) if INTRO in m.text]


async def test_the_cohort_start_is_shown_as_the_date_the_admin_typed(nexus):
    reply = await setup_as(nexus, cohort_start="2026-12-01", timezone="Africa/Lagos")
    assert "Tuesday 1 December 2026" in reply.message.text
    [cohort] = [line for line in reply.message.text.splitlines() if line.startswith("Cohort start:")]
    assert "<t:" not in cohort  # a timestamp would read 30 November west of Lagos (instants elsewhere are)
    status = await nexus.standin.invoke("mentor", "nexus status")
    assert "Tuesday 1 December 2026" in status.message.text


async def test_the_introduction_names_only_commands_that_exist(nexus):
    await setup_as(nexus)
    await until(lambda: intros(nexus))
    intro = intros(nexus)[0].text
    named = set(re.findall(r"`/([a-z]+)", intro))
    synced = {command["name"] for command in nexus.standin.commands}
    assert "topic" in named and "help" in named
    assert named <= synced, f"the introduction names commands that do not exist: {named - synced}"
    assert "/nexus" not in intro  # an admin command, hidden from the learners the post is for
    assert "/project" in intro  # learners announce their projects
    assert "/pair" in intro  # and find their partners
    assert "prompt" not in intro  # `/prompts` is for admins


async def test_two_setups_at_once_post_one_introduction(nexus, settled):
    await asyncio.gather(*(setup_as(nexus) for _ in range(4)))
    await until(lambda: intros(nexus))
    await settled(nexus.bot)  # all four setups are done: a second post would be here
    assert len(intros(nexus)) == 1


async def test_a_failed_introduction_is_posted_by_the_next_setup(nexus, settled):
    standin = nexus.standin
    standin.fail_next("POST", "/channels/{channel_id}/messages", status=403)
    reply = await setup_as(nexus)
    await until(lambda: reply.followups)
    told = reply.followups[0]
    assert told.ephemeral and "couldn't post my introduction" in told.text and "/nexus setup" in told.text
    assert intros(nexus) == []
    await setup_as(nexus, timezone="Europe/London")
    await until(lambda: intros(nexus))
    await setup_as(nexus)  # and once it is there, never again
    await settled(nexus.bot)
    assert len(intros(nexus)) == 1


async def test_each_channel_gets_its_introduction_once(nexus, settled):
    await setup_as(nexus)
    await until(lambda: intros(nexus))
    await setup_as(nexus, channel="general")
    await until(lambda: intros(nexus, "general"))
    await setup_as(nexus)  # back to the first channel: it already has one
    await settled(nexus.bot)
    assert len(intros(nexus)) == 1 and len(intros(nexus, "general")) == 1


async def test_a_crash_between_sending_and_recording_never_makes_a_second_post(nexus, monkeypatch):
    """The send reached Discord but the ledger never heard of it (the process died there). The claim
    is taken over after its lease and re-sent with the same nonce: Discord returns the first message."""
    ledger = nexus.bot.services.posting._ledger
    real_complete = ledger.complete

    crashed = asyncio.Event()

    async def crash(*args, **kwargs):
        crashed.set()
        raise asyncio.CancelledError  # what a dying process leaves behind: a claim, never completed

    monkeypatch.setattr(ledger, "complete", crash)
    await setup_as(nexus)
    await asyncio.wait_for(crashed.wait(), 5)
    monkeypatch.setattr(ledger, "complete", real_complete)
    [first] = intros(nexus)

    await setup_as(nexus)  # within the lease: the claim is someone's, nothing is sent
    sends = [r for r in nexus.standin.requests if r.method == "POST" and r.path.endswith("/messages")
             and r.status == 200]
    assert len(sends) == 1

    nexus.bot.clock.advance(CLAIM_LEASE + timedelta(seconds=1))
    await setup_as(nexus)
    key = PostKey(nexus.standin.guild.id, "introduction", str(nexus.standin.guild.channel(CHANNEL).id))

    async def completed():
        entry = await ledger.get(key)
        return entry is not None and entry.status == "posted"

    for _ in range(250):
        if await completed():
            break
        await asyncio.sleep(0.02)
    entry = await ledger.get(key)
    assert entry.status == "posted" and entry.attempts == 2, "the stale claim was not taken over and re-sent"
    sends = [r for r in nexus.standin.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert len(sends) == 2 and sends[0].json["nonce"] == sends[1].json["nonce"]
    assert sends[1].json["enforce_nonce"] is True
    assert len(intros(nexus)) == 1 and entry.message_id == first.id
