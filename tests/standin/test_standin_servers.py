"""Many servers: generated ones beside the demo server, as a bot in hundreds of cohorts sees them."""

from __future__ import annotations

import asyncio

import discord
import pytest

from sandbox.standin import StandIn, build_generated_guilds

from .conftest import FleetBot, MiniBot, running_bot, running_standin, start_bot, stop_bot


def test_generated_servers_are_fixed_distinct_and_set_up_for_nexus() -> None:
    bot_id = 42
    first, again = build_generated_guilds(3, bot_id), build_generated_guilds(3, bot_id)
    assert [g.id for g in first] == [g.id for g in again]
    roles = [r for g in first for r in g.roles if r is not g.everyone]  # @everyone's id is the guild's, by design
    ids = [x.id for g in first for x in (g, *g.channels, *g.members) if x.id != bot_id] + [r.id for r in roles]
    assert len(ids) == len(set(ids))
    assert all(g.everyone.id == g.id for g in first)
    two = first[1]
    assert two.name == "ProDev cohort 2" and two.admin.name == "admin2"
    assert [m.name for m in two.learners] == ["learner2a", "learner2b"]
    perms = discord.Permissions(two.permissions_in(two.bot_member, two.post_channel))
    assert perms.send_messages and perms.embed_links and perms.create_public_threads
    assert discord.Permissions(two.base_permissions(two.admin)).manage_guild
    assert two.admin.id != two.owner_id
    assert not discord.Permissions(two.base_permissions(two.learners[0])).manage_guild


async def test_500_extra_servers_connect_and_the_bot_posts_in_each() -> None:
    async with running_standin(extra_guilds=500) as standin:
        bot = FleetBot()
        async with running_bot(bot, standin, ready_within=60):
            assert len(bot.guilds) == 501 and len(standin.guilds) == 501
            channels = []
            for generated in standin.extra_guilds:
                guild = bot.get_guild(generated.id)
                assert guild is not None and guild.name == generated.name
                channel = guild.get_channel(generated.post_channel.id)
                assert isinstance(channel, discord.TextChannel)
                assert channel.permissions_for(guild.me).send_messages
                channels.append(channel)
            await asyncio.gather(*(c.send(f"week 1 prompt for {c.guild.name}") for c in channels))
            for generated in standin.extra_guilds:
                posted = standin.messages(generated.post_channel.id)
                assert [m.content for m in posted] == [f"week 1 prompt for {generated.name}"]
                assert posted[0].guild_id == generated.id
            assert standin.messages("prodevprojectnexus") == []  # the demo server got nothing


async def test_a_member_of_another_server_invokes_a_command_there() -> None:
    async with running_standin(extra_guilds=3) as standin:
        async with running_bot(FleetBot(), standin):
            await standin.wait_for_commands()
            third = standin.extra_guilds[2]
            by_admin = await standin.invoke(third.admin, "where")
            assert by_admin.message is not None
            assert by_admin.message.content == "ProDev cohort 3|#prodevprojectnexus|admin3|manage_guild=True"
            by_name = await standin.invoke("learner3a", "where", guild=third, channel="general")
            assert by_name.message is not None
            assert by_name.message.content == "ProDev cohort 3|#general|learner3a|manage_guild=False"
            in_demo = await standin.invoke("ada", "where")  # no server named: the demo one
            assert in_demo.message is not None and in_demo.message.content.startswith("ProDev Nexus (sandbox)|")
            with pytest.raises(KeyError, match="unknown member"):
                await standin.invoke(third.admin, "where", guild=standin.extra_guilds[0])
            with pytest.raises(ValueError, match="not in"):
                await standin.invoke(third.admin, "where", channel=standin.extra_guilds[0].post_channel.id,
                                     guild=third)


async def test_guild_commands_are_only_seen_in_their_own_server() -> None:
    async with running_standin(extra_guilds=1) as standin:
        bot, task = await start_bot(standin)  # MiniBot syncs its commands to the demo server only
        try:
            await standin.wait_for_commands()
            assert (await standin.invoke("ada", "ping")).message is not None
            with pytest.raises(ValueError, match="unknown command 'ping'"):
                await standin.invoke(standin.extra_guilds[0].admin, "ping")
        finally:
            await stop_bot(bot, task)


async def test_rest_answers_for_every_server(standin: StandIn) -> None:
    assert standin.extra_guilds == [] and standin.guilds == [standin.guild]
    async with running_standin(extra_guilds=2) as many:
        bot = MiniBot(many.guild.id, sync=False)
        async with running_bot(bot, many):
            second = many.extra_guilds[1]
            fetched = await bot.fetch_guild(second.id)
            assert fetched.name == "ProDev cohort 2"
            admin = await fetched.fetch_member(second.admin.id)
            assert [r.name for r in admin.roles if not r.is_default()] == ["Mentor"]
            with pytest.raises(discord.NotFound):
                await fetched.fetch_member(many.guild.member("ada").id)  # a member of the demo server only
            names = sorted(c.name for c in await fetched.fetch_channels())
            assert names == ["general", "prodevprojectnexus"]
            # members intent on: the bot received every server whole, so nothing needed chunking
            assert all(g.chunked for g in bot.guilds) and len(bot.guilds) == 3
