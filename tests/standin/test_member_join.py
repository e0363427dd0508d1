"""A member joins the server as on Discord: GUILD_MEMBER_ADD (no roles yet), then GUILD_MEMBER_UPDATE
for each role given, so a bot with the Server Members intent knows the newcomer and their roles."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest

from sandbox.standin import StandIn

from .conftest import MiniBot

pytestmark = pytest.mark.asyncio


async def cached_member(bot: MiniBot, guild_id: int, member_id: int, roles: int) -> discord.Member:
    """The member as the bot's cache holds it, once it holds `roles` roles besides @everyone."""
    guild = bot.get_guild(guild_id)
    assert guild is not None
    for _ in range(500):
        member = guild.get_member(member_id)
        if member is not None and len(member.roles) - 1 == roles:
            return member
        await asyncio.sleep(0.01)
    raise AssertionError(f"the bot never cached member {member_id} with {roles} role(s)")


async def test_a_joining_member_reaches_the_bot_with_their_role_and_can_use_commands(
    standin: StandIn, bot: MiniBot
) -> None:
    seen: list[tuple[str, Any]] = []

    async def on_member_join(member: discord.Member) -> None:
        seen.append(("join", member.name))  # (its roles may be updated in place before this runs)

    async def on_member_update(before: discord.Member, after: discord.Member) -> None:
        seen.append(("update", [r.name for r in before.roles if not r.is_default()],
                     [r.name for r in after.roles if not r.is_default()]))

    bot.add_listener(on_member_join)
    bot.add_listener(on_member_update)
    count = len(standin.guild.members)

    grace = await standin.add_member("grace", "Backend")

    assert standin.guild.member("grace") is grace and len(standin.guild.members) == count + 1
    member = await cached_member(bot, standin.guild.id, grace.id, roles=1)
    assert member.name == "grace" and [r.name for r in member.roles][1:] == ["Backend"]
    for _ in range(100):  # the listeners run as tasks of their own, after the cache is updated
        if len(seen) == 2:
            break
        await asyncio.sleep(0.01)
    assert seen == [("join", "grace"), ("update", [], ["Backend"])]  # joined bare, then given the role
    assert bot.get_guild(standin.guild.id).member_count == count + 1  # type: ignore[union-attr]
    reply = await standin.invoke("grace", "ping")  # a newcomer's command is answered like anyone's
    assert reply.message.text == "pong"
    shown = await standin.invoke("mentor", "info", {"user": "grace", "channel": "general", "role": "Backend"})
    assert shown.message.text.startswith("grace|general|Backend|") and "roles=Backend" in shown.message.text

    hugo = await standin.add_member("hugo")  # no role: only GUILD_MEMBER_ADD
    assert (await cached_member(bot, standin.guild.id, hugo.id, roles=0)).name == "hugo"
    assert hugo.id != grace.id


async def test_a_join_is_refused_as_discord_refuses_it(standin: StandIn) -> None:
    for name, why in (("ada", "is taken"), ("Grace", "not a Discord username"), ("g", "not a Discord username"),
                      ("grace hopper", "not a Discord username")):
        with pytest.raises(ValueError, match=why):
            await standin.add_member(name)
    with pytest.raises(ValueError, match="managed by an integration"):
        await standin.add_member("grace", "Nexus")
    with pytest.raises(ValueError, match="everyone has it"):
        await standin.add_member("grace", "@everyone")
    with pytest.raises(ValueError, match="unknown role 'Designers'"):
        await standin.add_member("grace", "Designers")
    assert "grace" not in [m.name for m in standin.guild.members]  # a refused join adds no one


async def test_a_snapshot_keeps_the_members_who_joined_with_their_roles(standin: StandIn) -> None:
    grace = await standin.add_member("grace", "Frontend")
    async with StandIn() as fresh:
        fresh.restore(standin.snapshot())
        kept = fresh.guild.member("grace")
        assert (kept.id, kept.roles) == (grace.id, [fresh.guild.role("Frontend").id])
        later = await fresh.add_member("hugo")
        assert later.id not in {m.id for m in standin.guild.members}  # no id given twice

