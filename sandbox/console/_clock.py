"""The console's `clock` word: show the bot's simulated now, or move it forward through the scheduler.

The console never keeps a time of its own. It is handed a `Timeline` over the bot's one clock
(`bot.clock`) and scheduler (sandbox/run.py builds it), so what `clock` shows is the "now" every
service reads, and `clock +3d` goes through `Scheduler.advance_to`, which stops at every due time on
the way: each scheduled post is made once, at its own moment, in order.

Moving backwards is refused: the post ledger records each post once by its due time, so going back
would leave the calendar and the ledger disagreeing about what already happened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from ._act import settle
from ._feed import Change
from ._parse import ConsoleInputError

if TYPE_CHECKING:
    from sandbox.standin import MessageRecord

    from ._console import SandboxConsole

# One move at most this far: a year of daily posts replays in seconds, and a typo such as
# `+99999d` is told instead of running for minutes (or past the year 9999).
MAX_MOVE = timedelta(days=366)
UNITS: dict[str, timedelta] = {
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
}
# `+3d`, `+2h`, `+90m`, `+1w`, `+1d12h`; the long names too (`+3 days`), as people type them.
_AMOUNT = re.compile(r"\s*(\d+)\s*(weeks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m)(?![a-z])\s*", re.IGNORECASE)
_WALL_TIME = re.compile(r"(\d{1,2}):(\d{2})")
USAGE = "clock +3d, +2h, +90m, +1w, a date and time such as clock 2026-12-07T09:00, or a time such as clock 09:00"


@dataclass(frozen=True)
class MadePost:
    """A scheduled post the scheduler made (or could not make) while the clock moved."""

    due_at: datetime
    label: str
    nonce: str  # the nonce its message was sent with: how the console finds the message
    # A snowflake from just before the tick that made it: anything it posted has a later id, so the
    # console can say "it ran" in its place among the messages (a pairing round's threads and DMs).
    after: int = field(default=0, compare=False)


@dataclass
class Move:
    """What moving the clock did, from the scheduler's reports."""

    posted: list[MadePost] = field(default_factory=list)
    failed: list[MadePost] = field(default_factory=list)
    skipped: list[MadePost] = field(default_factory=list)
    left_out: list[MadePost] = field(default_factory=list)  # would repeat a post made within the hour
    waiting: list[MadePost] = field(default_factory=list)  # due, but held (no delivery handler, a claim)


@dataclass(frozen=True)
class ServerZone:
    name: str  # an IANA name
    configured: bool  # set with /nexus setup (else the bot's DEFAULT_TIMEZONE)


class Timeline(Protocol):
    """The bot's clock and scheduler, as the console needs them."""

    def now(self) -> datetime:
        """The bot's simulated now (UTC-aware)."""
        ...

    def real_now(self) -> datetime:
        ...

    async def zone(self, guild_id: int | None = None) -> ServerZone:
        """A server's time zone (default: the demo server's), as the bot would use it for its posts."""
        ...

    async def advance_to(self, moment: datetime) -> Move:
        ...

    async def downtime(self, span: timedelta) -> Move | None:
        """Stop the bot, move the clock `span`, start it again: what its start caught up and
        skipped (None: this timeline cannot restart the bot)."""
        ...

    @property
    def grace(self) -> timedelta:
        """SCHEDULE_GRACE_HOURS: how old a missed post may be and still be made on start."""
        ...


# ------------------------------------------------------------------ reading what was typed


def parse_clock_target(text: str, now: datetime, zone: str) -> datetime:
    """What `clock TEXT` asks for, as the instant to move to (strictly after `now`).

    `+3d` / `+2h` / `+90m` / `+1w` (and sums such as `+1d12h`) count from `now`; a date and time
    without an offset is a wall time in `zone` (the server's); with `Z` or an offset it is that
    instant. A date alone is that day's midnight in `zone`; a time alone (`09:00`) the next time the
    server's clocks read it."""
    text = text.strip()
    if text.startswith("-"):
        raise ConsoleInputError(_backwards())
    if text.startswith("+"):
        target = now + _relative(text[1:])
    else:
        target = _absolute(text, now, zone)
    if target <= now:
        raise ConsoleInputError(
            f"{describe_instant(target, zone)} is not after the simulated now ({describe_instant(now, zone)}); "
            + _backwards()
        )
    if target - now > MAX_MOVE:
        raise ConsoleInputError(_too_far())
    return target


def _relative(text: str) -> timedelta:
    body = text.strip()
    if not body:
        raise ConsoleInputError(f"clock + how much? {USAGE}")
    total = timedelta()
    position = 0
    while position < len(body):
        match = _AMOUNT.match(body, position)
        if match is None:
            raise ConsoleInputError(f"clock +… takes amounts like +3d, +2h, +90m, +1w or +1d12h; got {'+' + body!r}")
        count, unit = int(match.group(1)), match.group(2)[0].lower()
        if count > MAX_MOVE // UNITS[unit]:  # told before `timedelta` could overflow
            raise ConsoleInputError(_too_far())
        total += count * UNITS[unit]
        if total > MAX_MOVE:
            raise ConsoleInputError(_too_far())
        position = match.end()
    if total == timedelta():
        raise ConsoleInputError(f"+{body} does not move the clock; {USAGE}")
    return total


