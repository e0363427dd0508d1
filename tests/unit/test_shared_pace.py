"""The pacer of a sharded process: its turns come from the bot's one timeline (`GlobalPace`), each as
long as its requests at PACED_RATE; when the timeline cannot be read, it paces itself at its share."""

import asyncio

import pytest

from bot.scheduling.pacing import Pacer

pytestmark = pytest.mark.asyncio


class Timeline:
    def __init__(self, fail: bool = False):
        self.asked: list[float] = []
        self.fail = fail

    async def take(self, seconds: float) -> float:
        if self.fail:
            raise ConnectionError("the database is gone")
        self.asked.append(seconds)
        return 0.0


async def test_turns_come_from_the_timeline_each_as_long_as_its_requests():
    timeline = Timeline()
    pacer = Pacer(40.0, shared=timeline, share=0.25)
    for requests in (1, 2, 1):
        await pacer.wait(requests)
    assert timeline.asked == [1 / 40, 2 / 40, 1 / 40]


async def test_a_slow_down_lengthens_the_turns_asked_of_the_timeline():
    timeline = Timeline()
    pacer = Pacer(40.0, shared=timeline, share=0.25)
    pacer.slow_down(0.0, is_global=False)
    await pacer.wait()
    assert timeline.asked == [1 / 20]


async def test_without_the_timeline_a_process_paces_itself_at_its_share_and_says_so_once(caplog):
    now = [0.0]
    pacer = Pacer(40.0, monotonic=lambda: now[0], shared=Timeline(fail=True), share=0.25)
    slept: list[float] = []

    async def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    real_sleep = asyncio.sleep
    asyncio.sleep = sleep  # type: ignore[assignment]
    try:
        for _ in range(3):
            await pacer.wait()
    finally:
        asyncio.sleep = real_sleep  # type: ignore[assignment]
    assert slept == [pytest.approx(0.1), pytest.approx(0.1)]  # 10 a second: a quarter of 40
    assert sum("shared pace could not be read" in r.getMessage() for r in caplog.records) == 1
