"""The stand-in's own contract: demo server, raw REST shapes, validation, records, speed."""

from __future__ import annotations

import asyncio
import io
import statistics
import time

import aiohttp
import discord
import pytest

from sandbox.standin import StandIn, build_demo_guild
from sandbox.standin.demo import SEND_MESSAGES, VIEW_CHANNEL

from .conftest import MiniBot


def test_demo_guild_is_fixed_and_looked_up_leniently() -> None:
    one, two = build_demo_guild(), build_demo_guild()
    assert [c.id for c in one.channels] == [c.id for c in two.channels] and one.id == two.id
    assert one.role("@everyone").id == one.id == one.everyone.id
    assert one.channel("#ProDevProjectNexus") is one.channel(one.channel("prodevprojectnexus").id)
    assert one.member("@ADA").roles == [one.role("backend").id]
    assert one.member(str(one.owner_id)).name == "lead"
    assert [m.name for m in one.members if m.bot] == ["nexus"]
    with pytest.raises(KeyError, match="unknown member 'zed'"):
        one.member("zed")
    announcements = one.channel("announcements")
    assert not one.permissions_in("nexus", announcements) & SEND_MESSAGES
    assert one.permissions_in("nexus", announcements) & VIEW_CHANNEL
    assert one.permissions_in("ada", announcements) & SEND_MESSAGES
    assert one.permissions_in("lead", announcements) == discord.Permissions.all().value
    assert discord.Permissions(one.base_permissions("mentor")).manage_guild
    payload = one.to_payload()
    assert payload["member_count"] == len(payload["members"]) == 9


async def test_raw_rest_auth_404_and_content_type(standin: StandIn) -> None:
    base = standin.api_base_url
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/users/@me") as resp:
            assert resp.status == 401
        async with http.get(f"{base}/users/@me", headers={"Authorization": "Bot wrong"}) as resp:
            assert resp.status == 401 and (await resp.json())["message"] == "401: Unauthorized"
        auth = {"Authorization": f"Bot {standin.token}"}
        async with http.get(f"{base}/users/@me", headers=auth) as resp:
            assert resp.status == 200 and resp.headers["Content-Type"] == "application/json"
            assert (await resp.json())["id"] == str(standin.bot_user_id)
        async with http.delete(f"{base}/no/such/route", headers=auth) as resp:
            assert resp.status == 404 and resp.headers["Content-Type"] == "application/json"
            assert await resp.json() == {"message": "404: Not Found", "code": 0}
        async with http.post(f"{base}/interactions/1/nope/callback", json={"type": 4}) as resp:
            assert resp.status == 404 and (await resp.json())["code"] == 10062
        async with http.get(f"http://127.0.0.1:{base.split(':')[2].split('/')[0]}/elsewhere") as resp:
            assert resp.status == 404 and resp.headers["Content-Type"] == "application/json"
    assert ("DELETE", "/no/such/route", 404) in [(r.method, r.path, r.status) for r in standin.requests]
    standin.clear_records()
    assert standin.requests == []


async def test_an_interaction_is_answered_once_and_in_time(standin: StandIn, bot: MiniBot) -> None:
    rec = await standin.invoke("ada", "ping")
    url = f"{standin.api_base_url}/interactions/{rec.id}/{rec.token}/callback"
    async with aiohttp.ClientSession() as http, http.post(url, json={"type": 4, "data": {"content": "again"}}) as resp:
        assert resp.status == 400 and (await resp.json())["code"] == 40060
    standin.callback_deadline = 0.0  # Discord allows 3 s; here the bot is always too late
    with pytest.raises(TimeoutError, match="/ping"):
        await standin.invoke("ada", "ping", timeout=0.3)
    late = [r for r in standin.requests if r.route.endswith("/callback")][-1]
    assert late.status == 404


async def test_wrong_token_fails_login(standin: StandIn) -> None:
    bot = MiniBot(standin.guild.id)
    with pytest.raises(discord.LoginFailure):
        await bot.login("not-the-token")
    await bot.close()


