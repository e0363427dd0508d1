"""Sharding as Discord does it, driven by discord.py's real AutoShardedBot: one process holding both
shards, or two processes holding one each, against servers spread over the shards."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from discord.ext import commands

from sandbox.standin import ShardingRules, StandIn
from sandbox.standin._shards import SessionStarts

from .conftest import running_standin

HELLO_BUTTON = "standin:shards:hello"


def discord_shard(guild_id: int, shard_count: int) -> int:
    """Discord's formula, written out here so the stand-in's own is checked against it."""
    return (guild_id >> 22) % shard_count


class HelloView(discord.ui.View):
    """A persistent button: whichever process gets the click can answer it, as Nexus's buttons."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Hello", custom_id=HELLO_BUTTON)
    async def hello(self, interaction: discord.Interaction, button: discord.ui.Button[HelloView]) -> None:
        client = interaction.client
        assert isinstance(client, ShardBot)
        client.clicks += 1
        await interaction.response.send_message(f"answered by the process of shards {client.held}")


class ShardBot(commands.AutoShardedBot):
    """One bot process holding `shard_ids` of `shard_count` shards (all of them when None).

    discord.py waits 5 s before every IDENTIFY but a process's first (`before_identify_hook`); this
    one waits `identify_pause`, the test's window, so the pace is Discord's, scaled down.
    """

    def __init__(self, *, shard_ids: list[int] | None = None, shard_count: int | None = None,
                 identify_pause: float = 0.0, sync: bool = False) -> None:
        chosen: dict[str, Any] = {"shard_ids": shard_ids} if shard_ids is not None else {}
        super().__init__(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05,
                         help_command=None, shard_count=shard_count, **chosen)
        self.identify_pause = identify_pause
        self.sync = sync
        self.clicks = 0

    @property
    def held(self) -> list[int]:
        return sorted(self.shards)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not initial:
            await asyncio.sleep(self.identify_pause)

    async def setup_hook(self) -> None:
        @self.tree.command(name="shard", description="Which shard holds this server?")
        async def shard(interaction: discord.Interaction) -> None:
            assert interaction.guild is not None
            await interaction.response.send_message(f"shard {interaction.guild.shard_id} of {self.shard_count}")

        self.add_view(HelloView())
        if self.sync:
            await self.tree.sync()


@contextlib.asynccontextmanager
async def running_bots(standin: StandIn, *bots: ShardBot, ready_within: float = 10) -> AsyncIterator[None]:
    """The bots connected at the same moment, as processes started together, until the block ends."""
    for bot in bots:
        await bot.login(standin.token)
    tasks = [asyncio.create_task(bot.connect()) for bot in bots]
    try:
        await asyncio.wait_for(asyncio.gather(*(bot.wait_until_ready() for bot in bots)), ready_within)
        yield
    finally:
        for bot in bots:
            await bot.close()
        for task in tasks:
            try:
                await asyncio.wait_for(task, 5)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()


async def _start_until_refused(standin: StandIn, client: discord.Client) -> discord.ConnectionClosed:
    with pytest.raises(discord.ConnectionClosed) as info:
        async with client:
            await asyncio.wait_for(client.start(standin.token), 10)
    return info.value


def _expected_guild_ids(standin: StandIn, shard_id: int, shard_count: int) -> set[int]:
    return {g.id for g in standin.guilds if discord_shard(g.id, shard_count) == shard_id}


async def test_gateway_bot_recommends_the_shard_count_and_counts_session_starts() -> None:
    async with running_standin(extra_guilds=3, sharding=ShardingRules(recommended_shards=2, max_concurrency=2)) \
            as standin:
        bot = ShardBot()  # no shard_count: discord.py asks GET /gateway/bot
        async with running_bots(standin, bot):
            assert bot.shard_count == 2 and bot.held == [0, 1]
            shards, url, limit = await bot.http.get_bot_gateway()
            assert (shards, url) == (2, standin.gateway_url)
            assert limit["total"] == 1000 and limit["remaining"] == 998  # one session started per shard
            assert limit["max_concurrency"] == 2 and 0 < limit["reset_after"] <= 86_400_000
        assert [r.shard for r in standin.identifies] == [(0, 2), (1, 2)]


