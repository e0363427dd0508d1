"""Faults the bot must survive: 429s, 5xx, dropped gateway sockets, restarts."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import discord
import pytest

from sandbox.standin import StandIn

from .conftest import MiniBot, start_bot, stop_bot

MESSAGES = "/channels/{channel_id}/messages"


def _channel(bot: MiniBot, standin: StandIn, name: str) -> discord.TextChannel:
    channel = bot.get_channel(standin.guild.channel(name).id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_429_is_retried_once_and_posts_once(standin: StandIn, bot: MiniBot) -> None:
    standin.clear_records()
    standin.fail_next("POST", MESSAGES, status=429, retry_after=0.2)
    started = time.monotonic()
    sent = await _channel(bot, standin, "general").send("after the rate limit")
    assert time.monotonic() - started >= 0.2
    posts = [r for r in standin.requests if r.method == "POST" and r.route == MESSAGES]
    assert [r.status for r in posts] == [429, 200]
    assert [m.content for m in standin.messages("general")] == ["after the rate limit"]
    assert standin.messages("general")[0].id == sent.id


async def test_global_429_blocks_then_retries(standin: StandIn, bot: MiniBot) -> None:
    standin.fail_next("POST", MESSAGES, status=429, retry_after=0.05, is_global=True)
    await _channel(bot, standin, "general").send("global")
    posts = [r for r in standin.requests if r.route == MESSAGES]
    assert [r.status for r in posts] == [429, 200]


async def test_503_on_the_interaction_callback_is_retried(standin: StandIn, bot: MiniBot) -> None:
    standin.clear_records()
    standin.fail_next("POST", "/interactions/{interaction_id}/{token}/callback", status=503)
    rec = await standin.invoke("ada", "ping")
    assert rec.message is not None and rec.message.content == "pong"
    callbacks = [r.status for r in standin.requests if r.route.endswith("/callback")]
    assert callbacks == [503, 200]
    assert [m.content for m in standin.messages("prodevprojectnexus")] == ["pong"]


async def test_5xx_on_a_channel_post_surfaces(standin: StandIn, bot: MiniBot) -> None:
    # discord.py retries 500/502/504/524 on bot routes; a 503 there raises at once.
    standin.fail_next("POST", MESSAGES, status=503)
    with pytest.raises(discord.DiscordServerError):
        await _channel(bot, standin, "general").send("nope")
    assert standin.messages("general") == []


@pytest.mark.parametrize("code", [None, 4000])
async def test_drop_gateway_resumes_and_replays(standin: StandIn, bot: MiniBot, code: int | None) -> None:
    await standin.invoke("ada", "ping")
    await standin.drop_gateway(code=code)
    # sent while the bot is away: kept, then replayed when it RESUMEs
    await standin.dispatch(
        "TYPING_START",
        {
            "channel_id": str(standin.guild.channel("general").id),
            "guild_id": str(standin.guild.id),
            "user_id": str(standin.guild.member("ada").id),
            "timestamp": 0,
        },
    )
    rec = await standin.invoke("ben", "ping", timeout=5)
    assert rec.message is not None and rec.message.content == "pong"
    assert bot.resumed.is_set()
    assert standin.resumes == 1 and standin.sessions_started == 1
    assert "TYPING_START" in bot.raw_events
    assert bot.raw_events.index("TYPING_START") < bot.raw_events.index("RESUMED")
    after = await standin.invoke("chioma", "card")
    assert after.message is not None
    await standin.click("ada", after.message, "like")


async def test_unknown_session_gets_op9_and_identifies_again(standin: StandIn, bot: MiniBot) -> None:
    await standin.drop_gateway()
    standin._gateway.sessions.clear()  # the server forgot the session: RESUME gets op 9
    for _ in range(300):
        if standin.sessions_started == 2:
            break
        await asyncio.sleep(0.01)
    assert standin.sessions_started == 2 and standin.resumes == 0
    rec = await standin.invoke("ada", "ping")
    assert rec.message is not None and rec.message.content == "pong"


async def test_dynamic_item_survives_a_restart(standin: StandIn) -> None:
    first, task = await start_bot(standin)
    await standin.wait_for_commands(timeout=5)
    rec = await standin.invoke("ada", "counter")
    message = rec.message
    assert message is not None and message.buttons[0]["custom_id"] == "standin:count:0"
    await standin.click("ben", message, "standin:count:0")
    assert message.content == "count 1"
    await stop_bot(first, task)

    second, task = await start_bot(standin, sync=False)  # a new client: no views in memory
    try:
        assert standin.sessions_started == 2
        click = await standin.click("ben", message, "standin:count:1")
        assert click.response_type == 7 and message.content == "count 2"
        assert message.buttons[0]["custom_id"] == "standin:count:2"
    finally:
        await stop_bot(second, task)


async def test_a_repeated_nonce_returns_the_first_message_as_discord_does(standin: StandIn, bot: MiniBot) -> None:
    channel = _channel(bot, standin, "general")
    first = await channel.send("once", nonce="nexus-intro-1")  # discord.py adds enforce_nonce
    again = await channel.send("once, retried", nonce="nexus-intro-1")
    assert again.id == first.id and again.nonce == "nexus-intro-1"
    assert [m.content for m in standin.messages("general")] == ["once"]
    await channel.send("another", nonce="nexus-intro-2")
    assert len(standin.messages("general")) == 2


async def test_a_nonce_is_forgotten_after_a_few_minutes(standin: StandIn, bot: MiniBot) -> None:
    channel = _channel(bot, standin, "general")
    await channel.send("first", nonce="n-1")
    standin.nonce_window = dt.timedelta(0)  # as if the few minutes had passed
    await channel.send("second", nonce="n-1")
    assert [m.content for m in standin.messages("general")] == ["first", "second"]


async def test_a_nonce_over_25_characters_is_refused(standin: StandIn, bot: MiniBot) -> None:
    with pytest.raises(discord.HTTPException) as refused:
        await _channel(bot, standin, "general").send("x", nonce="n" * 26)
    assert refused.value.status == 400 and "nonce" in str(refused.value)


async def test_a_502_after_the_message_was_made_and_a_retry_with_its_nonce_make_one_message(
        standin: StandIn, bot: MiniBot) -> None:
    standin.clear_records()
    standin.fail_next("POST", MESSAGES, status=502, after_handler=True)
    sent = await _channel(bot, standin, "general").send("once", nonce="nonce-of-this-post")
    posts = [r.status for r in standin.requests if r.method == "POST" and r.route == MESSAGES]
    assert posts == [502, 200]  # discord.py retried, Discord had made it the first time
    assert [m.content for m in standin.messages("general")] == ["once"]
    assert standin.messages("general")[0].id == sent.id  # the retry got the first message back


async def test_a_storm_answers_global_429s_to_its_share_for_its_time(standin: StandIn, bot: MiniBot) -> None:
    standin.clear_records()
    standin.storm(0.6, share=1.0, retry_after=0.25)
    started = time.monotonic()
    await _channel(bot, standin, "general").send("through the storm")
    assert 0.5 <= time.monotonic() - started < 3  # discord.py waited out retry_after, twice or three times
    statuses = [r.status for r in standin.requests if r.route == MESSAGES]
    assert statuses[-1] == 200 and set(statuses[:-1]) == {429} and len(statuses) >= 3
    assert standin.storm_429s == len(statuses) - 1
    assert [m.content for m in standin.messages("general")] == ["through the storm"]


async def test_a_storm_longer_than_discord_py_waits_makes_the_send_fail_with_429(
        standin: StandIn, bot: MiniBot) -> None:
    standin.storm(30, share=1.0, retry_after=0.05)
    with pytest.raises(discord.HTTPException) as raised:
        await _channel(bot, standin, "general").send("lost in the storm")
    assert raised.value.status == 429  # five tries, then discord.py gives up: the bot must retry later
    assert standin.messages("general") == []
