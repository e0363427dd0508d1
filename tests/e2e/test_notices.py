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


# --- b. a learner left unmatched for the same reason is told once ---------------------------------

NO_PARTNER = "This pairing round found no partner for you"
SUNDAY = datetime(2027, 1, 3, 12, 0, tzinfo=UTC)  # the day before the cohort starts
DAY_8 = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Lagos: the first automatic round


def no_partner(standin, name):
    return [m.text for m in standin.dm_messages(name) if NO_PARTNER in m.text]


async def join_queue(standin, *names):
    for name in names:
        reply = await standin.invoke(name, "pair queue join")
        assert reply.ephemeral and "in the queue" in reply.message.text, reply.message.text


async def run_round(standin):
    reply = await (await standin.invoke("mentor", "pair round")).wait_done()
    return "\n".join(m.text for m in [reply.message, *reply.followups] if m is not None)


async def test_the_weekly_round_tells_a_learner_it_left_over_once_not_every_week(nexus):
    standin, scheduler = nexus.standin, nexus.bot.services.scheduler
    nexus.bot.clock.set(SUNDAY)
    await set_up(standin, cohort_start="2027-01-04", timezone="Africa/Lagos")
    await join_queue(standin, "ada", "chioma", "esi", "ben", "diego")

    await scheduler.advance_to(DAY_8 + timedelta(hours=1))
    [left] = [name for name in ("ada", "chioma", "esi") if no_partner(standin, name)]
    assert "everyone on the other side was already matched" in no_partner(standin, left)[0]
    for week in (1, 2, 3):  # still waiting, for the same reason: not told again
        await scheduler.advance_to(DAY_8 + timedelta(days=7 * week, hours=1))
        assert len(no_partner(standin, left)) == 1, week


async def test_a_learner_is_told_again_when_the_reason_changes_or_after_being_paired(server):
    standin = server.standin
    await join_queue(standin, "ada", "ben")
    assert "1 pair" in await run_round(standin)
    assert "has ended" in (await standin.invoke("ada", "pair leave")).message.text
    await join_queue(standin, "ada", "ben")

    # Only each other, their previous partner, is left: told once, however many rounds run.
    for _ in range(3):
        assert "2 left unmatched" in await run_round(standin)
    for name in ("ada", "ben"):
        [told] = no_partner(standin, name)
        assert "your previous partners" in told

    # ben leaves the queue: ada's reason changes (nobody is left), so she is told, once.
    await standin.invoke("ben", "pair queue leave")
    for _ in range(2):
        await run_round(standin)
    assert len(no_partner(standin, "ada")) == 2 and "already matched" in no_partner(standin, "ada")[1]

    # Paired with diego, then unmatched again for the same reason as before: told again.
    await join_queue(standin, "diego")
    assert "1 pair" in await run_round(standin)
    assert "has ended" in (await standin.invoke("diego", "pair leave")).message.text
    await join_queue(standin, "ada")
    assert "1 left unmatched" in await run_round(standin)
    assert len(no_partner(standin, "ada")) == 3 and "already matched" in no_partner(standin, "ada")[2]
    assert len(no_partner(standin, "ben")) == 1


# --- c. who last changed the set-up, and when ------------------------------------------------------

async def test_the_status_names_the_admin_who_last_changed_the_set_up_and_when(server):
    standin = server.standin
    mentor, lead = member_id(standin, "mentor"), member_id(standin, "lead")
    status = await standin.invoke("mentor", "nexus status")
    assert f"Last changed by <@{mentor}> <t:{int(NOW.timestamp())}:R>" in status.message.text
    assert f"<t:{int(NOW.timestamp())}:F>" in status.message.text
    assert "Last changed by an admin" not in status.message.text
    allowed = status.message.allowed_mentions or {}
    assert not allowed.get("parse") and not allowed.get("users")  # naming them pings nobody

    later = NOW + timedelta(days=2, hours=3)
    server.bot.clock.set(later)
    reply = await standin.invoke("lead", "nexus setup", {"channel": CHANNEL, "timezone": "Europe/London"})
    assert f"Last changed by <@{lead}> <t:{int(later.timestamp())}:R>" in reply.message.text
    status = await standin.invoke("mentor", "nexus status")
    assert f"Last changed by <@{lead}> <t:{int(later.timestamp())}:R>" in status.message.text
    assert f"<@{mentor}>" not in status.message.text


# --- d. the database's real size --------------------------------------------------------------------

UNITS = {"B": 1, "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3}
PROJECT = {"title": "Job board API", "stack": "Django REST Framework, PostgreSQL, JWT",
           "description": "Job postings and applications behind a REST API with JWT login. " * 8}


async def database_shown(standin):
    """The size `/nexus status` shows, in bytes (to its rounding)."""
    status = await standin.invoke("mentor", "nexus status")
    [(value, unit)] = re.findall(r"Database: (\d+(?:\.\d)?) (B|KiB|MiB|GiB)", status.message.text)
    return float(value) * UNITS[unit]


def on_disk(db_path):
    return sum(path.stat().st_size for path in (db_path, db_path.with_name(db_path.name + "-wal"))
               if path.exists())


async def test_the_status_shows_the_database_size_on_disk_and_it_grows_with_data(server):
    standin, db_path = server.standin, server.db_path
    before = await database_shown(standin)
    assert before == pytest.approx(on_disk(db_path), rel=0.05)

    for name, track in (("ada", "job-board"), ("chioma", "job-board"), ("esi", "job-board")):
        opened = await standin.invoke(name, "project announce", {"track": track})
        await (await standin.submit_modal(name, opened.modal, PROJECT | {"title": f"{name}'s API"})).wait_done()
    await join_queue(standin, "ada", "chioma", "esi", "ben", "diego")
    after = await database_shown(standin)
    assert after > before
    assert after == pytest.approx(on_disk(db_path), rel=0.05)
