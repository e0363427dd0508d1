"""The stand-in's in-memory Discord: its servers, messages, threads, DMs and synced commands.

Everything here renders Discord's JSON shapes (what discord.py parses) from the records in
`_records.py`. Methods that change state and that Discord would announce over the gateway are
coroutines and emit the dispatch through `self.emit` (the gateway's `dispatch`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from discord.utils import time_snowflake

from ._commands import CommandStore
from ._directory import Directory
from ._records import MessageRecord, ThreadRecord, requesting_client
from .demo import (
    DM_CHANNEL,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    SEND_IN_THREADS,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    DemoChannel,
    DemoGuild,
    DemoMember,
    DemoRole,
    demo_id,
)

INTENT_GUILDS = 1 << 0
INTENT_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DM_MESSAGES = 1 << 12

MANAGE_THREADS = 1 << 34
MENTION_EVERYONE = 1 << 17
DM_PERMISSIONS = (1 << 10) | SEND_MESSAGES | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 6)

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
# Discord's usernames since 2023: unique, 2 to 32 characters, lowercase letters, digits, _ and .
_USERNAME = re.compile(r"^[a-z0-9_.]{2,32}$")
# The fixed snowflakes of members who join while the stand-in runs: demo_id(JOINED_IDS_FROM + n)
# for the n-th (the demo's own members use ids below 50).
JOINED_IDS_FROM = 200

Emit = Callable[[str, dict[str, Any], int | None], Awaitable[None]]
MessagePredicate = Callable[[MessageRecord], bool]


async def _no_emit(event: str, data: dict[str, Any], intent: int | None) -> None:
    return None


@dataclass(frozen=True)
class Pings:
    """Whom one message notifies (see `StandInState.pings`)."""

    users: list[int] = field(default_factory=list)
    roles: list[int] = field(default_factory=list)
    everyone: str | None = None  # "@everyone" or "@here" when it notifies the channel

    @property
    def nobody(self) -> bool:
        return not (self.users or self.roles or self.everyone)


def iso(when: dt.datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


class StandInState:
    def __init__(self, guilds: list[DemoGuild], token: str) -> None:
        self.guild = guilds[0]  # the demo server: where names resolve when no server is named
        self.directory = Directory(guilds)
        self.token = token
        self.bot: DemoMember = self.guild.bot_member
        self.bot_user_id = self.bot.id
        self.application_id = self.bot.id
        self.emit: Emit = _no_emit
        self._last_id = 0
        self.messages_by_id: dict[int, MessageRecord] = {}
        self.channel_messages: dict[int, list[MessageRecord]] = defaultdict(list)
        self.threads: dict[int, ThreadRecord] = {}
        self.deleted_channel_ids: set[int] = set()  # channels and threads deleted (their messages stay readable)
        self.dm_by_member: dict[int, int] = {}
        self.member_by_dm: dict[int, int] = {}
        self.commands = CommandStore(self)
        self._waiters: list[tuple[int | str | None, MessagePredicate | None, asyncio.Future[MessageRecord]]] = []
        self._interaction_metadata: dict[int, dict[str, Any]] = {}
        self.cdn_base = "http://127.0.0.1"
        self.attachment_data: dict[int, bytes] = {}
        # Discord remembers a nonce sent with `enforce_nonce` for "a few minutes": within that window
        # the same author's same nonce returns the message it made instead of a second one.
        self.nonce_window = dt.timedelta(minutes=5)
        # Members who joined while the stand-in ran (`StandIn.add_member`), oldest first, with the
        # server they joined: a snapshot keeps them, since the demo server is built without them.
        self.joined: list[tuple[DemoGuild, DemoMember]] = []
        # What a new message's timestamp reads (`StandIn.clock`): Discord's now, or a simulated one.
        self.now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)

    # -- ids and lookups --------------------------------------------------------------------
    def new_id(self) -> int:
        """A fresh snowflake for now, strictly increasing."""
        candidate = time_snowflake(dt.datetime.now(dt.UTC))
        self._last_id = max(candidate, self._last_id + 1)
        return self._last_id

    def member(self, value: int | str | DemoMember, guild: DemoGuild | None = None) -> DemoMember:
        """A member of `guild` (default: the demo server) by name, mention or id."""
        where = guild if guild is not None else self.guild
        if isinstance(value, DemoMember):
            value = value.id
        return where.member(value)

    def joining_roles(self, guild: DemoGuild, roles: tuple[int | str | DemoRole, ...]) -> list[DemoRole]:
        """The roles a joining member is to be given, refused as Discord refuses them (ValueError)."""
        found = []
        for value in roles:
            try:
                role = value if isinstance(value, DemoRole) else guild.role(value)
            except KeyError as exc:
                raise ValueError(exc.args[0]) from None
            if role.id == guild.id or role.managed:
                raise ValueError(f"the role {role.name} cannot be given to a member: "
                                 f"{'everyone has it' if role.id == guild.id else 'it is managed by an integration'}")
            found.append(role)
        return found

    def join(self, guild: DemoGuild, name: str, *, joined_at: dt.datetime | None = None) -> DemoMember:
        """Add a new user to `guild` as a member without roles (no gateway event: see `add_member`)."""
        if not _USERNAME.match(name):
            raise ValueError(f"{name!r} is not a Discord username: 2 to 32 lowercase letters, digits, _ or .")
        taken = {m.name.casefold() for g in self.directory.guilds for m in g.members}
        taken.update(m.name.casefold() for _, m in self.joined)
        if name.casefold() in taken:
            raise ValueError(f"the username {name!r} is taken: usernames are unique on Discord")
        first = demo_id(JOINED_IDS_FROM)
        member = DemoMember(max((m.id + 1 for _, m in self.joined), default=first), name,
                            joined_at=joined_at or dt.datetime.now(dt.UTC))
        guild.members.append(member)
        self.joined.append((guild, member))
        return member

    def find_member(self, user_id: int, guild: DemoGuild | None = None) -> DemoMember | None:
        """This user as a member of `guild`; without one, of the first server that has them."""
        if guild is None:
            return self.directory.user(user_id)
        return next((m for m in guild.members if m.id == user_id), None)

    def guild_channel(self, channel_id: int) -> DemoChannel | None:
        found = self.directory.channel(channel_id)
        return found[1] if found is not None else None

    def guild_of(self, channel_id: int) -> DemoGuild | None:
        """The server a channel or thread is in (None for a DM or an unknown channel)."""
        thread = self.threads.get(channel_id)
        found = self.directory.channel(thread.parent_id if thread is not None else channel_id)
        return found[0] if found is not None else None

    def channel_id(self, value: int | str | DemoChannel, guild: DemoGuild | None = None) -> int:
        """A channel, thread (by name: the newest) or DM channel id, from a name or id.

        Ids are found in every server; names in `guild` (default: the demo server).
        """
        if isinstance(value, DemoChannel):
            value = value.id
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            wanted = int(value)
            if self.is_known_channel(wanted):
                return wanted
        where = guild if guild is not None else self.guild
        try:
            return where.channel(value).id
        except KeyError as exc:
            threads = [t for t in self.threads.values() if t.guild_id == where.id]
            if isinstance(value, str):
                key = value.strip().lstrip("#").casefold()
                for thread in reversed(threads):
                    if thread.name.casefold() == key:
                        return thread.id
            raise KeyError(f"{exc.args[0]}; threads: {', '.join(t.name for t in threads)}") from None

    def is_known_channel(self, channel_id: int) -> bool:
        return channel_id in self.threads or channel_id in self.member_by_dm or bool(self.guild_channel(channel_id))

    def guild_id_of(self, channel_id: int) -> int | None:
        guild = self.guild_of(channel_id)
        return guild.id if guild is not None else None

    def permissions(self, member_id: int, channel_id: int) -> int:
        """What `member_id` may do in a channel, thread or DM, as Discord computes it."""
        if channel_id in self.member_by_dm:
            return DM_PERMISSIONS
        thread = self.threads.get(channel_id)
        found = self.directory.channel(thread.parent_id if thread else channel_id)
        if found is None:
            return 0
        guild, parent = found
        member = self.find_member(member_id, guild)
        if member is None:
            return 0
        perms = guild.permissions_in(member, parent)
        if thread and thread.private and member_id not in thread.member_ids and not perms & MANAGE_THREADS:
            return 0
        return perms

    def can_post(self, member_id: int, channel_id: int) -> bool:
        need = SEND_IN_THREADS if channel_id in self.threads else SEND_MESSAGES
        return bool(self.permissions(member_id, channel_id) & need)

    # -- payloads ---------------------------------------------------------------------------
    def user_payload(self, user_id: int) -> dict[str, Any]:
        member = self.find_member(user_id)
        if member is None:
            return {
                "id": str(user_id),
                "username": f"user-{user_id}",
                "global_name": None,
                "discriminator": "0",
                "avatar": None,
                "bot": False,
                "public_flags": 0,
            }
        return member.user_payload()

    def bot_user_payload(self) -> dict[str, Any]:
        payload = self.bot.user_payload()
        payload.update(verified=True, mfa_enabled=False, locale="en-US", email=None)
        return payload

    def member_payload(
        self, member_id: int, channel_id: int | None = None, *, with_user: bool = True
    ) -> dict[str, Any]:
        guild = self.guild_of(channel_id) if channel_id is not None else None
        payload = self.member(member_id, guild).to_payload(with_user=with_user)
        if channel_id is not None:
            payload["permissions"] = str(self.permissions(member_id, channel_id))
        return payload

    def thread_payload(self, thread: ThreadRecord, *, member_for: int | None = None) -> dict[str, Any]:
        last = self.channel_messages.get(thread.id)
        payload: dict[str, Any] = {
            "id": str(thread.id),
            "guild_id": str(thread.guild_id),
            "parent_id": str(thread.parent_id),
            "owner_id": str(thread.owner_id),
            "name": thread.name,
            "type": thread.type,
            "last_message_id": str(last[-1].id) if last else None,
            "message_count": thread.message_count,
            "total_message_sent": thread.message_count,
            "member_count": min(len(thread.member_ids), 50),
            "rate_limit_per_user": 0,
            "flags": 0,
            "applied_tags": [],
            "thread_metadata": {
                "archived": thread.archived,
                "auto_archive_duration": thread.auto_archive_duration,
                "archive_timestamp": iso(thread.created_at),
                "locked": thread.locked,
                "invitable": thread.invitable,
                "create_timestamp": iso(thread.created_at),
            },
        }
        if member_for is not None and member_for in thread.member_ids:
            payload["member"] = self.thread_member_payload(thread, member_for)
        return payload

    def thread_member_payload(self, thread: ThreadRecord, user_id: int, *, with_member: bool = False) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(thread.id),
            "user_id": str(user_id),
            "join_timestamp": iso(thread.created_at),
            "flags": 0,
        }
        guild = self.directory.guild(thread.guild_id)
        if with_member and guild is not None and self.find_member(user_id, guild):
            payload["member"] = self.member(user_id, guild).to_payload()
        return payload

    def channel_payload(self, channel_id: int) -> dict[str, Any]:
        if channel_id in self.threads:
            return self.thread_payload(self.threads[channel_id], member_for=self.bot_user_id)
        if channel_id in self.member_by_dm:
            last = self.channel_messages.get(channel_id)
            return {
                "id": str(channel_id),
                "type": DM_CHANNEL,
                "last_message_id": str(last[-1].id) if last else None,
                "flags": 0,
                "recipients": [self.user_payload(self.member_by_dm[channel_id])],
            }
        found = self.directory.channel(channel_id)
        if found is None:
            raise KeyError(channel_id)
        guild, channel = found
        payload = channel.to_payload(guild.id)
        last = self.channel_messages.get(channel_id)
        payload["last_message_id"] = str(last[-1].id) if last else None
        return payload

    def active_threads(self, guild: DemoGuild) -> list[ThreadRecord]:
        return [t for t in self.threads.values() if not t.archived and t.guild_id == guild.id]

    def guild_create_payload(self, guild: DemoGuild) -> dict[str, Any]:
        payload = guild.to_payload()
        payload["channels"] = [self.channel_payload(c.id) for c in guild.channels]
        payload["threads"] = [self.thread_payload(t, member_for=self.bot_user_id) for t in self.active_threads(guild)]
        return payload

    def guild_payload(self, guild: DemoGuild) -> dict[str, Any]:
        """GET /guilds/{id}: the guild object without the gateway-only members/channels/threads."""
        payload = guild.to_payload()
        for key in (
            "members",
            "channels",
            "threads",
            "presences",
            "voice_states",
            "joined_at",
            "large",
            "member_count",
            "unavailable",
            "lazy",
            "stage_instances",
            "guild_scheduled_events",
            "soundboard_sounds",
        ):
            payload.pop(key, None)
        payload["approximate_member_count"] = len(guild.members)
        payload["approximate_presence_count"] = 0
        return payload

    def _mentions(self, rec: MessageRecord) -> tuple[list[dict[str, Any]], list[str], bool]:
        am = rec.allowed_mentions
        parse = set(am.get("parse") or []) if am is not None else {"users", "roles", "everyone"}
        users_ok = {str(u) for u in (am or {}).get("users") or []}
        roles_ok = {str(r) for r in (am or {}).get("roles") or []}
        users = []
        for uid in dict.fromkeys(_USER_MENTION.findall(rec.content)):
            if ("users" in parse or uid in users_ok) and self.find_member(int(uid)):
                users.append(self.user_payload(int(uid)))
        roles = [
            rid for rid in dict.fromkeys(_ROLE_MENTION.findall(rec.content)) if "roles" in parse or rid in roles_ok
        ]
        everyone = (
            "everyone" in parse
            and ("@everyone" in rec.content or "@here" in rec.content)
            and bool(self.permissions(rec.author_id, rec.channel_id) & MENTION_EVERYONE)
            and rec.webhook_id is None
        )
        return users, roles, everyone

    def pings(self, rec: MessageRecord) -> Pings:
        """Whom a message notifies, as Discord decides it: mentions in its content (never in embeds)
        that its allowed_mentions let through (all of them when it sent none); a role only when it is
        mentionable or the author may mention everyone; @everyone and @here only with that permission;
        the replied-to author for a reply unless allowed_mentions says otherwise. An ephemeral message
        notifies no one."""
        if rec.ephemeral or rec.deleted:
            return Pings()
        am = rec.allowed_mentions
        users_payload, roles, everyone = self._mentions(rec)
        # Only someone who can see the message is notified: in a DM its recipient, in a server
        # channel whoever may view it.
        users = [int(u["id"]) for u in users_payload if self._sees(int(u["id"]), rec.channel_id)]
        guild = self.guild_of(rec.channel_id)
        may_everyone = bool(self.permissions(rec.author_id, rec.channel_id) & MENTION_EVERYONE)
        by_id = {r.id: r for r in guild.roles} if guild is not None else {}
        pinged_roles = [int(r) for r in roles if int(r) in by_id and (by_id[int(r)].mentionable or may_everyone)]
        reference = rec.message_reference or {}
        replied = self.messages_by_id.get(int(reference.get("message_id") or 0)) if reference else None
        if (replied is not None and (am is None or am.get("replied_user")) and replied.author_id not in users
                and self._sees(replied.author_id, rec.channel_id)):
            users.append(replied.author_id)
        shout = None
        if everyone or ("everyone" in (set(am.get("parse") or []) if am is not None else {"everyone"})
                        and may_everyone and ("@everyone" in rec.content or "@here" in rec.content)):
            shout = "@everyone" if "@everyone" in rec.content else "@here"
        return Pings(users=users, roles=pinged_roles, everyone=shout)

    def _sees(self, user_id: int, channel_id: int) -> bool:
        if channel_id in self.member_by_dm:
            return self.member_by_dm[channel_id] == user_id
        return bool(self.permissions(user_id, channel_id) & VIEW_CHANNEL)

    def message_payload(self, rec: MessageRecord) -> dict[str, Any]:
        users, roles, everyone = self._mentions(rec)
        payload: dict[str, Any] = {
            "id": str(rec.id),
            "channel_id": str(rec.channel_id),
            "type": rec.type,
            "author": self.user_payload(rec.author_id),
            "content": rec.content,
            "timestamp": iso(rec.created_at),
            "edited_timestamp": iso(rec.edited_at),
            "tts": False,
            "mention_everyone": everyone,
            "mentions": users,
            "mention_roles": roles,
            "attachments": rec.attachments,
            "embeds": rec.embeds,
            "components": rec.components,
            "pinned": False,
            "flags": rec.flags,
        }
        if rec.guild_id is not None:
            payload["guild_id"] = str(rec.guild_id)
        if rec.nonce is not None:
            payload["nonce"] = rec.nonce
        if rec.webhook_id is not None:
            payload["webhook_id"] = str(rec.webhook_id)
            payload["application_id"] = str(self.application_id)
        if rec.message_reference is not None:
            payload["message_reference"] = rec.message_reference
        metadata = self._interaction_metadata.get(rec.interaction_id or 0)
        if metadata:
            payload["interaction_metadata"] = metadata
        if rec.thread_id is not None and rec.thread_id in self.threads:
            payload["thread"] = self.thread_payload(self.threads[rec.thread_id], member_for=self.bot_user_id)
        return payload

    # -- messages ---------------------------------------------------------------------------
    def messages_in(self, channel_id: int) -> list[MessageRecord]:
        return [m for m in self.channel_messages.get(channel_id, []) if not m.deleted]

    def message_with_nonce(self, author_id: int, nonce: str) -> MessageRecord | None:
        """The message this author already made with this nonce within the nonce window, if any."""
        cutoff = self.now() - self.nonce_window
        for rec in reversed(list(self.messages_by_id.values())):
            if rec.nonce == nonce and rec.author_id == author_id and rec.created_at >= cutoff:
                return rec
        return None

    def add_message(self, rec: MessageRecord) -> MessageRecord:
        """Store a message; channel history only holds non-ephemeral ones."""
        self.messages_by_id[rec.id] = rec
        if rec.ephemeral:
            return rec
        self.channel_messages[rec.channel_id].append(rec)
        thread = self.threads.get(rec.channel_id)
        if thread is not None:
            thread.message_count += 1
            if rec.author_id not in thread.member_ids:
                thread.member_ids.append(rec.author_id)
        return rec

    def notify_new(self, rec: MessageRecord) -> None:
        """Wake `wait_for_message` waiters (called once the reply that made `rec` was written)."""
        if rec.ephemeral or rec.deleted:
            return
        for waiter in list(self._waiters):
            channel_id, predicate, future = waiter
            if future.done():
                self._waiters.remove(waiter)
            elif self._in_channel(rec, channel_id) and (predicate is None or predicate(rec)):
                future.set_result(rec)
                self._waiters.remove(waiter)

    def _in_channel(self, rec: MessageRecord, channel: int | str | None) -> bool:
        if channel is None or channel == rec.channel_id:
            return True
        if isinstance(channel, str):  # a thread that did not exist yet when the waiter started
            thread = self.threads.get(rec.channel_id)
            return thread is not None and thread.name.casefold() == channel.strip().lstrip("#").casefold()
        return False

    def waiter(self, channel_id: int | str | None, predicate: MessagePredicate | None) -> asyncio.Future[MessageRecord]:
        future: asyncio.Future[MessageRecord] = asyncio.get_running_loop().create_future()
        self._waiters.append((channel_id, predicate, future))
        return future

    async def emit_message(self, event: str, rec: MessageRecord) -> None:
        if rec.ephemeral:
            return
        intent = INTENT_DM_MESSAGES if rec.guild_id is None else INTENT_GUILD_MESSAGES
        await self.emit(event, self.message_payload(rec), intent)

    async def emit_delete(self, rec: MessageRecord) -> None:
        if rec.ephemeral:
            return
        data: dict[str, Any] = {"id": str(rec.id), "channel_id": str(rec.channel_id)}
        if rec.guild_id is not None:
            data["guild_id"] = str(rec.guild_id)
        await self.emit("MESSAGE_DELETE", data, INTENT_DM_MESSAGES if rec.guild_id is None else INTENT_GUILD_MESSAGES)

    # -- threads and DMs --------------------------------------------------------------------
    async def create_thread(
        self,
        parent_id: int,
        name: str,
        *,
        private: bool,
        owner_id: int,
        message: MessageRecord | None = None,
        invitable: bool = True,
        auto_archive_duration: int = 4320,
    ) -> ThreadRecord:
        guild = self.guild_of(parent_id)
        if guild is None:
            raise KeyError(f"no server has channel {parent_id}")
        thread = ThreadRecord(
            id=message.id if message is not None else self.new_id(),
            parent_id=parent_id,
            name=name,
            type=PRIVATE_THREAD if private else PUBLIC_THREAD,
            private=private,
            member_ids=[owner_id],
            message_id=message.id if message is not None else None,
            owner_id=owner_id,
            guild_id=guild.id,
            invitable=invitable,
            auto_archive_duration=auto_archive_duration,
            client=requesting_client.get(),
        )
        self.threads[thread.id] = thread
        if message is not None:
            message.thread_id = thread.id
        data = self.thread_payload(thread, member_for=self.bot_user_id)
        data["newly_created"] = True
        await self.emit("THREAD_CREATE", data, INTENT_GUILDS)
        return thread

    async def add_thread_member(self, thread: ThreadRecord, user_id: int) -> None:
        if user_id in thread.member_ids:
            return
        thread.member_ids.append(user_id)
        await self._emit_thread_members(thread, added=[user_id])

    async def remove_thread_member(self, thread: ThreadRecord, user_id: int) -> None:
        if user_id not in thread.member_ids:
            return
        thread.member_ids.remove(user_id)
        await self._emit_thread_members(thread, removed=[user_id])

    async def _emit_thread_members(
        self, thread: ThreadRecord, *, added: list[int] | None = None, removed: list[int] | None = None
    ) -> None:
        users = (added or []) + (removed or [])
        data: dict[str, Any] = {
            "id": str(thread.id),
            "guild_id": str(thread.guild_id),
            "member_count": min(len(thread.member_ids), 50),
        }
        if added:
            data["added_members"] = [self.thread_member_payload(thread, u, with_member=True) for u in added]
        if removed:
            data["removed_member_ids"] = [str(u) for u in removed]
        # Without the members intent Discord only tells the bot about itself.
        await self.emit("THREAD_MEMBERS_UPDATE", data, None if self.bot_user_id in users else INTENT_MEMBERS)

    def open_dm(self, member_id: int) -> int:
        channel_id = self.dm_by_member.get(member_id)
        if channel_id is None:
            channel_id = self.new_id()
            self.dm_by_member[member_id] = channel_id
            self.member_by_dm[channel_id] = member_id
        return channel_id
