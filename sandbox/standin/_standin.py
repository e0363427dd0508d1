"""`StandIn`: the local Discord (REST v10 + JSON gateway) for the unmodified discord.py client."""

# The public API takes `timeout=` arguments, as the tests and the console call it.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aiohttp import web

from ._callbacks import Callbacks
from ._channel_changes import delete_channel, set_overwrite
from ._gateway import GUILD_MEMBERS_INTENT, Gateway
from ._gateway_controls import GatewayControls
from ._identify import guild_create_payloads, members_chunk, ready_payload
from ._interactions import Interactions
from ._records import InteractionRecord, MessageRecord, ModalRecord, RequestRecord, ThreadRecord
from ._rest import API_PREFIX, Rest, Storm
from ._routes import Routes
from ._shards import ShardingRules, guild_of_dispatch
from ._snapshot import restore, snapshot
from ._state import INTENT_GUILDS, MessagePredicate, Pings, StandInState
from ._threads import ThreadRoutes
from .demo import DemoChannel, DemoGuild, DemoMember, DemoRole, build_demo_guild
from .generated import GeneratedGuild, build_generated_guilds

ChannelRef = int | str | DemoChannel
MemberRef = int | str | DemoMember


class StandIn(GatewayControls):
    """A Discord stand-in on 127.0.0.1 with a demo server.

    `extra_guilds=N` serves N generated servers besides the demo one (`standin.extra_guilds`,
    see generated.py), `more_guilds` servers built by hand (the sandbox's second demo server);
    `standin.guilds` lists them all, the demo server first. `sharding` sets how it
    shards (`standin.sharding`: the recommended shard count, max_concurrency, the IDENTIFY window,
    servers per shard; see _shards.py); by default one connection holds every server, as before.
    What touches the gateway itself (readiness, refusals, drops, records of which shard got what)
    lives in `GatewayControls` (_gateway_controls.py).
    """

    def __init__(
        self,
        guild: DemoGuild | None = None,
        token: str = "sandbox-token",
        *,
        extra_guilds: int = 0,
        more_guilds: Sequence[DemoGuild] = (),
        sharding: ShardingRules | None = None,
    ) -> None:
        self.guild = guild if guild is not None else build_demo_guild()
        # Servers set up by hand besides the demo one (the sandbox's second demo server), before the generated ones.
        self.more_guilds: list[DemoGuild] = list(more_guilds)
        self.extra_guilds: list[GeneratedGuild] = build_generated_guilds(extra_guilds, self.guild.bot_member.id)
        self.token = token
        self.click_settle = 0.003  # seconds a click waits after the bot got the message back
        self._state = StandInState([self.guild, *self.more_guilds, *self.extra_guilds], token)
        self._interactions = Interactions(self._state)
        self._callbacks = Callbacks(self._state, self._interactions)
        self._rest = Rest(token)
        Routes(self._state, lambda: self.gateway_url).register(self._rest)
        ThreadRoutes(self._state, lambda: self.gateway_url).register(self._rest)
        add = self._rest.add
        # Interaction endpoints: token in the URL, and spared by Discord's global rate limit.
        interaction = {"auth": False, "global_limited": False}
        add("POST", "/interactions/{interaction_id}/{token}/callback", self._callbacks.callback, **interaction)
        add("POST", "/webhooks/{application_id}/{token}", self._callbacks.followup, **interaction)
        hook = "/webhooks/{application_id}/{token}/messages/{message_id}"
        add("GET", hook, self._callbacks.get_message, **interaction)
        add("PATCH", hook, self._callbacks.edit_message, **interaction)
        add("DELETE", hook, self._callbacks.delete_message, **interaction)
        self.sharding = sharding if sharding is not None else ShardingRules()
        self._gateway = Gateway(
            token=token,
            ready_payload=lambda session: ready_payload(self._state, session.id, self.gateway_url, session.shard),
            guild_payloads=lambda session: guild_create_payloads(self._state, session.shard),
            guild_ids=lambda: [g.id for g in self._state.directory.guilds],
            members_chunk=lambda session, data: members_chunk(self._state, data, session.shard),
            url=lambda: self.gateway_url,
            rules=self.sharding,
        )
        add("GET", "/gateway/bot", self._gateway_bot)
        self._state.emit = self._gateway.dispatch
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self, port: int = 0, host: str = "127.0.0.1") -> StandIn:
        if self._runner is not None:
            raise RuntimeError("the stand-in is already running")
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest.handle)
        app.router.add_route("*", "/{tail:.*}", self._rest.handle)  # JSON 404s elsewhere too
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self._state.cdn_base = f"http://{host}:{self._port}"
        self._host = host
        return self

    async def stop(self) -> None:
        if self._runner is None:
            return
        await self._gateway.close_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> StandIn:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _need_port(self) -> int:
        if self._port is None:
            raise RuntimeError("the stand-in is not started: await standin.start() first")
        return self._port

    @property
    def api_base_url(self) -> str:
        return f"http://{self._host}:{self._need_port()}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self._host}:{self._need_port()}/gateway"

    _host = "127.0.0.1"

    @property
    def application_id(self) -> int:
        return self._state.application_id

    @property
    def bot_user_id(self) -> int:
        return self._state.bot_user_id

    @property
    def callback_deadline(self) -> float | None:
        """Seconds the bot has to answer an interaction (Discord: 3); None disables the check."""
        return self._callbacks.callback_deadline

    @callback_deadline.setter
    def callback_deadline(self, value: float | None) -> None:
        self._callbacks.callback_deadline = value

    @property
    def clock(self) -> Callable[[], dt.datetime]:
        """What a message's timestamp (`created_at`, `edited_at`) reads when it is made: real time by
        default; a test moving the bot's clock sets `standin.clock = bot.clock.now`, so the channel's
        history says when, in the cohort's time, each post was made. Snowflake ids stay real time."""
        return self._state.now

    @clock.setter
    def clock(self, now: Callable[[], dt.datetime]) -> None:
        self._state.now = now

    # -- servers, Discord's limits and latency ------------------------------------------------
    @property
    def guilds(self) -> list[DemoGuild]:
        """Every server the stand-in serves: the demo one first, then `more_guilds`, then the generated ones."""
        return [self.guild, *self.more_guilds, *self.extra_guilds]

    @property
    def global_limit(self) -> int | None:
        """Discord's global rate limit in requests per second (Discord: 50); None (default) is off.
        It is the bot's: every process and connection using its token shares it.

        Past it, requests get a global 429 (interaction callbacks and follow-ups are exempt).
        Setting it starts a fresh window.
        """
        return self._rest.global_limit.per_second

    @global_limit.setter
    def global_limit(self, value: int | None) -> None:
        self._rest.global_limit.per_second = value

    @property
    def global_429s(self) -> int:
        """How many requests the global limit answered with a 429 (injected faults not counted)."""
        return self._rest.global_limit.rejected

    @property
    def latency(self) -> float:
        """Seconds added to every REST request (a round trip to Discord); 0 by default."""
        return self._rest.latency

    @latency.setter
    def latency(self, value: float) -> None:
        if value < 0:
            raise ValueError(f"latency cannot be negative: {value}")
        self._rest.latency = value

    @property
    def requests_in_flight(self) -> list[tuple[str, str]]:
        """(method, path) of the requests received and still within their `latency`: a bot killed
        now has sent them, and Discord goes on to make what they ask, answering nobody."""
        return list(self._rest.waiting)

    # -- changing channels behind the bot's back ---------------------------------------------
    async def delete_channel(self, channel: ChannelRef, *, guild: DemoGuild | None = None) -> DemoChannel:
        """Delete a channel (and its threads) as an admin would; the bot gets CHANNEL_DELETE.

        Later requests to it answer 404 Unknown Channel (10003); its messages stay readable
        through `messages(channel_id)`.
        """
        return await delete_channel(self._state, self._state.channel_id(channel, guild))

    async def delete_message(self, message: MessageRecord | int) -> MessageRecord:
        """Delete a message as a moderator would; the bot gets MESSAGE_DELETE. As on Discord, a
        thread started from it stays; later requests to the message answer 404 Unknown Message."""
        record = message if isinstance(message, MessageRecord) else self._state.messages_by_id.get(int(message))
        if record is None or record.deleted:
            raise ValueError(f"no message {message!r} to delete")
        record.deleted = True
        await self._state.emit_delete(record)
        return record

    async def delete_thread(self, thread: ThreadRecord | int) -> ThreadRecord:
        """Delete a thread as a moderator would; the bot gets THREAD_DELETE. Its starter message
        stays; later requests to the thread answer 404 Unknown Channel (10003)."""
        record = thread if isinstance(thread, ThreadRecord) else self._state.threads.get(int(thread))
        if record is None or record.id not in self._state.threads:
            raise ValueError(f"no thread {thread!r} to delete")
        del self._state.threads[record.id]
        self._state.deleted_channel_ids.add(record.id)
        payload = {"id": str(record.id), "guild_id": str(record.guild_id), "parent_id": str(record.parent_id),
                   "type": record.type}
        await self._state.emit("THREAD_DELETE", payload, INTENT_GUILDS)
        return record

    async def set_permission_overwrite(
        self,
        channel: ChannelRef,
        target: int | DemoMember | DemoRole,
        *,
        allow: int = 0,
        deny: int = 0,
        guild: DemoGuild | None = None,
    ) -> None:
        """Set a channel's permission overwrite for a member or role (allow = deny = 0 removes it);
        the bot gets CHANNEL_UPDATE. E.g. take Send Messages from the bot:
        `await standin.set_permission_overwrite(channel, standin.bot_user_id, deny=SEND_MESSAGES)`.
        """
        target_id = target if isinstance(target, int) else target.id
        await set_overwrite(self._state, self._state.channel_id(channel, guild), target_id, allow=allow, deny=deny)

    # -- commands and members (readiness, refusals and shards: _gateway_controls.py) -----------
    async def wait_for_commands(self, timeout: float = 10) -> list[dict[str, Any]]:
        try:
            await asyncio.wait_for(self._state.commands.synced.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"the bot synced no application commands within {timeout}s") from None
        return self.commands

    @property
    def commands(self) -> list[dict[str, Any]]:
        return self._state.commands.all

    async def remove_member(self, member: MemberRef, *, guild: DemoGuild | None = None) -> DemoMember:
        """The member leaves the server (or is kicked): gone from it, and bots with the Server
        Members intent get GUILD_MEMBER_REMOVE, as Discord sends it (`guild_id` and the `user`)."""
        where = guild or self.guild
        found = self._state.member(member, where)
        where.members.remove(found)
        await self._gateway.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": str(where.id), "user": found.user_payload()},
                                     intent=GUILD_MEMBERS_INTENT)
        return found

    async def add_member(self, name: str, *roles: int | str | DemoRole, guild: DemoGuild | None = None,
                         joined_at: dt.datetime | None = None) -> DemoMember:
        """A new user joins the server, as on Discord: a member with no roles yet, announced to bots
        with the Server Members intent by GUILD_MEMBER_ADD (the member object, its `user` and the
        `guild_id`); then each of `roles` (names or ids) is given to them, as an admin or Onboarding
        does, announced by GUILD_MEMBER_UPDATE. Events on the gateway keep their order, so a command
        the new member runs afterwards finds them, with their roles, in the bot's cache.

        Discord usernames are unique and lowercase (2-32 of a-z, 0-9, `_` and `.`): any other name is
        refused (ValueError), as is @everyone or a managed role (the bot's own). The new user's id is
        the next fixed snowflake for joiners (`JOINED_IDS_FROM`), so a rehearsal reproduces."""
        where = guild or self.guild
        given = self._state.joining_roles(where, roles)
        member = self._state.join(where, name, joined_at=joined_at)
        await self._gateway.dispatch("GUILD_MEMBER_ADD", {**member.to_payload(), "guild_id": str(where.id)},
                                     intent=GUILD_MEMBERS_INTENT)
        if given:
            member.roles.extend(role.id for role in given)
            await self._gateway.dispatch("GUILD_MEMBER_UPDATE", {**member.to_payload(), "guild_id": str(where.id)},
                                         intent=GUILD_MEMBERS_INTENT)
        return member

    # -- acting as a member -----------------------------------------------------------------
    async def _send(
        self,
        payload: dict[str, Any],
        rec: InteractionRecord,
        what: str,
        timeout: float,
    ) -> InteractionRecord:
        if not self._gateway.live_sessions:
            raise RuntimeError(f"{what}: no bot is connected to the stand-in")
        guild_id = guild_of_dispatch("INTERACTION_CREATE", payload)
        if not self._gateway.holders(guild_id):
            where = f"server {guild_id}" if guild_id is not None else "DMs (shard 0)"
            raise RuntimeError(f"{what}: no connected shard holds {where}")
        await self._gateway.dispatch("INTERACTION_CREATE", payload)
        try:
            await asyncio.wait_for(rec._answered.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"{what}: the bot did not answer the interaction within {timeout}s") from None
        return rec

    async def invoke(
        self,
        member: MemberRef,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel: ChannelRef | None = None,
        guild: DemoGuild | int | None = None,
        timeout: float = 5,
    ) -> InteractionRecord:
        """Run a slash command as `member`; returns once the bot's interaction callback arrived.

        The server is `guild` if given, else the one of `channel` or `member` when given as an
        object or id, else the demo server; names resolve in that server, and the channel
        defaults to its #prodevprojectnexus.
        """
        payload, rec = self._interactions.command(member, command, options, channel, guild=guild)
        return await self._send(payload, rec, f"/{command}", timeout)

    async def invoke_past_limits(
        self, member: MemberRef, command: str, options: Mapping[str, Any] | None = None, *, timeout: float = 5
    ) -> InteractionRecord:
        """`invoke`, but with option values past their declared length or range (a 23-digit number in
        a 10-character option), as a modified client or another fake Discord may send them: what the
        bot must refuse by itself."""
        payload, rec = self._interactions.command(member, command, options, None, within_limits=False)
        return await self._send(payload, rec, f"/{command}", timeout)

    async def autocomplete(
        self,
        member: MemberRef,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        focused: str,
        channel: ChannelRef | None = None,
        guild: DemoGuild | int | None = None,
        timeout: float = 5,
    ) -> list[dict[str, Any]]:
        payload, rec = self._interactions.command(member, command, options, channel, guild=guild, focused=focused)
        await self._send(payload, rec, f"autocomplete of /{command} {focused}", timeout)
        return list(rec.choices or [])

    async def _settle(self, touched_at: float) -> None:
        wait = touched_at + self.click_settle - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    async def click(
        self,
        member: MemberRef,
        message: MessageRecord | int,
        custom_id: str,
        values: list[Any] | None = None,
        *,
        timeout: float = 5,
    ) -> InteractionRecord:
        """Press a button (or pick `values` in a select menu) on a message, as `member`."""
        if not isinstance(message, MessageRecord):
            found = self._state.messages_by_id.get(int(message))
            if found is None:
                raise ValueError(f"unknown message {message}")
            message = found
        payload, rec = self._interactions.component(member, message, custom_id, values)
        await self._settle(message.touched_at)
        return await self._send(payload, rec, f"click on {custom_id!r}", timeout)

    async def submit_modal(
        self, member: MemberRef, modal: ModalRecord, values: Mapping[str, Any] | None = None, *, timeout: float = 5
    ) -> InteractionRecord:
        """Fill in and submit a modal the bot opened (values by field custom_id)."""
        if modal is None:
            raise ValueError("no modal to submit: the interaction was not answered with a modal")
        payload, rec = self._interactions.modal_submit(member, modal, values or {})
        await self._settle(modal.touched_at)
        return await self._send(payload, rec, f"modal {modal.custom_id!r}", timeout)

    # -- records ----------------------------------------------------------------------------
    def messages(self, channel: ChannelRef, *, guild: DemoGuild | None = None) -> list[MessageRecord]:
        """Current (not deleted, not ephemeral) messages of a channel or thread, oldest first.

        Names resolve in `guild` (default: the demo server); a deleted channel's id still works.
        """
        raw = channel.id if isinstance(channel, DemoChannel) else channel
        if isinstance(raw, int) and raw in self._state.deleted_channel_ids:
            return self._state.messages_in(raw)
        return self._state.messages_in(self._state.channel_id(channel, guild))

    def pings(self, message: MessageRecord) -> Pings:
        """Whom this message notified, as Discord decides it from its content and allowed_mentions."""
        return self._state.pings(message)

    def dm_messages(self, member: MemberRef) -> list[MessageRecord]:
        channel_id = self.dm_channel_id(member)
        return self._state.messages_in(channel_id) if channel_id is not None else []

    def dm_channel_id(self, member: MemberRef) -> int | None:
        user_id = member.id if isinstance(member, DemoMember) else self._state.member(member).id
        return self._state.dm_by_member.get(user_id)

    @property
    def threads(self) -> list[ThreadRecord]:
        return list(self._state.threads.values())

    @property
    def interactions(self) -> list[InteractionRecord]:
        return list(self._interactions.by_id.values())

    async def wait_for_message(
        self, channel: ChannelRef | None, predicate: MessagePredicate | None = None, timeout: float = 5
    ) -> MessageRecord:
        """The first NEW message (from now on) in `channel` (None: anywhere) matching `predicate`.

        `channel` may name a thread that does not exist yet (the bot is about to open it).
        """
        target: int | str | None = None
        if channel is not None:
            try:
                target = self._state.channel_id(channel)
            except KeyError:
                if not isinstance(channel, str):
                    raise
                target = channel  # a thread by name, about to be created
        future = self._state.waiter(target, predicate)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            where = "anywhere" if channel is None else f"in {channel}"
            raise TimeoutError(f"no new matching message {where} within {timeout}s") from None

    @property
    def requests(self) -> list[RequestRecord]:
        return self._rest.requests

    @property
    def nonce_window(self) -> dt.timedelta:
        """How long a nonce sent with `enforce_nonce` returns its first message (Discord: a few minutes)."""
        return self._state.nonce_window

    @nonce_window.setter
    def nonce_window(self, value: dt.timedelta) -> None:
        self._state.nonce_window = value

    def snapshot(self) -> dict[str, Any]:
        """What members and the bot made here (messages, edits, threads, DMs, attachments), as
        JSON-ready data: `restore` puts it back into a fresh stand-in (the sandbox's `--db`)."""
        return snapshot(self._state)

    def restore(self, data: dict[str, Any]) -> None:
        """Put back a `snapshot` before the bot connects; the demo server itself is always the same."""
        restore(self._state, data)

    def clear_records(self) -> None:
        """Forget recorded requests (state stays)."""
        self._rest.requests.clear()

    def fail_next(
        self,
        method: str,
        path: str,
        status: int = 429,
        retry_after: float = 1.0,
        times: int = 1,
        is_global: bool = False,
        after_handler: bool = False,
    ) -> None:
        """Answer the next `times` matching requests with `status` ({name} segments are wildcards).
        `after_handler`: carry the request out first (the message is made), then answer with the
        fault, as Discord does when it fails after the work (a 502 on a message it created)."""
        self._rest.fail_next(method, path, status=status, retry_after=retry_after, times=times, is_global=is_global,
                             after_handler=after_handler)

    def storm(self, seconds: float, *, share: float = 1.0, retry_after: float = 1.0, errors: float = 0.0,
              seed: int = 0) -> None:
        """An incident of Discord's: for `seconds` from now, its global limit answers 429 (with
        `retry_after` and `global: true`) to `share` of the bot's requests, however slowly they come
        (interaction callbacks are spared, as always), and `errors` of the others fail with a 502,
        half of those after the work was done (the message made). `seed` makes it the same every run.
        `storm(0)` ends it."""
        if not 0 <= share <= 1 or not 0 <= errors <= 1:
            raise ValueError(f"a storm's shares are in [0, 1], not {share} and {errors}")
        self._rest.storm = Storm(time.monotonic() + seconds, share, retry_after, random.Random(seed), errors)

    @property
    def storm_429s(self) -> int:
        """How many requests the storms answered with a 429."""
        return self._rest.storm_rejected

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        raw = request.match_info["attachment_id"]
        data = self._state.attachment_data.get(int(raw)) if raw.isdigit() else None
        if data is None:
            return web.Response(
                status=404,
                body=b'{"message": "404: Not Found", "code": 0}',
                headers={"Content-Type": "application/json"},
            )
        return web.Response(body=data, headers={"Content-Type": "application/octet-stream"})
