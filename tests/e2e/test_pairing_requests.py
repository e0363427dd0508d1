"""`/pair …` requests through the real bot and the local Discord stand-in: find → request → accept
(a private thread with both and why they fit, an announcement pinging only the two); decline; the
wrong member presses; DMs closed → the channel, mentioning only the target; expiry with the clock
moved, both told once; two accepts at once → one pair; leave and re-match never with each other."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from _server import CHANNEL, set_up

from bot.db import Database
from bot.errors import UserError

pytestmark = pytest.mark.asyncio

NOW = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)  # a Wednesday of week two
BACKEND_PROJECT = {"title": "Job board API", "stack": "Django REST Framework, PostgreSQL, JWT",
                   "description": "Job postings and applications behind a REST API with JWT login."}
FRONTEND_PROJECT = {"title": "Job board UI", "stack": "React, JWT, REST API",
                    "description": "The pages of a job board, calling a Django REST Framework API with PostgreSQL."}


@pytest.fixture
async def server(nexus):
    nexus.bot.clock.set(NOW)
    await set_up(nexus.standin)
    return nexus


def member_id(nexus, name):
    return next(m.id for m in nexus.standin.guilds[0].members if m.name == name)


def texts(reply):
    return "\n".join(m.text for m in [reply.message, *reply.followups] if m is not None)


async def announce(nexus, member, values, **options):
    opened = await nexus.standin.invoke(member, "project announce", options)
    assert opened.modal is not None, opened.message and opened.message.text
    return await (await nexus.standin.submit_modal(member, opened.modal, values)).wait_done()


async def profile(nexus, member, **options):
    reply = await nexus.standin.invoke(member, "pair profile", options)
    assert reply.ephemeral and "Saved" in reply.message.text, reply.message.text
    return reply


async def request(nexus, requester, target, note=None):
    options = {"member": target} | ({"note": note} if note else {})
    return await (await nexus.standin.invoke(requester, "pair request", options)).wait_done()


def request_message(nexus, target):
    [message] = [m for m in nexus.standin.dm_messages(target) if any(
        b["custom_id"].startswith("nexus:pair:accept:") for b in m.buttons)]
    return message


def button(message, prefix):
    return next(b["custom_id"] for b in message.buttons if b["custom_id"].startswith(prefix))


async def pairs_in_db(nexus):
    db = await Database.open(nexus.db_path)
    try:
        return [tuple(row) for row in await db.fetchall(
            "SELECT backend_id, frontend_id, ended_at IS NULL FROM pairs ORDER BY id")]
    finally:
        await db.close()


async def test_find_request_accept_opens_a_private_thread_with_both_and_why_they_fit(server):
    standin = server.standin
    ada, ben = member_id(server, "ada"), member_id(server, "ben")
    await announce(server, "ada", BACKEND_PROJECT, track="job-board", looking_for_partner=True)
    await announce(server, "ben", FRONTEND_PROJECT, track="job-board")
    await profile(server, "ada", timezone="Africa/Lagos", availability="Mon 18:00-21:00, Sat 10-14")
    await profile(server, "ben", timezone="Europe/Berlin", availability="Mon 19:00-22:00, Sat 11-15")

    found = await standin.invoke("ada", "pair find")
    assert found.ephemeral
    [embed] = found.message.embeds
    first = embed["fields"][0]
    assert f"<@{ben}>" in first["value"]
    assert "both on the Job board platform track" in first["value"]
    assert "both use JWT authentication" in first["value"] and "REST API design" in first["value"]
    # Lagos and Berlin are both UTC+1 in December: Monday 18–20 (2 h) and Saturday 11–14 (3 h) overlap.
    assert "5 hours of overlap a week" in first["value"]
    ask = button(found.message, "nexus:pair:ask:")
    assert ask == f"nexus:pair:ask:{ada}:{ben}"

    sent = await (await standin.click("ada", found.message, ask)).wait_done()
    assert "Request sent" in texts(sent) and "by DM" in texts(sent)
    asked = request_message(server, "ben")
    assert f"<@{ada}>" in asked.embeds[0]["description"]
    request_id = int(button(asked, "nexus:pair:accept:").rsplit(":", 1)[1])

    accepted = await (await standin.click("ben", asked, button(asked, "nexus:pair:accept:"))).wait_done()
    assert "you're paired" in accepted.original.text
    [thread] = [t for t in standin.threads if t.private]
    assert set(thread.member_ids) - {server.standin.bot_user_id} == {ada, ben} and thread.invitable is False
    [first_message] = standin.messages(thread.id)
    assert "Why you fit" == first_message.embeds[0]["title"]
    assert "Both on the Job board platform track" in first_message.embeds[0]["description"]
    topic_buttons = [b for b in first_message.buttons if b["custom_id"].startswith("nexus:topic:open:")]
    assert topic_buttons, "the topics their projects share are linked"
    announcement = [m for m in standin.messages(CHANNEL) if "are now a pair" in m.text]
    assert len(announcement) == 1
    assert sorted(int(u) for u in announcement[0].allowed_mentions["users"]) == sorted([ada, ben])
    assert announcement[0].allowed_mentions.get("parse", []) == []
    assert any("accepted your pairing request" in m.text for m in standin.dm_messages("ada"))
    assert await pairs_in_db(server) == [(ada, ben, 1)]

    assert not asked.buttons  # the request's message now says it is decided
    with pytest.raises(UserError, match="already decided"):  # a press from a second device, on its way
        await server.bot.services.pairing.accept(standin.guilds[0].id, request_id, ben)

    status = await standin.invoke("ada", "pair status")
    assert f"<@{ben}>" in str(status.message.embeds[0]) and f"<#{thread.id}>" in str(status.message.embeds[0])
    admin = await standin.invoke("mentor", "nexus status")
    [line] = [f["value"] for f in admin.message.embeds[0]["fields"] if f["name"] == "Pairing"]
    assert "Active pairs: **1** · waiting in the queue: 0 · pending requests: 0" in line


async def test_a_request_is_validated_and_each_refusal_says_why(server):
    standin = server.standin
    said = await standin.invoke("ada", "pair request", {"member": "ada"})
    assert said.ephemeral and "That's you" in said.message.text
    said = await standin.invoke("ada", "pair request", {"member": "nexus"})
    assert "is a bot" in said.message.text
    said = await standin.invoke("ada", "pair request", {"member": "chioma"})
    assert "backend learner too" in said.message.text
    said = await standin.invoke("ada", "pair request", {"member": "femi"})
    assert "hasn't said yet" in said.message.text
    said = await standin.invoke("femi", "pair request", {"member": "ben"})
    assert "backend or a frontend learner" in said.message.text and said.message.selects  # asked with a menu
    await request(server, "ada", "ben")
    said = await standin.invoke("ada", "pair request", {"member": "ben"})
    assert "already asked" in said.message.text
    said = await standin.invoke("ben", "pair request", {"member": "ada"})
    assert "already asked you" in said.message.text


async def test_decline_tells_the_requester_and_a_second_press_says_it_is_decided(server):
    standin = server.standin
    await request(server, "ada", "ben", note="Let's build it together <@&13> @everyone")
    asked = request_message(server, "ben")
    request_id = int(button(asked, "nexus:pair:accept:").rsplit(":", 1)[1])
    assert "@everyone" in str(asked.embeds)  # shown as typed …
    assert asked.allowed_mentions.get("parse", []) == []  # … never pinging

    declined = await standin.click("ben", asked, button(asked, "nexus:pair:decline:"))
    assert "You declined" in declined.original.text and not declined.original.buttons
    assert any("declined your pairing request" in m.text for m in standin.dm_messages("ada"))
    with pytest.raises(UserError, match="already decided: you declined it"):
        await server.bot.services.pairing.accept(standin.guilds[0].id, request_id, member_id(server, "ben"))
    assert await pairs_in_db(server) == []


async def test_closed_dms_fall_back_to_the_channel_mentioning_only_the_target(server):
    standin = server.standin
    ben = member_id(server, "ben")
    standin._state.member("ben").accepts_dms = False
    sent = await request(server, "ada", "ben")
    assert "in the Nexus channel" in texts(sent)
    [asked] = [m for m in standin.messages(CHANNEL) if m.buttons and "pairing request" in m.text]
    assert asked.text.startswith(f"<@{ben}>")
    assert [int(u) for u in asked.allowed_mentions["users"]] == [ben]
    wrong = await standin.click("diego", asked, button(asked, "nexus:pair:accept:"))
    assert wrong.ephemeral and "only they can answer" in wrong.message.text
    accepted = await standin.click("ben", asked, button(asked, "nexus:pair:accept:"))
    assert "you're paired" in (await accepted.wait_done()).original.text


async def test_a_request_expires_when_the_clock_passes_its_time_and_both_are_told_once(server):
    standin = server.standin
    await request(server, "ada", "ben")
    asked = request_message(server, "ben")
    await server.bot.services.scheduler.advance_to(NOW + timedelta(hours=73))
    await server.bot.services.scheduler.advance_to(NOW + timedelta(hours=80))  # a second tick: still once
    told_ada = [m for m in standin.dm_messages("ada") if "expired" in m.text]
    told_ben = [m for m in standin.dm_messages("ben") if "expired before you answered" in m.text]
    assert len(told_ada) == 1 and len(told_ben) == 1
    assert "expired" in asked.text and not asked.buttons  # the request's message lost its buttons
    assert await pairs_in_db(server) == []


async def test_two_accepts_at_once_make_exactly_one_pair(server):
    standin = server.standin
    await request(server, "ada", "ben")
    await request(server, "chioma", "ben")
    to_ben = [m for m in standin.dm_messages("ben") if m.buttons]
    assert len(to_ben) == 2
    results = await asyncio.gather(*(standin.click("ben", m, button(m, "nexus:pair:accept:")) for m in to_ben),
                                   *(standin.click("ben", to_ben[0], button(to_ben[0], "nexus:pair:accept:"))
                                     for _ in range(2)))
    await asyncio.gather(*(r.wait_done() for r in results))
    pairs = await pairs_in_db(server)
    assert len(pairs) == 1 and pairs[0][2] == 1
    assert len([t for t in standin.threads if t.private]) == 1


async def test_leave_tells_the_partner_and_they_are_never_proposed_to_each_other_again(server):
    standin = server.standin
    ada, ben, diego = member_id(server, "ada"), member_id(server, "ben"), member_id(server, "diego")
    await request(server, "ada", "ben")
    asked = request_message(server, "ben")
    await (await standin.click("ben", asked, button(asked, "nexus:pair:accept:"))).wait_done()
    paired = await standin.invoke("ada", "pair find")
    assert "already paired" in paired.message.text

    left = await standin.invoke("ada", "pair leave", {"reason": "different schedules"})
    assert "has ended" in left.message.text
    assert any("ended your pair" in m.text and "different schedules" in m.text for m in standin.dm_messages("ben"))
    await profile(server, "diego", timezone="UTC")
    found = await standin.invoke("ada", "pair find")
    shown = str(found.message.embeds[0])
    assert f"<@{ben}>" not in shown and f"<@{diego}>" in shown
    again = await standin.invoke("ada", "pair request", {"member": "ben"})
    assert "was your partner before" in again.message.text
    history = await standin.invoke("ada", "pair history")
    assert "different schedules" in history.message.embeds[0]["description"]
    assert await pairs_in_db(server) == [(ada, ben, 0)]

    await request(server, "ada", "diego")  # matched again, with someone else
    to_diego = request_message(server, "diego")
    await (await standin.click("diego", to_diego, button(to_diego, "nexus:pair:accept:"))).wait_done()
    assert await pairs_in_db(server) == [(ada, ben, 0), (ada, diego, 1)]
    assert len([t for t in standin.threads if t.private]) == 2


async def test_cancel_withdraws_my_request_and_it_can_no_longer_be_accepted(server):
    standin = server.standin
    await request(server, "ada", "ben")
    asked = request_message(server, "ben")
    request_id = int(button(asked, "nexus:pair:accept:").rsplit(":", 1)[1])
    cancelled = await standin.invoke("ada", "pair cancel")
    assert "Cancelled your request" in cancelled.message.text
    assert "withdrew" in asked.text and not asked.buttons
    with pytest.raises(UserError, match="cancelled this request"):  # a press that was on its way
        await server.bot.services.pairing.accept(standin.guilds[0].id, request_id, member_id(server, "ben"))
    nothing = await standin.invoke("ada", "pair cancel")
    assert "no pending request" in nothing.message.text


async def test_a_request_of_one_server_cannot_be_answered_from_another(server):
    await request(server, "ada", "ben")
    asked = request_message(server, "ben")
    request_id = int(button(asked, "nexus:pair:accept:").rsplit(":", 1)[1])
    with pytest.raises(UserError, match="doesn't exist in this server"):
        await server.bot.services.pairing.accept(123456789012345678, request_id, member_id(server, "ben"))
    assert await pairs_in_db(server) == []


async def test_the_accept_button_still_works_after_a_restart(tmp_path):
    from bot.clock import Clock
    from bot.config import load_settings
    from sandbox.run import sandbox_settings, start_bot_against, stop_bot
    from sandbox.standin import StandIn

    db_path = tmp_path / "nexus.db"
    async with StandIn() as standin:
        async def start():
            clock = Clock()
            clock.set(NOW)
            return await start_bot_against(standin, sandbox_settings(load_settings({}, env_file=None), standin,
                                                                     db_path), clock=clock)

        bot, task = await start()
        try:
            await standin.invoke("mentor", "nexus setup", {"channel": CHANNEL, "backend_role": "Backend",
                                                           "frontend_role": "Frontend"})
            await (await standin.invoke("ada", "pair request", {"member": "ben"})).wait_done()
        finally:
            await stop_bot(bot, task)
        [asked] = [m for m in standin.dm_messages("ben") if m.buttons]

        bot, task = await start()  # a new process would know the button only by its custom id
        try:
            accepted = await (await standin.click("ben", asked, button(asked, "nexus:pair:accept:"))).wait_done()
            assert "you're paired" in accepted.original.text
            assert len([t for t in standin.threads if t.private]) == 1
        finally:
            await stop_bot(bot, task)


async def test_a_learner_who_leaves_the_server_leaves_pairing_and_those_waiting_on_them_are_told(server):
    standin = server.standin
    ada, ben = member_id(server, "ada"), member_id(server, "ben")
    await request(server, "ada", "ben")
    asked = request_message(server, "ben")
    await (await standin.click("ben", asked, button(asked, "nexus:pair:accept:"))).wait_done()
    await request(server, "chioma", "diego")
    to_diego = request_message(server, "diego")

    told_ben = asyncio.create_task(standin.wait_for_message(None, lambda m: "left the server" in m.text
                                                            and m.channel_id == standin.dm_channel_id("ben")))
    await profile(server, "esi", timezone="UTC")  # another backend learner ben could be proposed
    await standin.remove_member("ada")
    await told_ben
    assert await pairs_in_db(server) == [(ada, ben, 0)]  # the pair ended
    found = await standin.invoke("diego", "pair find")  # ada, who left, is no one's candidate any more
    shown = str(found.message.embeds)
    assert f"<@{member_id(server, 'esi')}>" in shown and f"<@{ada}>" not in shown

    told_diego = asyncio.create_task(standin.wait_for_message(None, lambda m: "they left the server" in m.text))
    await standin.remove_member("chioma")
    await told_diego
    assert "one of you left the server" in to_diego.text and not to_diego.buttons


async def test_an_expiry_reaches_a_learner_whose_dms_are_closed_in_the_channel_once(server):
    standin = server.standin
    ben = member_id(server, "ben")
    standin._state.member("ben").accepts_dms = False
    await request(server, "ada", "ben")
    await server.bot.services.scheduler.advance_to(NOW + timedelta(hours=73))
    await server.bot.services.scheduler.advance_to(NOW + timedelta(hours=80))
    told_ben = [m for m in standin.messages(CHANNEL) if "expired before you answered" in m.text]
    assert len(told_ben) == 1 and told_ben[0].text.startswith(f"<@{ben}>")
    assert [int(u) for u in told_ben[0].allowed_mentions["users"]] == [ben]
    assert len([m for m in standin.dm_messages("ada") if "expired without an answer" in m.text]) == 1
