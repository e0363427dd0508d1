"""The pacer of a sharded process: its turns come from the bot's one timeline (`GlobalPace`), each as
long as its requests at PACED_RATE; when the timeline cannot be read, it paces itself at its share."""

import asyncio

import pytest

from bot.scheduling.pacing import ARRIVAL_SPREAD, DISCORD_GLOBAL_LIMIT, LATE_TURN, PACED_RATE, Pacer

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


# --- the gate every other request of the bot passes, and a late shared turn ------------------------


class VirtualTime:
    """A monotonic clock that `asyncio.sleep` (patched) moves instead of waiting."""

    def __init__(self):
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def virtual(monkeypatch):
    time = VirtualTime()
    monkeypatch.setattr(asyncio, "sleep", time.sleep)
    return time


async def test_the_gate_lets_a_burst_through_up_to_discords_limit_then_waits_for_the_second_to_pass(virtual):
    pacer = Pacer(monotonic=virtual)
    for _ in range(DISCORD_GLOBAL_LIMIT):
        await pacer.gate()
    assert virtual.slept == []  # a set-up's burst goes at once
    await pacer.gate()
    assert virtual.slept == [pytest.approx(1.0 + ARRIVAL_SPREAD)]  # the 51st: when the first has left the second


async def test_the_fan_out_s_turns_and_the_gated_requests_share_the_limit(virtual):
    pacer = Pacer(rate=1_000, monotonic=virtual)  # a turn pace far above the limit: the count decides
    for _ in range(30):
        await pacer.gate()
    for _ in range(20):
        await pacer.wait()
    assert virtual.now < 0.05  # 50 in all, within the turns' own pace
    await pacer.wait()
    assert virtual.now == pytest.approx(1.0 + ARRIVAL_SPREAD)


async def test_a_turns_own_requests_pass_the_gate_without_counting_twice(virtual):
    pacer = Pacer(monotonic=virtual)
    for _ in range(DISCORD_GLOBAL_LIMIT // 2):
        async with pacer.turn():
            await pacer.gate()  # the turn's own request, seen by the HTTP trace
    assert virtual.now == pytest.approx((DISCORD_GLOBAL_LIMIT // 2 - 1) / PACED_RATE)  # the turns' pace only
    assert len(pacer._started) == DISCORD_GLOBAL_LIMIT // 2


async def test_a_request_at_the_gate_goes_before_the_fan_outs_next_turn():
    """Real time: the limit counted as 3 a second, the fan-out at 10. Its first three turns fill the
    second; a member's request comes next and waits for room, and goes before the fourth turn."""
    pacer = Pacer(rate=10, per_second=3)
    order: list[str] = []

    async def fan_out():
        for n in range(4):
            await pacer.wait()
            order.append(f"turn {n}")

    async def member():
        await asyncio.sleep(0.25)
        await pacer.gate()
        order.append("member")

    await asyncio.gather(fan_out(), member())
    assert order == ["turn 0", "turn 1", "turn 2", "member", "turn 3"]


async def test_a_shared_turn_woken_too_late_for_is_given_up_for_a_new_one():
    """A process that woke after its turn had passed would land its request on top of the turns other
    processes start on time: it takes a new one at the end of the timeline. A gated request does not
    retake: it is one request, not a fan-out's stream."""
    now = [0.0]

    class BusyTimeline(Timeline):
        async def take(self, seconds):
            if len(self.asked) in (0, 2):  # this process is busy while the database answers
                now[0] += LATE_TURN * 5
            return await super().take(seconds)

    timeline = BusyTimeline()
    pacer = Pacer(40.0, monotonic=lambda: now[0], shared=timeline, share=0.25)
    await pacer.wait()
    assert len(timeline.asked) == 2 and pacer.late_turns == 1
    await pacer.gate()
    assert len(timeline.asked) == 3 and pacer.late_turns == 1


async def test_wake_ups_a_little_late_never_slow_the_fan_out(monkeypatch):
    """Every sleep wakes 1 ms late (an event loop's usual lateness): the turns keep their slots, so
    100 of them take 99 / PACED_RATE seconds, not a millisecond more each."""
    time = VirtualTime()

    async def late_sleep(seconds):
        await time.sleep(seconds + 0.001)

    monkeypatch.setattr(asyncio, "sleep", late_sleep)
    pacer = Pacer(monotonic=time)
    first = None
    for _ in range(100):
        await pacer.wait()
        first = time.now if first is None else first
    assert time.now - first == pytest.approx(99 / PACED_RATE, abs=0.0015)
