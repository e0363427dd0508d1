"""Channels an admin deletes or locks behind the bot's back: the bot hears of it and Discord refuses."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
import pytest

from sandbox.standin import StandIn
from sandbox.standin.demo import SEND_MESSAGES

from .conftest import FleetBot, MiniBot, running_bot, running_standin


async def test_a_deleted_channel_answers_unknown_channel_and_spares_the_others() -> None:
    async with running_standin(extra_guilds=3) as standin:
        bot = FleetBot()
        async with running_bot(bot, standin):
            gone, kept = standin.extra_guilds[1], standin.extra_guilds[2]
            stale = bot.get_channel(gone.post_channel.id)
            other = bot.get_channel(kept.post_channel.id)
            assert isinstance(stale, discord.TextChannel) and isinstance(other, discord.TextChannel)
            await stale.send("before")
            heard = asyncio.create_task(bot.wait_for("guild_channel_delete", timeout=5))
            await asyncio.sleep(0)
            deleted = await standin.delete_channel(gone.post_channel)
            assert (await heard).id == deleted.id == stale.id
            assert bot.get_channel(stale.id) is None and stale not in stale.guild.channels
            results = await asyncio.gather(stale.send("weekly prompt"), other.send("weekly prompt"),
                                           return_exceptions=True)
            assert isinstance(results[0], discord.NotFound) and results[0].code == 10003
            assert isinstance(results[1], discord.Message)
            with pytest.raises(discord.NotFound) as fetched:
                await bot.fetch_channel(stale.id)
            assert fetched.value.code == 10003
            assert [m.content for m in standin.messages(deleted.id)] == ["before"]  # still readable
            assert [m.content for m in standin.messages(kept.post_channel.id)] == ["weekly prompt"]
            assert [c.name for c in gone.channels] == ["general"]


async def test_a_thread_goes_with_its_deleted_channel(standin: StandIn, bot: MiniBot) -> None:
    await standin.invoke("ada", "discuss", {"topic": "celery"})
    await standin.wait_for_message("celery")
    thread = standin.threads[-1]
    assert thread.parent_id == standin.guild.channel("prodevprojectnexus").id
    heard = asyncio.create_task(bot.wait_for("thread_delete", timeout=5))
    await asyncio.sleep(0)
    await standin.delete_channel("prodevprojectnexus")
    assert (await heard).id == thread.id  # discord.py drops the threads of a deleted channel itself
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {standin.token}"}) as http:
        async with http.post(f"{standin.api_base_url}/channels/{thread.id}/messages", json={"content": "x"}) as resp:
            assert resp.status == 404 and (await resp.json())["code"] == 10003
    assert standin.threads == []
    assert [m.content for m in standin.messages(thread.id)] == ["Talk about celery here"]


async def test_an_overwrite_taking_send_messages_from_the_bot_answers_50013(standin: StandIn, bot: MiniBot) -> None:
    general = bot.get_channel(standin.guild.channel("general").id)
    assert isinstance(general, discord.TextChannel) and general.permissions_for(general.guild.me).send_messages
    heard = asyncio.create_task(bot.wait_for("guild_channel_update", timeout=5))
    await asyncio.sleep(0)
    await standin.set_permission_overwrite("general", standin.bot_user_id, deny=SEND_MESSAGES)
    await heard
    assert not general.permissions_for(general.guild.me).send_messages  # the bot's cache followed
    assert general.permissions_for(general.guild.me).read_messages
    with pytest.raises(discord.Forbidden) as refused:
        await general.send("weekly prompt")
    assert refused.value.code == 50013
    assert standin.messages("general") == []

    back = asyncio.create_task(bot.wait_for("guild_channel_update", timeout=5))
    await asyncio.sleep(0)
    await standin.set_permission_overwrite("general", standin.bot_user_id)  # removed
    await back
    assert general.permissions_for(general.guild.me).send_messages
    await general.send("weekly prompt")
    assert [m.content for m in standin.messages("general")] == ["weekly prompt"]
    with pytest.raises(KeyError, match="neither a member nor a role"):
        await standin.set_permission_overwrite("general", 12345, deny=SEND_MESSAGES)


async def test_a_moderator_deletes_a_message_and_a_thread(standin: StandIn, bot: MiniBot) -> None:
    await standin.invoke("ada", "discuss", {"topic": "redis"})
    await standin.wait_for_message("redis")
    thread = standin.threads[-1]
    starter = next(m for m in standin.messages("prodevprojectnexus") if m.id == thread.message_id)
    channel = bot.get_channel(starter.channel_id)
    assert isinstance(channel, discord.TextChannel)

    heard = asyncio.create_task(bot.wait_for("thread_delete", timeout=5))
    await asyncio.sleep(0)
    await standin.delete_thread(thread)
    assert (await heard).id == thread.id and bot.get_channel(thread.id) is None
    with pytest.raises(discord.NotFound) as fetched:
        await bot.fetch_channel(thread.id)
    assert fetched.value.code == 10003
    assert standin.threads == [] and starter in standin.messages("prodevprojectnexus")  # the starter stays

    gone = asyncio.create_task(bot.wait_for("raw_message_delete", timeout=5))
    await asyncio.sleep(0)
    await standin.delete_message(starter)
    assert (await gone).message_id == starter.id
    with pytest.raises(discord.NotFound) as edited:
        await channel.get_partial_message(starter.id).edit(content="x")
    assert edited.value.code == 10008
    assert standin.messages("prodevprojectnexus") == []
