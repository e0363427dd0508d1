"""Generated servers the stand-in serves besides the demo one: `StandIn(extra_guilds=N)`.

Each is a small cohort server set up the way a community admin would for Nexus: a
#prodevprojectnexus channel the bot can post in (the same name as the demo's, so a command
invoked there needs no `channel=`), the Nexus, Mentor, Backend and Frontend roles, an admin with
Manage Server through the Mentor role (not the owner, so a check of the admin's permissions is
really exercised), the owner, and two learners. The bot is the same user in every server.

Ids are fixed snowflakes from an instant other than the demo's, so runs reproduce; usernames
carry the server's number because Discord usernames are unique across Discord. Each server's ids
are one millisecond after the previous server's: a server's shard is `(guild_id >> 22) %
shard_count`, the millisecond of its id, so servers made one after another spread over the shards
as real ones do (ids one increment apart would all land on the same shard).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from discord.utils import time_snowflake

from .demo import (
    EVERYONE_PERMISSIONS,
    MENTOR_PERMISSIONS,
    NEXUS_PERMISSIONS,
    DemoChannel,
    DemoGuild,
    DemoMember,
    DemoRole,
)

POST_CHANNEL = "prodevprojectnexus"
_BASE_ID = time_snowflake(dt.datetime(2025, 2, 3, 9, 0, tzinfo=dt.UTC))
_IDS_PER_GUILD = 32  # room for every id one generated server needs
_ONE_MILLISECOND = 1 << 22  # a snowflake's timestamp starts at bit 22


def generated_id(number: int, n: int) -> int:
    """The n-th fixed snowflake of generated server `number` (1-based)."""
    if not 0 <= n < _IDS_PER_GUILD:
        raise ValueError(f"a generated server has {_IDS_PER_GUILD} ids, not an id number {n}")
    return _BASE_ID + number * _ONE_MILLISECOND + n


@dataclass
class GeneratedGuild(DemoGuild):
    """A generated server; `admin`, `learners` and `post_channel` name its parts."""

    number: int = 0

    @property
    def admin(self) -> DemoMember:
        return self.member(f"admin{self.number}")

    @property
    def learners(self) -> list[DemoMember]:
        return [m for m in self.members if m.name.startswith(f"learner{self.number}")]

    @property
    def post_channel(self) -> DemoChannel:
        return self.channel(POST_CHANNEL)


def build_generated_guild(number: int, bot_id: int) -> GeneratedGuild:
    """Generated server `number` (1-based); `bot_id` is the bot's user id (the demo's)."""
    guild_id = generated_id(number, 0)
    nexus_role, mentor_role = generated_id(number, 1), generated_id(number, 2)
    backend_role, frontend_role = generated_id(number, 3), generated_id(number, 4)
    roles = [
        DemoRole(guild_id, "@everyone", EVERYONE_PERMISSIONS, position=0),
        DemoRole(nexus_role, "Nexus", NEXUS_PERMISSIONS, position=4, managed=True, bot_id=bot_id),
        DemoRole(mentor_role, "Mentor", MENTOR_PERMISSIONS, position=3, hoist=True),
        DemoRole(backend_role, "Backend", 0, position=2, mentionable=True),
        DemoRole(frontend_role, "Frontend", 0, position=1, mentionable=True),
    ]
    channels = [
        DemoChannel(generated_id(number, 5), "general", position=0),
        DemoChannel(generated_id(number, 6), POST_CHANNEL, position=1, topic="Projects, pairing and weekly prompts"),
    ]
    owner_id = generated_id(number, 10)
    members = [
        DemoMember(bot_id, "nexus", [nexus_role], bot=True),
        DemoMember(owner_id, f"owner{number}"),
        DemoMember(generated_id(number, 11), f"admin{number}", [mentor_role]),
        DemoMember(generated_id(number, 12), f"learner{number}a", [backend_role]),
        DemoMember(generated_id(number, 13), f"learner{number}b", [frontend_role]),
    ]
    return GeneratedGuild(
        id=guild_id,
        name=f"ProDev cohort {number}",
        owner_id=owner_id,
        channels=channels,
        roles=roles,
        members=members,
        number=number,
    )


def build_generated_guilds(count: int, bot_id: int) -> list[GeneratedGuild]:
    if count < 0:
        raise ValueError(f"extra_guilds must be 0 or more, not {count}")
    return [build_generated_guild(number, bot_id) for number in range(1, count + 1)]
