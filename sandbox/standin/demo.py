"""The demo server the stand-in serves: "ProDev Nexus (sandbox)".

Every id is a fixed snowflake (derived from one fixed instant), so scripts and tests can be written
against it and reproduce exactly. Names are lowercase like Discord usernames; lookups accept a name
or an id, case-insensitive, with or without a leading `#` / `@`.

Permission maths follow Discord's own algorithm (guild base permissions from @everyone and the
member's roles, then the channel's overwrites: @everyone, roles, member), so what the stand-in
allows the bot to do is what Discord would allow in a server set up this way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from discord import Permissions
from discord.utils import time_snowflake

TEXT_CHANNEL = 0
DM_CHANNEL = 1
CATEGORY = 4
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12

_CREATED = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)
_JOINED = dt.datetime(2025, 1, 6, 10, 0, tzinfo=dt.UTC)
_BASE_ID = time_snowflake(_CREATED)

ALL_PERMISSIONS = Permissions.all().value
ADMINISTRATOR = Permissions(administrator=True).value
VIEW_CHANNEL = Permissions(view_channel=True).value
SEND_MESSAGES = Permissions(send_messages=True).value
SEND_IN_THREADS = Permissions(send_messages_in_threads=True).value
_NEEDS_SEND = Permissions(send_tts_messages=True, mention_everyone=True, embed_links=True, attach_files=True).value

EVERYONE_PERMISSIONS = Permissions(
    view_channel=True,
    send_messages=True,
    use_application_commands=True,
    read_message_history=True,
    create_public_threads=True,
    send_messages_in_threads=True,
).value
NEXUS_PERMISSIONS = Permissions(
    send_messages=True,
    embed_links=True,
    create_public_threads=True,
    create_private_threads=True,
    manage_threads=True,
    send_messages_in_threads=True,
    read_message_history=True,
).value
MENTOR_PERMISSIONS = Permissions(manage_guild=True, manage_messages=True).value


def demo_id(n: int) -> int:
    """The n-th fixed snowflake of the demo server (same instant, increasing increment)."""
    return _BASE_ID + n


def _iso(when: dt.datetime) -> str:
    return when.isoformat()


def _key(text: str) -> str:
    return text.strip().lstrip("#@").strip().casefold()


_MENTION = re.compile(r"^<(?:#|@!?|@&)(\d+)>$")


def _as_id(value: int | str) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = value.strip()
    match = _MENTION.match(text)
    if match:
        return int(match.group(1))
    return int(text) if text.isdigit() else None


@dataclass
class DemoRole:
    id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0
    hoist: bool = False
    managed: bool = False
    mentionable: bool = False
    bot_id: int | None = None

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            payload["tags"] = {"bot_id": str(self.bot_id)}
        return payload


@dataclass
class DemoOverwrite:
    """A channel permission overwrite: `type` 0 targets a role, 1 a member."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def to_payload(self) -> dict[str, Any]:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


@dataclass
class DemoChannel:
    id: int
    name: str
    type: int = TEXT_CHANNEL
    overwrites: list[DemoOverwrite] = field(default_factory=list)
    parent_id: int | None = None
    position: int = 0
    topic: str | None = None

    def to_payload(self, guild_id: int) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "guild_id": str(guild_id),
            "type": self.type,
            "name": self.name,
            "position": self.position,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "topic": self.topic,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
            "permission_overwrites": [o.to_payload() for o in self.overwrites],
        }


@dataclass
class DemoMember:
    id: int
    name: str
    roles: list[int] = field(default_factory=list)
    bot: bool = False
    joined_at: dt.datetime = _JOINED
    # False: the member closed DMs from server members, so a bot's DM fails (403, code 50007).
    accepts_dms: bool = True

    def user_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
        }

    def to_payload(self, *, with_user: bool = True) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "roles": [str(r) for r in self.roles],
            "nick": None,
            "avatar": None,
            "banner": None,
            "joined_at": _iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            payload["user"] = self.user_payload()
        return payload


