"""Bot-token REST routes: users, application and commands, guild, channels, messages, DMs.

Permission checks use the bot's effective permissions (roles + overwrites) the way Discord does:
posting without Send Messages is 403 50013, a channel it cannot see is 403 50001.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ._messages import apply_edit, new_message
from ._records import MessageRecord, ThreadRecord
from ._rest import MISSING_ACCESS, MISSING_PERMISSIONS, ApiError, Ctx, Rest, invalid_field, not_found
from ._state import INTENT_GUILDS, StandInState
from ._validate import check_commands
from .demo import VIEW_CHANNEL, DemoGuild

READ_HISTORY = 1 << 16
MANAGE_MESSAGES = 1 << 13
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36


def _deny(status_message_code: tuple[int, str, int]) -> ApiError:
    return ApiError(*status_message_code)


class RouteBase:
    def __init__(self, state: StandInState, gateway_url: Callable[[], str]) -> None:
        self.state = state
        self.gateway_url = gateway_url

    # -- helpers ----------------------------------------------------------------------------
    def _user_id(self, ctx: Ctx, name: str = "user_id") -> int:
        return self.state.bot_user_id if ctx.params[name] == "@me" else ctx.int_param(name)

    def _guild(self, ctx: Ctx) -> DemoGuild:
        guild = self.state.directory.guild(ctx.int_param("guild_id"))
        if guild is None:
            raise not_found("Guild", 10004)
        return guild

    def _channel(self, ctx: Ctx, *, need_view: bool = True) -> int:
        channel_id = ctx.int_param("channel_id")
        if not self.state.is_known_channel(channel_id):
            raise not_found("Channel", 10003)
        if need_view and not self.state.permissions(self.state.bot_user_id, channel_id) & VIEW_CHANNEL:
            raise _deny(MISSING_ACCESS)
        return channel_id

    def _thread(self, ctx: Ctx) -> ThreadRecord:
        channel_id = self._channel(ctx)
        thread = self.state.threads.get(channel_id)
        if thread is None:
            raise not_found("Channel", 10003)
        return thread

    def _channel_message(self, ctx: Ctx, channel_id: int) -> MessageRecord:
        message = self.state.messages_by_id.get(ctx.int_param("message_id"))
        if message is None or message.channel_id != channel_id or message.deleted or message.ephemeral:
            raise not_found("Message", 10008)
        return message

    def _has(self, channel_id: int, bit: int) -> bool:
        return bool(self.state.permissions(self.state.bot_user_id, channel_id) & bit)


class Routes(RouteBase):
    def register(self, rest: Rest) -> None:
        add = rest.add
        add("GET", "/gateway", self.get_gateway, auth=False)
        add("GET", "/users/@me", self.get_me)
        add("GET", "/users/{user_id}", self.get_user)
        add("POST", "/users/@me/channels", self.open_dm)
        add("GET", "/oauth2/applications/@me", self.get_application)
        add("GET", "/applications/@me", self.get_application)
        for prefix in ("/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"):
            add("GET", prefix + "/commands", self.get_commands)
            add("PUT", prefix + "/commands", self.put_commands)
            add("POST", prefix + "/commands", self.upsert_command)
            add("GET", prefix + "/commands/{command_id}", self.get_command)
            add("DELETE", prefix + "/commands/{command_id}", self.delete_command)
        add("GET", "/applications/{application_id}/guilds/{guild_id}/commands/permissions", self.no_permissions)
        add("GET", "/guilds/{guild_id}", self.get_guild)
        add("GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        add("GET", "/guilds/{guild_id}/roles", self.get_roles)
        add("GET", "/guilds/{guild_id}/members", self.get_members)
        add("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)
        add("GET", "/guilds/{guild_id}/threads/active", self.get_active_threads)
        add("GET", "/channels/{channel_id}", self.get_channel)
        add("PATCH", "/channels/{channel_id}", self.edit_channel)
        add("POST", "/channels/{channel_id}/typing", self.typing)
        add("GET", "/channels/{channel_id}/messages", self.get_messages)
        add("POST", "/channels/{channel_id}/messages", self.post_message)
        add("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        add("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        add("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)

    # -- users, application, commands -------------------------------------------------------
    async def get_gateway(self, ctx: Ctx) -> Any:
        return {"url": self.gateway_url()}

    async def get_me(self, ctx: Ctx) -> Any:
        return self.state.bot_user_payload()

    async def get_user(self, ctx: Ctx) -> Any:
        user_id = self._user_id(ctx)
        if self.state.find_member(user_id) is None:
            raise not_found("User", 10013)
        return self.state.user_payload(user_id)

    async def get_application(self, ctx: Ctx) -> Any:
        st = self.state
        owner = st.find_member(st.guild.owner_id)
        return {
            "id": str(st.application_id),
            "name": st.bot.name,
            "description": "Nexus, on the local Discord stand-in",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": owner.user_payload() if owner else st.user_payload(st.guild.owner_id),
            "verify_key": "0" * 64,
            "team": None,
            "flags": 0,
            "summary": "",
            "rpc_origins": [],
            "tags": [],
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "bot": st.bot_user_payload(),
        }

    def _command_scope(self, ctx: Ctx) -> int | None:
        if ctx.params["application_id"] != str(self.state.application_id):
            raise ApiError(403, "Missing Access", 50001)
        if "guild_id" in ctx.params:
            return self._guild(ctx).id
        return None

    def _scoped(self, guild_id: int | None) -> list[dict[str, Any]]:
        st = self.state
        return st.commands.scoped(guild_id)

    async def get_commands(self, ctx: Ctx) -> Any:
        return self._scoped(self._command_scope(ctx))

    async def put_commands(self, ctx: Ctx) -> Any:
        guild_id = self._command_scope(ctx)
        check_commands(ctx.json)
        return self.state.commands.store(guild_id, ctx.json)

    async def upsert_command(self, ctx: Ctx) -> Any:
        guild_id = self._command_scope(ctx)
        body = ctx.body()
        check_commands([body])
        kind = int(body.get("type", 1))
        others = [c for c in self._scoped(guild_id) if not (c["name"] == body["name"] and c["type"] == kind)]
        stored = self.state.commands.store(guild_id, [*others, body])
        return next(c for c in stored if c["name"] == body["name"] and c["type"] == kind)

    async def get_command(self, ctx: Ctx) -> Any:
        guild_id = self._command_scope(ctx)
        found = next((c for c in self._scoped(guild_id) if c["id"] == ctx.params["command_id"]), None)
        if found is None:
            raise not_found("application command", 10063)
        return found

    async def delete_command(self, ctx: Ctx) -> Any:
        guild_id = self._command_scope(ctx)
        commands = self._scoped(guild_id)
        kept = [c for c in commands if c["id"] != ctx.params["command_id"]]
        if len(kept) == len(commands):
            raise not_found("application command", 10063)
        self.state.commands.store(guild_id, kept)
        return None

    async def no_permissions(self, ctx: Ctx) -> Any:
        self._command_scope(ctx)
        return []

    # -- guild ------------------------------------------------------------------------------
    async def get_guild(self, ctx: Ctx) -> Any:
        return self.state.guild_payload(self._guild(ctx))

    async def get_guild_channels(self, ctx: Ctx) -> Any:
        guild = self._guild(ctx)
        return [self.state.channel_payload(c.id) for c in guild.channels]

    async def get_roles(self, ctx: Ctx) -> Any:
        return [r.to_payload() for r in self._guild(ctx).roles]

    async def get_members(self, ctx: Ctx) -> Any:
        guild = self._guild(ctx)
        limit = max(1, min(1000, int(ctx.query.get("limit", "1") or 1)))
        after = int(ctx.query.get("after", "0") or 0)
        members = sorted((m for m in guild.members if m.id > after), key=lambda m: m.id)
        return [m.to_payload() for m in members[:limit]]

    async def get_member(self, ctx: Ctx) -> Any:
        guild = self._guild(ctx)
        member = self.state.find_member(self._user_id(ctx), guild)
        if member is None:
            raise not_found("Member", 10007)
        return member.to_payload()

    async def get_active_threads(self, ctx: Ctx) -> Any:
        guild = self._guild(ctx)
        st = self.state
        threads = st.active_threads(guild)
        members = [st.thread_member_payload(t, st.bot_user_id) for t in threads if st.bot_user_id in t.member_ids]
        return {"threads": [st.thread_payload(t) for t in threads], "members": members}

    # -- channels ---------------------------------------------------------------------------
    async def get_channel(self, ctx: Ctx) -> Any:
        return self.state.channel_payload(self._channel(ctx))

    async def edit_channel(self, ctx: Ctx) -> Any:
        st = self.state
        thread = self._thread(ctx) if ctx.int_param("channel_id") in st.threads else None
        if thread is None:
            self._channel(ctx)
            raise _deny(MISSING_PERMISSIONS)  # the bot has no Manage Channels
        body = ctx.body()
        if thread.owner_id != st.bot_user_id and not self._has(thread.id, MANAGE_THREADS):
            raise _deny(MISSING_PERMISSIONS)
        if "name" in body:
            thread.name = str(body["name"])[:100]
        for key in ("archived", "locked", "invitable"):
            if key in body:
                setattr(thread, key, bool(body[key]))
        if "auto_archive_duration" in body:
            thread.auto_archive_duration = int(body["auto_archive_duration"])
        data = st.thread_payload(thread, member_for=st.bot_user_id)
        await st.emit("THREAD_UPDATE", data, INTENT_GUILDS)
        return data

    async def typing(self, ctx: Ctx) -> Any:
        self._channel(ctx)
        return None

    # -- messages ---------------------------------------------------------------------------
    async def get_messages(self, ctx: Ctx) -> Any:
        channel_id = self._channel(ctx)
        if not self._has(channel_id, READ_HISTORY):
            return []
        limit = max(1, min(100, int(ctx.query.get("limit", "50") or 50)))
        messages = self.state.messages_in(channel_id)
        if ctx.query.get("before", "").isdigit():
            messages = [m for m in messages if m.id < int(ctx.query["before"])]
            messages = messages[-limit:]
        elif ctx.query.get("after", "").isdigit():
            messages = [m for m in messages if m.id > int(ctx.query["after"])][:limit]
        elif ctx.query.get("around", "").isdigit():
            around = int(ctx.query["around"])
            older = [m for m in messages if m.id <= around][-(limit // 2 + 1) :]
            newer = [m for m in messages if m.id > around][: limit - len(older)]
            messages = older + newer
        else:
            messages = messages[-limit:]
        return [self.state.message_payload(m) for m in reversed(messages)]

    async def post_message(self, ctx: Ctx) -> Any:
        st = self.state
        channel_id = self._channel(ctx)
        dm_member = st.member_by_dm.get(channel_id)
        if dm_member is not None:
            member = st.find_member(dm_member)
            if member is None or member.bot or not member.accepts_dms:
                raise ApiError(403, "Cannot send messages to this user", 50007)
        elif not st.can_post(st.bot_user_id, channel_id):
            raise _deny(MISSING_PERMISSIONS)
        body = ctx.body()
        if int(body.get("flags") or 0) & 64:  # ephemeral exists for interaction responses only
            body["flags"] = int(body["flags"]) & ~64
        reference = body.get("message_reference")
        if isinstance(reference, dict) and reference.get("fail_if_not_exists", True):
            target = st.messages_by_id.get(int(reference.get("message_id") or 0))
            if target is None or target.deleted or target.ephemeral:
                raise invalid_field("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
        nonce = body.get("nonce")
        if body.get("enforce_nonce") and nonce is not None:
            # Discord's idempotency: a retried send returns the message the first one made.
            earlier = st.message_with_nonce(st.bot_user_id, str(nonce))
            if earlier is not None:
                return st.message_payload(earlier)
        message = new_message(st, channel_id, st.bot_user_id, body, ctx.files)
        await st.emit_message("MESSAGE_CREATE", message)
        ctx.after.append(lambda: self._posted(message))
        return st.message_payload(message)

    def _posted(self, message: MessageRecord) -> None:
        message.touched_at = time.monotonic()
        self.state.notify_new(message)

    async def get_message(self, ctx: Ctx) -> Any:
        channel_id = self._channel(ctx)
        if not self._has(channel_id, READ_HISTORY):
            raise _deny(MISSING_ACCESS)
        return self.state.message_payload(self._channel_message(ctx, channel_id))

    async def edit_message(self, ctx: Ctx) -> Any:
        st = self.state
        channel_id = self._channel(ctx)
        message = self._channel_message(ctx, channel_id)
        if message.author_id != st.bot_user_id or message.webhook_id is not None:
            raise ApiError(403, "Cannot edit a message authored by another user", 50005)
        apply_edit(st, message, ctx.body(), ctx.files)
        await st.emit_message("MESSAGE_UPDATE", message)
        ctx.after.append(lambda: setattr(message, "touched_at", time.monotonic()))
        return st.message_payload(message)

    async def delete_message(self, ctx: Ctx) -> Any:
        st = self.state
        channel_id = self._channel(ctx)
        message = self._channel_message(ctx, channel_id)
        if message.author_id != st.bot_user_id and not self._has(channel_id, MANAGE_MESSAGES):
            raise _deny(MISSING_PERMISSIONS)
        message.deleted = True
        await st.emit_delete(message)
        return None

    # -- DMs --------------------------------------------------------------------------------
    async def open_dm(self, ctx: Ctx) -> Any:
        st = self.state
        body = ctx.body()
        recipient = str(body.get("recipient_id", ""))
        member = st.find_member(int(recipient)) if recipient.isdigit() else None
        if member is None:
            raise ApiError(400, "Invalid Recipient(s)", 50033)
        return st.channel_payload(st.open_dm(member.id))
