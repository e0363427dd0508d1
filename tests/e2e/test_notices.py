"""Notices a member gets, through the real bot and the local Discord stand-in: an expired pairing
request changes the message that carried it instead of sending the target a second one; a learner a
weekly round leaves unmatched for the same reason is told once, not every week; `/nexus status` names
the admin who last changed the set-up and when, and shows the database's real size."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from _server import CHANNEL, set_up

pytestmark = pytest.mark.asyncio

NOW = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)  # a Wednesday of week two
EXPIRED = "expired before you answered"


@pytest.fixture
async def server(nexus):
    nexus.bot.clock.set(NOW)
    await set_up(nexus.standin)
    return nexus


def member_id(standin, name):
    return standin.guild.member(name).id


async def request(standin, requester, target):
    return await (await standin.invoke(requester, "pair request", {"member": target})).wait_done()


async def pass_expiry(server):
    scheduler = server.bot.services.scheduler
    await scheduler.advance_to(NOW + timedelta(hours=73))
    await scheduler.advance_to(NOW + timedelta(hours=80))  # a second tick: nothing more


# --- a. an expired request changes its own message -------------------------------------------------

async def test_an_expired_request_changes_its_dm_instead_of_sending_the_target_a_second_message(server):
    standin = server.standin
    ada = member_id(standin, "ada")
    await request(standin, "ada", "ben")
    [asked] = standin.dm_messages("ben")
    assert asked.buttons and "You have a pairing request" in asked.text
    # A second request, whose DM its target deleted: it can't be changed, so diego is told anew.
    await request(standin, "chioma", "diego")
    [deleted] = standin.dm_messages("diego")
    await standin.delete_message(deleted)

    await pass_expiry(server)
    [changed] = standin.dm_messages("ben")  # the same message, changed; nothing else sent to ben
    assert changed.id == asked.id and changed.edited
    assert not changed.buttons and not changed.embeds
    assert EXPIRED in changed.text and f"<@{ada}>" in changed.text
    assert re.search(r"<t:\d+:F>", changed.text)  # until when it was open
    told_ada = [m for m in standin.dm_messages("ada") if "expired without an answer" in m.text]
    assert len(told_ada) == 1  # the sender is still told, once

    [told_diego] = standin.dm_messages("diego")
    assert EXPIRED in told_diego.text and not told_diego.buttons
    assert len([m for m in standin.dm_messages("chioma") if "expired without an answer" in m.text]) == 1


async def test_an_expired_request_delivered_in_the_channel_changes_that_message(server):
    standin = server.standin
    ben = member_id(standin, "ben")
    standin._state.member("ben").accepts_dms = False
    await request(standin, "ada", "ben")
    [asked] = [m for m in standin.messages(CHANNEL) if m.buttons and "pairing request" in m.text]

    await pass_expiry(server)
    # No second message for ben in the channel: the one that carried the request is changed.
    [changed] = [m for m in standin.messages(CHANNEL) if m.content.startswith(f"<@{ben}>")]
    assert changed.id == asked.id
    assert not changed.buttons and EXPIRED in changed.text and changed.text.startswith(f"<@{ben}>")
    assert len([m for m in standin.dm_messages("ada") if "expired without an answer" in m.text]) == 1