@dataclass
class DemoGuild:
    id: int
    name: str
    owner_id: int
    channels: list[DemoChannel] = field(default_factory=list)
    roles: list[DemoRole] = field(default_factory=list)
    members: list[DemoMember] = field(default_factory=list)

    # -- lookups ---------------------------------------------------------------------------
    def _find(self, kind: str, items: list[Any], value: int | str) -> Any:
        wanted = _as_id(value)
        for item in items:
            if wanted is not None and item.id == wanted:
                return item
        if isinstance(value, str):
            key = _key(value)
            for item in items:
                if item.name.casefold() == key:
                    return item
        known = ", ".join(item.name for item in items)
        raise KeyError(f"unknown {kind} {value!r} in {self.name!r}; known: {known}")

    def channel(self, value: int | str) -> DemoChannel:
        found: DemoChannel = self._find("channel", self.channels, value)
        return found

    def role(self, value: int | str) -> DemoRole:
        if isinstance(value, str) and _key(value) == "everyone":
            return self.everyone
        found: DemoRole = self._find("role", self.roles, value)
        return found

    def member(self, value: int | str) -> DemoMember:
        found: DemoMember = self._find("member", self.members, value)
        return found

    @property
    def everyone(self) -> DemoRole:
        return next(r for r in self.roles if r.id == self.id)

    @property
    def bot_member(self) -> DemoMember:
        return next(m for m in self.members if m.bot)

    # -- permissions (Discord's algorithm) ---------------------------------------------------
    def base_permissions(self, member: DemoMember | int | str) -> int:
        m = member if isinstance(member, DemoMember) else self.member(member)
        if m.id == self.owner_id:
            return ALL_PERMISSIONS
        perms = self.everyone.permissions
        for role in self.roles:
            if role.id in m.roles:
                perms |= role.permissions
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def permissions_in(self, member: DemoMember | int | str, channel: DemoChannel | int | str) -> int:
        """The member's effective permissions in a channel, computed the way Discord does."""
        m = member if isinstance(member, DemoMember) else self.member(member)
        ch = channel if isinstance(channel, DemoChannel) else self.channel(channel)
        perms = self.base_permissions(m)
        if perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        overwrites = {(o.type, o.id): o for o in ch.overwrites}
        everyone = overwrites.get((0, self.id))
        if everyone is not None:
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in m.roles:
            ow = overwrites.get((0, role_id))
            if ow is not None:
                allow |= ow.allow
                deny |= ow.deny
        perms = (perms & ~deny) | allow
        own = overwrites.get((1, m.id))
        if own is not None:
            perms = (perms & ~own.deny) | own.allow
        if not perms & VIEW_CHANNEL:
            return 0
        if not perms & SEND_MESSAGES:
            perms &= ~_NEEDS_SEND
        return perms

    # -- payload ---------------------------------------------------------------------------
    def to_payload(self) -> dict[str, Any]:
        """The GUILD_CREATE `d` for this server (no threads: the stand-in adds its live ones)."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": "A local stand-in of the ProDev community server",
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "system_channel_id": str(self.channels[0].id) if self.channels else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [r.to_payload() for r in self.roles],
            "application_id": None,
            "unavailable": False,
            "large": False,
            "lazy": True,
            "joined_at": _iso(_JOINED),
            "member_count": len(self.members),
            "members": [m.to_payload() for m in self.members],
            "channels": [c.to_payload(self.id) for c in self.channels],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


LEARNERS: tuple[tuple[str, str | None], ...] = (
    ("ada", "Backend"),
    ("ben", "Frontend"),
    ("chioma", "Backend"),
    ("diego", "Frontend"),
    ("esi", "Backend"),
    ("femi", None),
)


# The second demo server (`python -m bot sandbox --processes 2`): the same setup with its own people.
# Usernames are unique across Discord, so none is the first server's.
SECOND_LEARNERS: tuple[tuple[str, str | None], ...] = (
    ("kemi", "Backend"),
    ("tunde", "Frontend"),
    ("zainab", "Backend"),
    ("yaw", "Frontend"),
)
# Its ids are one millisecond after the first server's: a server's shard is `(guild_id >> 22) %
# shard_count`, the millisecond of its id, so with two shards the first server is on shard 0 and
# this one on shard 1.
_SECOND_BASE = _BASE_ID + (1 << 22)


def build_demo_guild() -> DemoGuild:
    """A fresh copy of the demo server (safe to mutate)."""
    return _build_demo(demo_id, "ProDev Nexus (sandbox)", ("lead", "mentor"), LEARNERS)


def build_second_demo_guild() -> DemoGuild:
    """A fresh copy of the second demo server, on shard 1 of 2 (the first is on shard 0): the same
    roles and channels, the same bot user, its own lead, mentor and learners."""
    return _build_demo(lambda n: _SECOND_BASE + n, "ProDev Nexus 2 (sandbox)", ("lead2", "mentor2"), SECOND_LEARNERS)


def _build_demo(
    new_id: Callable[[int], int], name: str, staff: tuple[str, str], learners: tuple[tuple[str, str | None], ...]
) -> DemoGuild:
    guild_id = new_id(1)
    bot_id = demo_id(2)  # the bot user, the same in every server; the stand-in uses it as the application id too
    nexus_role, mentor_role, backend_role, frontend_role = new_id(11), new_id(12), new_id(13), new_id(14)
    roles = [
        DemoRole(guild_id, "@everyone", EVERYONE_PERMISSIONS, position=0),
        DemoRole(nexus_role, "Nexus", NEXUS_PERMISSIONS, position=4, managed=True, bot_id=bot_id),
        DemoRole(mentor_role, "Mentor", MENTOR_PERMISSIONS, position=3, color=0xE67E22, hoist=True),
        DemoRole(backend_role, "Backend", 0, position=2, color=0x3498DB, mentionable=True),
        DemoRole(frontend_role, "Frontend", 0, position=1, color=0x2ECC71, mentionable=True),
    ]
    channels = [
        DemoChannel(new_id(21), "general", position=0, topic="Say hello"),
        DemoChannel(
            new_id(22),
            "prodevprojectnexus",
            position=1,
            topic="Projects, pairing, topics and weekly check-ins",
        ),
        DemoChannel(
            new_id(23),
            "announcements",
            position=2,
            topic="Program announcements",
            overwrites=[DemoOverwrite(nexus_role, 0, deny=SEND_MESSAGES)],
        ),
    ]
    lead_id = new_id(31)
    lead, mentor = staff
    members = [
        DemoMember(bot_id, "nexus", [nexus_role], bot=True),
        DemoMember(lead_id, lead),
        DemoMember(new_id(32), mentor, [mentor_role]),
    ]
    by_name = {"Backend": backend_role, "Frontend": frontend_role}
    for n, (learner, discipline) in enumerate(learners):
        members.append(DemoMember(new_id(41 + n), learner, [by_name[discipline]] if discipline else []))
    return DemoGuild(
        id=guild_id,
        name=name,
        owner_id=lead_id,
        channels=channels,
        roles=roles,
        members=members,
    )
