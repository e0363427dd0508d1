"""Thread routes: public threads from a message, private threads, thread members.

Discord's rules apply: Create Public/Private Threads in the parent, one thread per message (its
id is the message's id), members added to a private thread must see its parent channel.
THREAD_CREATE (newly_created) and THREAD_MEMBERS_UPDATE go out over the gateway.
"""

from __future__ import annotations

from typing import Any

from ._messages import new_message
from ._rest import MISSING_ACCESS, MISSING_PERMISSIONS, ApiError, Ctx, Rest, invalid_field, not_found
from ._routes import CREATE_PRIVATE_THREADS, CREATE_PUBLIC_THREADS, MANAGE_THREADS, RouteBase, _deny
from .demo import TEXT_CHANNEL, VIEW_CHANNEL


class ThreadRoutes(RouteBase):
    def register(self, rest: Rest) -> None:
        add = rest.add
        add("POST", "/channels/{channel_id}/messages/{message_id}/threads", self.thread_from_message)
        add("POST", "/channels/{channel_id}/threads", self.thread_without_message)
        add("GET", "/channels/{channel_id}/thread-members", self.get_thread_members)
        add("GET", "/channels/{channel_id}/thread-members/{user_id}", self.get_thread_member)
        add("PUT", "/channels/{channel_id}/thread-members/{user_id}", self.add_thread_member)
        add("DELETE", "/channels/{channel_id}/thread-members/{user_id}", self.remove_thread_member)

    def _thread_name(self, body: dict[str, Any]) -> str:
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            raise invalid_field("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        return name

    def _text_parent(self, channel_id: int) -> None:
        channel = self.state.guild_channel(channel_id)
        if channel is None or channel.type != TEXT_CHANNEL:
            raise ApiError(400, "Cannot execute action on this channel type", 50024)

    async def thread_from_message(self, ctx: Ctx) -> Any:
        st = self.state
        channel_id = self._channel(ctx)
        self._text_parent(channel_id)
        message = self._channel_message(ctx, channel_id)
        body = ctx.body()
        name = self._thread_name(body)
        if not self._has(channel_id, CREATE_PUBLIC_THREADS):
            raise _deny(MISSING_PERMISSIONS)
        if message.thread_id is not None:
            raise ApiError(400, "A thread has already been created for this message", 160004)
        thread = await st.create_thread(
            channel_id,
            name,
            private=False,
            owner_id=st.bot_user_id,
            message=message,
            auto_archive_duration=int(body.get("auto_archive_duration") or 4320),
        )
        return st.thread_payload(thread, member_for=st.bot_user_id)

    async def thread_without_message(self, ctx: Ctx) -> Any:
        st = self.state
        channel_id = self._channel(ctx)
        self._text_parent(channel_id)
        body = ctx.body()
        name = self._thread_name(body)
        kind = int(body.get("type") or 12)
        if kind not in (11, 12):
            raise invalid_field("type", "BASE_TYPE_CHOICES", "Value must be one of {11, 12}.")
        private = kind == 12
        if not self._has(channel_id, CREATE_PRIVATE_THREADS if private else CREATE_PUBLIC_THREADS):
            raise _deny(MISSING_PERMISSIONS)
        thread = await st.create_thread(
            channel_id,
            name,
            private=private,
            owner_id=st.bot_user_id,
            invitable=bool(body.get("invitable", True)),
            auto_archive_duration=int(body.get("auto_archive_duration") or 4320),
        )
        first = body.get("message")
        if isinstance(first, dict):  # forum-style starter message (use_nested_fields)
            message = new_message(st, thread.id, st.bot_user_id, first, ctx.files)
            await st.emit_message("MESSAGE_CREATE", message)
        return st.thread_payload(thread, member_for=st.bot_user_id)

    async def get_thread_members(self, ctx: Ctx) -> Any:
        thread = self._thread(ctx)
        with_member = ctx.query.get("with_member", "").lower() in ("true", "1")
        return [self.state.thread_member_payload(thread, u, with_member=with_member) for u in thread.member_ids]

    async def get_thread_member(self, ctx: Ctx) -> Any:
        thread = self._thread(ctx)
        user_id = self._user_id(ctx)
        if user_id not in thread.member_ids:
            raise not_found("Member", 10007)
        with_member = ctx.query.get("with_member", "").lower() in ("true", "1")
        return self.state.thread_member_payload(thread, user_id, with_member=with_member)

    async def add_thread_member(self, ctx: Ctx) -> Any:
        st = self.state
        thread = self._thread(ctx)
        user_id = self._user_id(ctx)
        guild = st.guild_of(thread.id)
        member = st.find_member(user_id, guild) if guild is not None else None
        if guild is None or member is None:
            raise not_found("Member", 10007)
        if thread.archived:
            raise ApiError(400, "Thread is archived", 50083)
        if user_id != st.bot_user_id:
            if st.bot_user_id not in thread.member_ids and not self._has(thread.id, MANAGE_THREADS):
                raise _deny(MISSING_ACCESS)
            if not guild.permissions_in(member, guild.channel(thread.parent_id)) & VIEW_CHANNEL:
                raise _deny(MISSING_ACCESS)
        await st.add_thread_member(thread, user_id)
        return None

    async def remove_thread_member(self, ctx: Ctx) -> Any:
        st = self.state
        thread = self._thread(ctx)
        user_id = self._user_id(ctx)
        if user_id != st.bot_user_id and thread.owner_id != st.bot_user_id and not self._has(thread.id, MANAGE_THREADS):
            raise _deny(MISSING_PERMISSIONS)
        await st.remove_thread_member(thread, user_id)
        return None