async def test_discord_limits_are_enforced(standin: StandIn, bot: MiniBot) -> None:
    channel = bot.get_channel(standin.guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.status == 400 and too_long.value.code == 50035
    assert "content" in str(too_long.value)
    with pytest.raises(discord.HTTPException) as bad_embed:
        await channel.send(embed=discord.Embed(title="t" * 257))
    assert bad_embed.value.code == 50035
    message = await channel.send("ok")
    edited = await message.edit(content="edited", embed=discord.Embed(description="more"))
    record = standin.messages("general")[-1]
    assert record.id == edited.id and record.edited and record.text == "edited\nmore"
    await edited.delete()
    assert record.deleted and standin.messages("general") == []
    with pytest.raises(discord.HTTPException) as empty:
        await channel.send()
    assert empty.value.code == 50006


async def test_files_and_replies(standin: StandIn, bot: MiniBot) -> None:
    channel = bot.get_channel(standin.guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("report", file=discord.File(io.BytesIO(b"a,b\n1,2\n"), filename="report.csv"))
    (attachment,) = sent.attachments
    assert attachment.filename == "report.csv" and attachment.size == 8
    assert await attachment.read() == b"a,b\n1,2\n"
    reply = await sent.reply("see above", mention_author=False)
    record = standin.messages("general")[-1]
    assert record.id == reply.id and record.type == 19
    assert record.message_reference is not None and record.message_reference["message_id"] == str(sent.id)


async def test_wait_for_message_and_gateway_echo(standin: StandIn, bot: MiniBot) -> None:
    channel = bot.get_channel(standin.guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    echoed = asyncio.create_task(bot.wait_for("message", check=lambda m: m.content == "hello", timeout=2))
    sent = await channel.send("hello")
    assert (await echoed).id == sent.id  # MESSAGE_CREATE came over the gateway
    waited = asyncio.create_task(standin.wait_for_message("general", lambda m: m.content == "second"))
    await asyncio.sleep(0)
    await channel.send("second")
    assert (await waited).content == "second"
    assert sent.id == standin.messages("general")[0].id
    fetched = [m async for m in channel.history(limit=5)]
    assert [m.content for m in fetched] == ["second", "hello"]
    assert (await channel.fetch_message(sent.id)).content == "hello"


async def test_a_bare_reply_round_trip_is_fast(standin: StandIn, bot: MiniBot) -> None:
    timings = []
    for _ in range(30):
        started = time.perf_counter()
        await standin.invoke("ada", "ping")
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.02, timings


async def test_followups_are_edited_and_deleted(standin: StandIn, bot: MiniBot) -> None:
    rec = await standin.invoke("ada", "notes")
    done = await standin.wait_for_message("prodevprojectnexus", lambda m: m.content == "done")
    draft = rec.followups[0]
    assert draft.content == "draft, edited" and draft.edited and draft.deleted
    assert rec.message is not None and rec.message.content == "notes (final)"
    assert [m.content for m in standin.messages("prodevprojectnexus")] == ["notes (final)", "done"]
    assert rec.followups == [draft, done]


async def test_fetching_guild_members_and_channels(standin: StandIn, bot: MiniBot) -> None:
    guild = await bot.fetch_guild(standin.guild.id)
    assert guild.name == standin.guild.name and guild.owner_id == standin.guild.owner_id
    ada = await guild.fetch_member(standin.guild.member("ada").id)
    assert ada.name == "ada" and [r.name for r in ada.roles if not r.is_default()] == ["Backend"]
    names = sorted([m.name async for m in guild.fetch_members(limit=None)])
    assert names == sorted(m.name for m in standin.guild.members)
    channel = await bot.fetch_channel(standin.guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel) and channel.name == "general"
    with pytest.raises(discord.NotFound):
        await bot.fetch_channel(1)
    user = await bot.fetch_user(standin.guild.member("ben").id)
    assert user.name == "ben"
