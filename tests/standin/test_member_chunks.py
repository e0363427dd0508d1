"""GUILD_MEMBERS_CHUNK as Discord sends it: at most 1,000 members a chunk, numbered, all of them."""

import asyncio
import json

import discord
import pytest

from bot.endpoints import use_discord_endpoints
from sandbox.standin import StandIn
from sandbox.standin.demo import DemoMember, demo_id

pytestmark = pytest.mark.asyncio


async def test_a_big_server_is_chunked_in_thousands_and_every_member_arrives():
    async with StandIn() as standin:
        standin.guild.members.extend(DemoMember(demo_id(5000 + n), f"m{n}") for n in range(2500))
        use_discord_endpoints(standin.api_base_url, standin.gateway_url)
        client = discord.Client(intents=discord.Intents(guilds=True, members=True), chunk_guilds_at_startup=False,
                                member_cache_flags=discord.MemberCacheFlags.none(), enable_debug_events=True)
        chunks = []

        @client.event
        async def on_socket_raw_receive(raw):
            frame = json.loads(raw)
            if frame.get("t") == "GUILD_MEMBERS_CHUNK":
                chunks.append(frame["d"])

        task = asyncio.create_task(client.start(standin.token))
        try:
            await asyncio.wait_for(client.wait_until_ready(), 30)
            guild = client.get_guild(standin.guild.id)
            members = await asyncio.wait_for(guild.chunk(cache=False), 30)
            assert len({m.id for m in members}) == len(standin.guild.members)
            assert [(c["chunk_index"], c["chunk_count"], len(c["members"])) for c in chunks] == [
                (0, 3, 1000), (1, 3, 1000), (2, 3, len(standin.guild.members) - 2000)]
        finally:
            await client.close()
            await asyncio.gather(task, return_exceptions=True)