async def test_by_default_one_shard_is_recommended_and_every_session_start_is_left(standin: StandIn) -> None:
    async with aiohttp.ClientSession() as http, http.get(
        f"{standin.api_base_url}/gateway/bot", headers={"Authorization": f"Bot {standin.token}"}
    ) as response:
        body = await response.json()
    assert body["shards"] == 1 and body["url"] == standin.gateway_url
    assert body["session_start_limit"] == {"total": 1000, "remaining": 1000, "reset_after": 86_400_000,
                                           "max_concurrency": 1}


async def test_one_process_holding_both_shards_gets_each_server_on_its_own_shard() -> None:
    async with running_standin(extra_guilds=6) as standin:
        bot = ShardBot(shard_ids=[0, 1], shard_count=2)
        async with running_bots(standin, bot):
            assert {g.id for g in bot.guilds} == {g.id for g in standin.guilds}
            on_shard = {shard: _expected_guild_ids(standin, shard, 2) for shard in (0, 1)}
            assert on_shard[0] and on_shard[1]  # the servers really are spread over both
            for guild in bot.guilds:
                assert guild.shard_id == discord_shard(guild.id, 2)
                assert standin.shards_reached("GUILD_CREATE", guild.id) == [guild.shard_id]
            ready = [d for d in standin.dispatches if d.event == "READY"]
            assert sorted(d.shard for d in ready if d.shard is not None) == [(0, 2), (1, 2)]


async def test_two_processes_each_get_only_their_shards_servers_messages_and_interactions() -> None:
    async with running_standin(extra_guilds=6) as standin:
        first, second = ShardBot(shard_ids=[0], shard_count=2, sync=True), ShardBot(shard_ids=[1], shard_count=2)
        async with running_bots(standin, first, second):
            await standin.wait_for_commands()
            assert {g.id for g in first.guilds} == _expected_guild_ids(standin, 0, 2)
            assert {g.id for g in second.guilds} == _expected_guild_ids(standin, 1, 2)

            for guild in standin.extra_guilds[:2]:  # one server on each shard
                shard = discord_shard(guild.id, 2)
                rec = await standin.invoke(guild.admin, "shard", guild=guild)
                assert rec.message is not None and rec.message.content == f"shard {shard} of 2"
                assert standin.shards_reached("INTERACTION_CREATE", rec.id) == [shard]
                assert standin.shards_reached("MESSAGE_CREATE", rec.message.id) == [shard]

            # The process of shard 1 may post anywhere over REST; the gateway tells only the shard
            # holding the server.
            elsewhere = next(g for g in standin.extra_guilds if discord_shard(g.id, 2) == 0)
            posted = await second.get_partial_messageable(elsewhere.post_channel.id).send("across shards")
            assert standin.shards_reached("MESSAGE_CREATE", posted.id) == [0]

            # Dropping shard 1's socket leaves shard 0's alone; shard 1 resumes.
            await standin.drop_gateway(4000, shard_id=1)
            for _ in range(300):
                if standin.resumes == 1:
                    break
                await asyncio.sleep(0.01)
            assert standin.resumes == 1 and standin.sessions_started == 2


async def test_a_button_pressed_in_a_dm_reaches_shard_0_only() -> None:
    async with running_standin(extra_guilds=2) as standin:
        first, second = ShardBot(shard_ids=[0], shard_count=2), ShardBot(shard_ids=[1], shard_count=2)
        async with running_bots(standin, first, second):
            ada = standin.guild.member("ada")
            user = await second.fetch_user(ada.id)  # the DM is sent by the process of shard 1
            sent = await user.send("say hello", view=HelloView())
            assert standin.shards_reached("MESSAGE_CREATE", sent.id) == [0]  # a DM's event: shard 0

            click = await standin.click("ada", sent.id, HELLO_BUTTON)
            assert click.message is not None and click.message.content == "answered by the process of shards [0]"
            assert standin.shards_reached("INTERACTION_CREATE", click.id) == [0]
            assert (first.clicks, second.clicks) == (1, 0)