def _absolute(text: str, now: datetime, zone: str) -> datetime:
    typed = text.upper()  # ISO 8601: `t` and `z` may be typed in lower case
    try:
        moment = datetime.fromisoformat(typed)
    except ValueError:
        moment = _next_wall_time(text, now, zone)
    try:
        if moment.tzinfo is not None:
            return moment.astimezone(UTC)
        tz = ZoneInfo(zone)
        local = moment.replace(tzinfo=tz)
        if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != moment:
            raise ConsoleInputError(
                f"{moment:%H:%M} on {_date_words(moment)} does not exist in {zone} (the clocks go forward then); "
                "pick another time"
            )
        # An hour that happens twice (the clocks go back) means its first occurrence (fold=0).
        return local.astimezone(UTC)
    except OverflowError:  # at the very edge of the calendar (year 1 or 9999)
        raise ConsoleInputError(_backwards() if moment < now.replace(tzinfo=None) else _too_far()) from None


def _next_wall_time(typed: str, now: datetime, zone: str) -> datetime:
    """`09:00` alone: the next time the server's clocks read 09:00 (today's if still to come)."""
    match = _WALL_TIME.fullmatch(typed)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ConsoleInputError(f"clock takes {USAGE.removeprefix('clock ')}; got {typed!r}")
    wall = time(int(match.group(1)), int(match.group(2)))
    today = now.astimezone(ZoneInfo(zone)).date()
    moment = datetime.combine(today, wall)
    if moment.replace(tzinfo=ZoneInfo(zone)) <= now:
        moment = datetime.combine(today + timedelta(days=1), wall)
    return moment


def _too_far() -> str:
    return f"the clock moves at most {MAX_MOVE.days} days at a time; {USAGE}"


def _backwards() -> str:
    return ("the clock only moves forward: the post ledger records each scheduled post once, and going back "
            "would confuse it (start the sandbox again, without --db or with a new one, for a fresh clock)")


# ------------------------------------------------------------------ saying it in words


def _date_words(moment: datetime) -> str:
    return f"{moment:%A}, {moment.day} {moment:%B %Y}"


def describe_instant(moment: datetime, zone: str) -> str:
    """`Monday, 7 December 2026 10:00 Africa/Lagos (UTC+01:00) · 09:00 UTC`; the UTC date is given
    too when it is another day than the server's."""
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except OverflowError:  # at the very edge of the calendar
        return moment.isoformat()
    utc = moment.astimezone(UTC)
    if local.utcoffset() == timedelta() and zone in ("UTC", "Etc/UTC"):
        return f"{_date_words(utc)} {utc:%H:%M} UTC"
    offset = _offset_words(local.utcoffset() or timedelta())
    utc_part = f"{utc:%H:%M} UTC" if utc.date() == local.date() else f"{_date_words(utc)} {utc:%H:%M} UTC"
    return f"{_date_words(local)} {local:%H:%M} {zone} ({offset}) · {utc_part}"


def _offset_words(offset: timedelta) -> str:
    sign = "-" if offset < timedelta() else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def describe_span(span: timedelta) -> str:
    """`3 days 2 hours`, `45 minutes`, to the nearest minute (the real clock runs on while a move
    is made); under half a minute is `less than a minute`."""
    minutes = round(abs(span).total_seconds() / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in ((days, "day"), (hours, "hour"),
                                                                   (minutes, "minute")) if n]
    return " ".join(parts) or "less than a minute"


def describe_offset(simulated: datetime, real: datetime) -> str:
    span = simulated - real
    if abs(span) < timedelta(seconds=30):
        return "the same as real time"
    return f"{describe_span(span)} {'ahead of' if span > timedelta() else 'behind'} real time"


def _posts(count: int) -> str:
    return f"{count} scheduled post{'s' if count != 1 else ''}"


# ------------------------------------------------------------------ the word


async def clock(console: SandboxConsole, rest: str) -> None:
    timeline = console.timeline
    if timeline is None:
        raise ConsoleInputError("this console has no bot clock to show or move (it runs without the Nexus bot)")
    zone = await timeline.zone(console._world.guild.id)
    if not rest:
        _show_now(console, timeline, zone)
        return
    now = timeline.now()
    target = parse_clock_target(rest, now, zone.name)
    console._note(f"moving the clock {describe_span(target - now)} forward, to {describe_instant(target, zone.name)}"
                  " (Ctrl-C stops)…")
    move = await timeline.advance_to(target)
    await settle(console)  # the bot may still be finishing what a post started (a thread, an edit)
    _show_move(console, move, zone.name)


def _show_now(console: SandboxConsole, timeline: Timeline, zone: ServerZone) -> None:
    now = timeline.now()
    console._note(f"simulated now: {describe_instant(now, zone.name)}", "bold")
    whose = (f"{zone.name} is the server's time zone" if zone.configured
             else f"{zone.name} until the server has one (/nexus setup … timezone:…)")
    console._note(f"{describe_offset(now, timeline.real_now())} · {whose}")


