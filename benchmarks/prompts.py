"""One weekly prompt fanned out to 500 servers, through the local Discord stand-in enforcing
Discord's global limit of 50 requests a second, with 80 ms added to every request.

The real bot (its services, scheduler, prompts and delivery handler) runs against the stand-in; each
server is set up as `/nexus setup` would (which gives it the default prompts). The clock is moved to
Wednesday 13:00, when the default mid-week check-in falls due in every server, and the time until all
500 are posted is measured. Then the same fan-out again through a storm (429s to half the requests
for 8 s, 502s to 5 % of the rest, half of them after the message was made): every post made, none
twice, and its time against the no-fault run's (a second JSON line, "prompts-storm"). The baseline is
what the limit itself costs: 500 requests at 50 a second, 10 s. Also measured: computing and
registering the schedule of all 500 servers (the scheduler's alarms), as at start. Prints two JSON
lines.

    .venv/bin/python benchmarks/prompts.py [--servers 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest.mock import patch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.clock import FrozenClock  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.guild_setup.model import SetupRequest  # noqa: E402
from sandbox.run import sandbox_settings, start_bot_against, stop_bot  # noqa: E402
from sandbox.standin import StandIn  # noqa: E402

GLOBAL_LIMIT = 50  # Discord's, requests per second
LATENCY = 0.08  # added to every request
COHORT_START = "2026-12-07"  # a Monday: week 1
DUE = datetime(2026, 12, 9, 13, 0, tzinfo=UTC)  # Wednesday 13:00 UTC: the default mid-week check-in
# The storm: Discord's global limit answering 429 to half the requests for 8 s, and a 502 to 5 % of the
# others (half of those after the message was made), as in an incident.
STORM_SECONDS = 8.0
STORM_SHARE = 0.5
STORM_RETRY_AFTER = 1.0
ERROR_SHARE = 0.05
STORM_RATIO_MAX = 4.0  # the storm may slow the fan-out, never lose or double a post
TARGETS = {"fan_out_s_max": 12.5, "posts": None, "duplicates": 0, "global_429s": 0, "schedule_s_max": 1.0}


async def _alarms_set_later() -> None:
    return None


async def measure(servers: int, *, storm: bool = False) -> dict[str, object]:
    async with StandIn(extra_guilds=servers) as standin:
        with tempfile.TemporaryDirectory(prefix="nexus-bench-prompts-") as tmp:
            settings = sandbox_settings(load_settings({}, env_file=None), standin, Path(tmp) / "nexus.db")
            # Commands synced globally: the bot serves every generated server, as in production.
            settings = replace(settings, discord=replace(settings.discord, guild_id=None))
            clock = FrozenClock(DUE - timedelta(hours=2))
            bot, task = await start_bot_against(standin, settings, clock=clock)
            try:
                services = bot.services
                scheduler = services.scheduler
                # Each setup sets the alarms again over every server (as an admin's change must): 500 in
                # a row would take minutes of set-up that is not what is measured, so the alarms are set
                # once after them (and that is timed below).
                with patch.object(scheduler, "reschedule", _alarms_set_later):
                    for guild in standin.extra_guilds:
                        await services.guild_setup.configure(SetupRequest(
                            guild_id=guild.id, actor_id=guild.admin.id, channel_id=guild.post_channel.id,
                            cohort_start=COHORT_START, timezone="UTC",
                        ))
                await scheduler.tick()  # nothing due yet; the window starts here

                started = time.perf_counter()
                await scheduler.reschedule()
                schedule_s = time.perf_counter() - started

                standin.global_limit = GLOBAL_LIMIT
                standin.latency = LATENCY
                standin.clear_records()
                if storm:  # an incident: 429s to half the requests for a while, 502s to 5 % of the rest
                    standin.storm(STORM_SECONDS, share=STORM_SHARE, retry_after=STORM_RETRY_AFTER,
                                  errors=ERROR_SHARE, seed=7)
                started = time.perf_counter()
                reports = await scheduler.advance_to(DUE)
                retries = 0
                # What fell to a reason that can pass is retried at its time: the clock is moved to it.
                while (again := await scheduler.next_retry()) is not None and retries < 50:
                    clock.set(max(again, clock.now()))
                    reports.append(await scheduler.tick())
                    retries += 1
                fan_out_s = time.perf_counter() - started
                standin.latency = 0.0

                posted = sum(len(r.posted) for r in reports)
                failed = sum(len(r.failed) for r in reports)
                per_channel = Counter(
                    message.channel_id
                    for guild in standin.extra_guilds
                    for message in standin.messages(guild.post_channel.id)
                    if "Mid-week check-in" in message.text
                )
                duplicates = sum(count - 1 for count in per_channel.values() if count > 1)
                missing = servers - len(per_channel)
                return {
                    "servers": servers,
                    "fan_out_s": round(fan_out_s, 2),
                    "limit_itself_s": servers / GLOBAL_LIMIT,
                    "ratio_vs_limit": round(fan_out_s / (servers / GLOBAL_LIMIT), 3),
                    "posts": posted,
                    "failed": failed,
                    "missing": missing,
                    "duplicates": duplicates,
                    "global_429s": standin.global_429s,
                    "storm_429s": standin.storm_429s,
                    "retry_ticks": retries,
                    "pacer_slowdowns": scheduler.pacer.slowed_down,
                    "schedule_s": round(schedule_s, 3),
                }
            finally:
                await stop_bot(bot, task)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=500)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    figures = asyncio.run(measure(args.servers))
    targets = dict(TARGETS, posts=args.servers)
    met = {
        "fan_out_s": figures["fan_out_s"] <= targets["fan_out_s_max"],  # type: ignore[operator]
        "posts": figures["posts"] == args.servers and figures["missing"] == 0,
        "duplicates": figures["duplicates"] == 0,
        "global_429s": figures["global_429s"] == 0,
        "schedule_s": figures["schedule_s"] <= targets["schedule_s_max"],  # type: ignore[operator]
    }
    print(json.dumps({"benchmark": "prompts", **figures, "targets": targets, "targets_met": met}))

    # The same fan-out through Discord's bad minute, against the no-fault run above (same process).
    stormy = asyncio.run(measure(args.servers, storm=True))
    storm_targets = {"posts": args.servers, "missing": 0, "duplicates": 0,
                     "ratio_vs_no_fault_max": STORM_RATIO_MAX}
    ratio = round(stormy["fan_out_s"] / figures["fan_out_s"], 2)  # type: ignore[operator]
    storm_met = {
        "posts": stormy["missing"] == 0 and stormy["posts"] == args.servers,
        "duplicates": stormy["duplicates"] == 0,
        "ratio_vs_no_fault": ratio <= STORM_RATIO_MAX,
    }
    print(json.dumps({"benchmark": "prompts-storm", **stormy, "no_fault_s": figures["fan_out_s"],
                      "ratio_vs_no_fault": ratio, "storm": {"seconds": STORM_SECONDS, "share_429": STORM_SHARE,
                                                             "retry_after": STORM_RETRY_AFTER,
                                                             "share_5xx": ERROR_SHARE},
                      "targets": storm_targets, "targets_met": storm_met}))


if __name__ == "__main__":
    main()
