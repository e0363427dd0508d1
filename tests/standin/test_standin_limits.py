"""Discord's global rate limit and a network's latency, as the weekly-prompt fan-out meets them."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import discord
import pytest

from sandbox.standin import StandIn
from sandbox.standin._ratelimit import GlobalRateLimit

from .conftest import FleetBot, MiniBot, running_bot, running_standin

MESSAGES = "/channels/{channel_id}/messages"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_global_limit_counts_a_sliding_second_and_says_when_to_retry() -> None:
    clock = FakeClock()
    limit = GlobalRateLimit(clock)
    assert all(limit.admit() is None for _ in range(500))  # off by default
    limit.per_second = 3
    assert [limit.admit() for _ in range(3)] == [None, None, None]
    assert limit.admit() == 1.0 and limit.rejected == 1
    clock.now += 0.25
    assert limit.admit() == 0.75  # a refused request costs no slot: the wait only shrinks
    clock.now += 0.75
    assert limit.admit() is None  # the first three left the window together
    clock.now += 0.5
    assert [limit.admit() for _ in range(3)] == [None, None, 0.5]
    assert limit.rejected == 3
    with pytest.raises(ValueError, match="at least 1"):
        limit.per_second = 0


def test_requests_refused_in_a_burst_are_each_told_a_slot_of_their_own() -> None:
    # Before, all were told the first free slot: they came back together, all but one were refused
    # again, and under load a send could use up discord.py's five tries (a flaky fan-out test in CI).
    clock = FakeClock()
    limit = GlobalRateLimit(clock)
    limit.per_second = 2
    assert limit.admit() is None
    clock.now += 0.5
    assert limit.admit() is None
    clock.now += 0.1
    assert [limit.admit() for _ in range(3)] == pytest.approx([0.4, 0.9, 1.4], abs=0.0015)  # at 1.0, 1.5, 2.0
    clock.now += 0.4
    assert limit.admit() is None  # the first came back when told, and got in
    clock.now += 0.5
    assert limit.admit() is None  # and so did the second


def test_a_request_is_counted_when_it_arrived_not_when_its_answer_is_made() -> None:
    # Three requests arrive at once and are answered 0.9 s later (a slow round trip, a busy loop);
    # one more arrives 1.015 s after them: Discord's second measured from arrivals has room for it.
    clock = FakeClock()
    limit = GlobalRateLimit(clock)
    limit.per_second = 3
    arrived = clock.now
    clock.now += 0.9
    assert [limit.admit(arrived) for _ in range(3)] == [None, None, None]
    clock.now = arrived + 1.02
    assert limit.admit(arrived + 1.015) is None
    # Answered out of order, a request counts as arriving with the last one admitted, never before it.
    assert limit.admit(arrived + 1.01) is None
    assert limit.admit(arrived + 1.016) is None
    assert limit.admit(arrived + 1.02) == pytest.approx(0.995, abs=0.0015)  # the second from 1.015 is full
    assert limit.rejected == 1


async def test_raw_requests_past_the_limit_get_discords_global_429(standin: StandIn) -> None:
    standin.global_limit = 2
    standin._rest.global_limit._clock = FakeClock()  # no second passes during this test
    auth = {"Authorization": f"Bot {standin.token}"}
    async with aiohttp.ClientSession(headers=auth) as http:
        for _ in range(2):
            async with http.get(f"{standin.api_base_url}/users/@me") as resp:
                assert resp.status == 200
        async with http.get(f"{standin.api_base_url}/users/@me") as resp:
            assert resp.status == 429
            assert resp.headers["X-RateLimit-Global"] == "true" and resp.headers["X-RateLimit-Scope"] == "global"
            assert resp.headers["Via"] and resp.headers["Retry-After"] == "1"
            body = await resp.json()
            assert body["global"] is True and body["retry_after"] == 1.0
        # Interaction endpoints are spared (discord.py sends them without the token anyway): these
        # unknown interactions are 404s, not 429s.
        async with http.post(f"{standin.api_base_url}/interactions/1/nope/callback", json={"type": 4}) as resp:
            assert resp.status == 404 and (await resp.json())["code"] == 10062
        followup = f"{standin.api_base_url}/webhooks/{standin.application_id}/nope"
        async with http.post(followup, json={"content": "x"}) as resp:
            assert resp.status == 404 and (await resp.json())["code"] == 10015
    assert standin.global_429s == 1


async def test_a_fan_out_past_50_per_second_is_held_back_and_discord_py_retries_it() -> None:
    async with running_standin(extra_guilds=120) as standin:
        bot = FleetBot()
        async with running_bot(bot, standin, ready_within=30):
            channels = [bot.get_channel(g.post_channel.id) for g in standin.extra_guilds]
            assert all(isinstance(c, discord.TextChannel) for c in channels)
            standin.clear_records()
            standin.global_limit = 50
            # 120 sends: the limit holds back 70 of them, and discord.py retries each within its 5 tries even
            # when a loaded machine spreads the first 50 admissions over a good part of the second.
            await asyncio.gather(*(c.send(f"prompt {i}") for i, c in enumerate(channels)))  # type: ignore[union-attr]
            for i, generated in enumerate(standin.extra_guilds):
                assert [m.content for m in standin.messages(generated.post_channel.id)] == [f"prompt {i}"]
            assert standin.global_429s > 0
            posts = [r for r in standin.requests if r.route == MESSAGES]
            assert sum(r.status == 429 for r in posts) == standin.global_429s
            assert sum(r.status == 200 for r in posts) == 120
            admitted = sorted(r.at for r in posts if r.status == 200)
            # never more than 50 let through in one second (1 ms spared for clock reads)
            assert max(sum(1 for t in admitted if at - 0.999 < t <= at) for at in admitted) <= 50


async def test_latency_is_added_to_every_request(standin: StandIn, bot: MiniBot) -> None:
    standin.latency = 0.15
    started = time.monotonic()
    rec = await standin.invoke("ada", "ping")
    assert time.monotonic() - started >= 0.15  # the interaction callback waited
    assert rec.message is not None
    channel = bot.get_channel(standin.guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    started = time.monotonic()
    await channel.send("slow network")
    assert time.monotonic() - started >= 0.15
    with pytest.raises(ValueError, match="negative"):
        standin.latency = -1