def _show_move(console: SandboxConsole, move: Move, zone: str) -> None:
    by_nonce = {post.nonce: post for post in move.posted}
    # A post whose messages carry nonces of their own (a pairing round: its threads, DMs and
    # announcement) names no message: a line says it ran, placed before what it posted, so every
    # post counted is named and everything reads in the order it happened.
    nonces = {str(seen.record.nonce) for seen in console._feed.snapshot().values() if seen.record.nonce}
    ran = [Change((post.after, -1), line=f"{post.label}, due {describe_instant(post.due_at, zone)}: ran; what it "
                  "posted follows", style="dim")
           for post in move.posted if post.nonce not in nonces]

    def note(record: MessageRecord) -> str | None:
        post = by_nonce.get(str(record.nonce)) if record.nonce is not None else None
        if post is None:
            return None
        return f"{post.label}, due {describe_instant(post.due_at, zone)}"

    console._show_changes(set(), note_for=note, lines=ran)
    if move.posted:
        console._note(f"{_posts(len(move.posted))} made on the way", "bold")
    else:
        console._note("nothing fell due on the way")
    _list_problems(console, "could not be made (/nexus status says why)", move.failed, zone)
    _list_problems(console, "skipped", move.skipped, zone)
    _list_problems(console, "left out: each would repeat a post with the same purpose made within the hour",
                   move.left_out, zone)
    _list_problems(console, "still waiting to be made (the bot log says why)", move.waiting, zone)


def _list_problems(console: SandboxConsole, what: str, posts: Sequence[MadePost], zone: str) -> None:
    if not posts:
        return
    console._note(f"{_posts(len(posts))} {what}:", "bold yellow")
    for post in posts:
        console._note(f"  {post.label}, due {describe_instant(post.due_at, zone)}", "yellow")


# ------------------------------------------------------------------ downtime

_BARE_AMOUNT = re.compile(r"\d+\s*[a-z]", re.IGNORECASE)
DOWNTIME_USAGE = "downtime 2d, 6h, 90m, 1w, or until a date and time such as downtime 2026-12-07T09:00"


async def downtime(console: SandboxConsole, rest: str) -> None:
    """`downtime 2d`: the bot stops, the clock moves on while it is down, the bot starts again and
    catches up as it would after an outage: what fell due within SCHEDULE_GRACE_HOURS of its return
    is made late, anything older skipped (the scheduler's catch-up report says which)."""
    timeline = console.timeline
    if timeline is None:
        raise ConsoleInputError("this console has no bot to take down (it runs without the Nexus bot)")
    text = rest.strip()
    if not text:
        raise ConsoleInputError(f"down for how long? {DOWNTIME_USAGE}")
    if _BARE_AMOUNT.match(text):
        text = "+" + text
    zone = await timeline.zone(console._world.guild.id)
    now = timeline.now()
    try:
        target = parse_clock_target(text, now, zone.name)
    except ConsoleInputError as exc:
        raise ConsoleInputError(str(exc).replace("clock +…", "downtime").replace(USAGE, DOWNTIME_USAGE)) from None
    hours = timeline.grace.total_seconds() / 3600
    console._note(f"the bot stops; {describe_span(target - now)} pass while it is down, to "
                  f"{describe_instant(target, zone.name)}; then it starts again and catches up what fell due "
                  f"within the last {hours:g} h (SCHEDULE_GRACE_HOURS)…")
    move = await timeline.downtime(target - now)
    if move is None:
        raise ConsoleInputError("this sandbox cannot restart its bot; clock +… moves the time with the bot running")
    await settle(console)
    console._note(f"the bot is back (simulated now: {describe_instant(timeline.now(), zone.name)})", "bold")
    by_nonce = {post.nonce: post for post in move.posted}
    nonces = {str(seen.record.nonce) for seen in console._feed.snapshot().values() if seen.record.nonce}
    ran = [Change((post.after, -1), line=f"{post.label}, due {describe_instant(post.due_at, zone.name)}: caught "
                  "up late on start; what it posted follows", style="dim")
           for post in move.posted if post.nonce not in nonces]

    def note(record: MessageRecord) -> str | None:
        post = by_nonce.get(str(record.nonce)) if record.nonce is not None else None
        if post is None:
            return None
        return f"{post.label}, due {describe_instant(post.due_at, zone.name)}, caught up late on start"

    console._show_changes(set(), note_for=note, lines=ran)
    if move.posted:
        console._note(f"{_posts(len(move.posted))} caught up on start (due within the {hours:g} h grace window)",
                      "bold")
    elif not move.skipped:
        console._note("nothing fell due while the bot was down")
    _list_problems(console, f"skipped: due more than {hours:g} h before the bot came back (/nexus status lists "
                   "them)", move.skipped, zone.name)
    _list_problems(console, "could not be made (/nexus status says why)", move.failed, zone.name)
    _list_problems(console, "still waiting to be made (the bot log says why)", move.waiting, zone.name)