async def _identify_raw(http: aiohttp.ClientSession, standin: StandIn, shard: Any) -> tuple[
        aiohttp.ClientWebSocketResponse, dict[str, Any]]:
    """A bare gateway connection identified with `shard`, and what it got first (READY or a close)."""
    ws = await http.ws_connect(standin.gateway_url)
    assert (await ws.receive_json())["op"] == 10
    await ws.send_json({"op": 2, "d": {"token": standin.token, "intents": 1, "properties": {}, "shard": shard}})
    message = await ws.receive()
    if message.type is aiohttp.WSMsgType.TEXT:
        return ws, message.json()
    return ws, {"close_code": ws.close_code}


async def test_member_chunks_are_answered_on_the_asking_shard_for_its_own_servers_only() -> None:
    async with running_standin(extra_guilds=2) as standin, aiohttp.ClientSession() as http:
        ws, ready = await _identify_raw(http, standin, [1, 2])
        assert ready["t"] == "READY" and ready["d"]["shard"] == [1, 2]
        own = next(g for g in standin.extra_guilds if discord_shard(g.id, 2) == 1)
        other = standin.guild  # the demo server is on shard 0
        assert discord_shard(other.id, 2) == 0
        assert [g["id"] for g in ready["d"]["guilds"]] == [str(own.id)]
        assert (await ws.receive_json())["d"]["id"] == str(own.id)  # its only GUILD_CREATE
        for guild, members in ((own, len(own.members)), (other, 0)):
            await ws.send_json({"op": 8, "d": {"guild_id": str(guild.id), "query": "", "limit": 0}})
            chunk = await ws.receive_json()
            assert chunk["t"] == "GUILD_MEMBERS_CHUNK" and chunk["d"]["guild_id"] == str(guild.id)
            assert len(chunk["d"]["members"]) == members
        await ws.close()


async def test_an_invalid_shard_is_closed_with_4010() -> None:
    async with running_standin(extra_guilds=2) as standin:
        refused = await _start_until_refused(standin, ShardBot(shard_ids=[2], shard_count=2))
        assert refused.code == 4010
        async with aiohttp.ClientSession() as http:
            for shard in ([0, 0], [-1, 2], [0], "0,1"):
                ws, answer = await _identify_raw(http, standin, shard)
                assert answer == {"close_code": 4010}, shard
                await ws.close()
        assert [r.close_code for r in standin.identifies] == [4010] * 5
        assert standin.identifies[0].shard == (2, 2) and standin.sessions_started == 0


async def test_a_connection_holding_too_many_servers_is_closed_with_4011() -> None:
    # 7 servers: 4 on shard 0 and 3 on shard 1 of 2; at most 4 per connection.
    async with running_standin(extra_guilds=6, sharding=ShardingRules(guilds_per_shard=4)) as standin:
        refused = await _start_until_refused(standin, discord.Client(intents=discord.Intents.default()))
        assert refused.code == 4011 and standin.sessions_started == 0
        bot = ShardBot(shard_ids=[0, 1], shard_count=2)
        async with running_bots(standin, bot):
            assert len(bot.guilds) == 7
        standin.sharding.guilds_per_shard = 3
        refused = await _start_until_refused(standin, ShardBot(shard_ids=[0], shard_count=2))
        assert refused.code == 4011


