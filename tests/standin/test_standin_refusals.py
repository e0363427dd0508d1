"""IDENTIFY refused the way Discord refuses it: the real client stops with the matching error."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import discord
import orjson
import pytest

from bot.endpoints import reset_discord_endpoints, use_discord_endpoints
from sandbox.standin import StandIn


async def _start_client(standin: StandIn) -> None:
    use_discord_endpoints(standin.api_base_url, standin.gateway_url)
    client = discord.Client(intents=discord.Intents.none())
    try:
        async with client:
            await asyncio.wait_for(client.start(standin.token), timeout=30)
    finally:
        reset_discord_endpoints()


async def test_4004_stops_the_client_although_rest_took_the_token() -> None:
    async with StandIn() as standin:
        standin.refuse_identify(4004)
        with pytest.raises(discord.ConnectionClosed) as info:
            await _start_client(standin)
        assert info.value.code == 4004
        assert standin.sessions_started == 0


async def test_4014_is_the_privileged_intents_error() -> None:
    async with StandIn() as standin:
        standin.refuse_identify(4014)
        with pytest.raises(discord.PrivilegedIntentsRequired):
            await _start_client(standin)
        assert standin.sessions_started == 0


def test_only_discords_refusal_codes_are_accepted() -> None:
    with pytest.raises(ValueError, match="4004"):
        StandIn().refuse_identify(4000)


async def test_a_dispatch_can_carry_json_text_a_strict_decoder_refuses(standin: StandIn) -> None:
    """`dispatch_text` sends the data exactly as written, so a test can send what Discord should never
    send: a lone surrogate, which json accepts and orjson (discord.py's decoder) refuses."""
    async with aiohttp.ClientSession() as http, http.ws_connect(standin.gateway_url) as ws:
        hello = await ws.receive_json()
        assert hello["op"] == 10
        await ws.send_json({"op": 2, "d": {"token": standin.token, "intents": 1, "properties": {}}})
        while (await ws.receive_json())["t"] != "READY":
            pass
        await standin.dispatch_text("MESSAGE_CREATE", '{"content": "a \\ud800 b"}')
        while True:
            raw = (await ws.receive()).data
            if '"MESSAGE_CREATE"' in raw:
                break
    assert '"d":{"content": "a \\ud800 b"}' in raw
    assert json.loads(raw)["d"]["content"] == "a \ud800 b"
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(raw)