@pytest.mark.parametrize("max_concurrency", [1, 2])
async def test_two_processes_starting_together_identify_at_the_pace_of_max_concurrency(max_concurrency: int) -> None:
    """Shards 0 and 1 share one bucket when max_concurrency is 1: the second IDENTIFY within the window
    gets op 9 and comes back after waiting as discord.py does. With 2 they start together."""
    window = 1.0  # long enough that two processes started together land within it on a busy machine
    rules = ShardingRules(max_concurrency=max_concurrency, identify_window=window)
    async with running_standin(extra_guilds=4, sharding=rules) as standin:
        bots = [ShardBot(shard_ids=[shard], shard_count=2, identify_pause=window) for shard in (0, 1)]
        async with running_bots(standin, *bots):
            assert [bot.held for bot in bots] == [[0], [1]]
            assert all(len(bot.guilds) == len(_expected_guild_ids(standin, bot.held[0], 2)) for bot in bots)
        ready = [r for r in standin.identifies if r.outcome == "ready"]
        assert sorted(r.shard for r in ready if r.shard is not None) == [(0, 2), (1, 2)]
        refused = [r for r in standin.identifies if r.outcome == "invalid session"]
        gap = abs(ready[1].at - ready[0].at)
        if max_concurrency == 1:
            assert {r.bucket for r in ready} == {0}
            assert len(refused) == 1 and refused[0].at - ready[0].at < window
            assert gap >= window
        else:
            assert {r.bucket for r in ready} == {0, 1}
            assert refused == [] and gap < window


async def test_one_process_waiting_before_each_identify_is_never_refused() -> None:
    window = 0.3
    async with running_standin(extra_guilds=2, sharding=ShardingRules(identify_window=window)) as standin:
        bot = ShardBot(shard_ids=[0, 1], shard_count=2, identify_pause=window)
        async with running_bots(standin, bot):
            assert bot.held == [0, 1]
        outcomes = [(r.shard, r.outcome) for r in standin.identifies]
        assert outcomes == [((0, 2), "ready"), ((1, 2), "ready")]
        assert standin.identifies[1].at - standin.identifies[0].at >= window


def test_each_bucket_identifies_once_per_window_and_session_starts_count_down() -> None:
    now = [100.0]
    rules = ShardingRules(max_concurrency=2, identify_window=5.0, session_starts_per_day=3)
    starts = SessionStarts(rules, clock=lambda: now[0])
    assert not starts.too_soon(0) and not starts.too_soon(1)
    starts.started(rules.bucket((0, 4)))
    assert starts.too_soon(rules.bucket((2, 4))) and not starts.too_soon(rules.bucket((1, 4)))
    starts.started(rules.bucket((1, 4)))
    now[0] += 4.999
    assert starts.too_soon(0)
    now[0] += 0.001
    assert not starts.too_soon(0)
    assert starts.limit_payload() == {"total": 3, "remaining": 1, "reset_after": 86_395_000, "max_concurrency": 2}
    starts.started(0)
    starts.started(1)
    assert starts.limit_payload()["remaining"] == 0  # never below: Discord would reset the token instead
    now[0] += 86_400
    assert starts.limit_payload()["remaining"] == 3
    rules.identify_window = None
    starts.started(0)
    assert not starts.too_soon(0)
    with pytest.raises(ValueError, match="max_concurrency"):
        rules.max_concurrency = 0
    with pytest.raises(ValueError, match="identify_window"):
        ShardingRules(identify_window=0)


async def test_the_global_rate_limit_is_the_bots_across_processes() -> None:
    """Two processes, each within 50 requests/s on its own, share the bot's one limit."""
    async with running_standin(extra_guilds=4) as standin:
        clients = [discord.Client(intents=discord.Intents.none()) for _ in range(2)]
        for client in clients:
            await client.login(standin.token)
        try:
            standin.global_limit = 4
            channels = [c.id for g in standin.extra_guilds for c in g.channels]  # 8 channels, 8 buckets
            fetched = await asyncio.gather(*(clients[i % 2].fetch_channel(channel) for i, channel in
                                             enumerate(channels)))
            assert [c.id for c in fetched] == channels
            assert standin.global_429s >= 4  # 4 a second for the bot, not for each process
        finally:
            for client in clients:
                await client.close()
