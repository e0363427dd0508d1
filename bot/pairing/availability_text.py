"""Weekly availability as a learner types it (`Mon 18:00-21:00, Sat 10-14`) and as Nexus writes it
back (`Mon 18:00–21:00, Sat 10:00–14:00`): the written form is what the profile stores and shows,
so `parse_availability(format_availability(x))` gives `x` back (sorted, without duplicates).

What a learner may type, piece by piece (pieces are separated by `,`, `;` or new lines):
- days: `Mon`, `monday`, `Tue-Thu`, `Fri to Sun`, `Mon/Wed`, `weekdays`, `weekends`, `daily`,
  `every day`; a piece of days alone lends them to the next piece (`Mon, Wed 18-21`), a piece of
  times alone takes the days before it (`Sat 10-12, 16-18`);
- a time range: `18:00-21:00`, `18-21`, `9am-1pm`, `6pm–9:30pm`, `9-11pm`, `18.00-21.00`, `18h-21h`;
  an end at or before the start runs past midnight (`Fri 22:00-01:00`), `24:00` ends at midnight.
Bare hours are read on the 24-hour clock, so `9-5` would run overnight: it is refused with a hint
rather than guessed, since a wrong guess would silently skew every match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import time

from bot.pairing.model import SLOT_MINUTES, WeeklyRange

MAX_TEXT_LENGTH = 200  # the cog's option allows no more
MAX_RANGES = 14  # one or two a day: enough to describe a week, few enough to read on a card
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EVERY_DAY = tuple(range(7))
DAY_EXAMPLES = "use Mon, Tue-Thu, weekdays, weekends or daily"
TIME_EXAMPLES = "like 18:00-21:00, 18-21 or 6pm-9:30pm"

_DAY_WORDS = {name: day for day, names in enumerate((
    ("monday", "mon", "mo"), ("tuesday", "tue", "tues", "tu"), ("wednesday", "wed", "weds", "we"),
    ("thursday", "thu", "thur", "thurs", "th"), ("friday", "fri", "fr"), ("saturday", "sat", "sa"),
    ("sunday", "sun", "su"),
)) for name in names}
_DAY_GROUPS = {
    "daily": EVERY_DAY, "everyday": EVERY_DAY, "every day": EVERY_DAY, "all week": EVERY_DAY,
    "weekdays": (0, 1, 2, 3, 4), "weekday": (0, 1, 2, 3, 4),
    "weekends": (5, 6), "weekend": (5, 6),
}
_SEPARATORS = re.compile(r"[,;\r\n]+")
_DASHES = re.compile(r"[‐‑‒–—―−]")  # hyphens, en and em dashes, the minus sign
_DAY_LIST = re.compile(r"\s*(?:/|&|\+|\band\b)\s*")
_DAY_SPAN = re.compile(r"\s*(?:-|\bto\b|\bthrough\b|\bthru\b)\s*")
_TIME_SPAN = re.compile(r"^(?P<start>.+?)\s*(?:-|\bto\b|\buntil\b|\btill\b)\s*(?P<end>.+)$")
_TIME = re.compile(r"(?:(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2})|h)?\s*(?P<meridiem>[ap])\.?(?:m\.?)?"
                   r"|(?P<bare>\d{1,2})(?:[:.h](?P<bare_minute>\d{2})|h)?"
                   r"|(?P<word>noon|midnight))", re.ASCII)


class AvailabilityError(ValueError):
    """Availability a learner typed that cannot be read; the message says which piece and why."""


def parse_availability(text: str) -> tuple[WeeklyRange, ...]:
    """The ranges `text` describes, sorted by weekday, start and end, without duplicates; empty
    text gives none. Raises AvailabilityError with one sentence a learner can act on."""
    if len(text) > MAX_TEXT_LENGTH:
        raise AvailabilityError(f"Availability can be at most {MAX_TEXT_LENGTH} characters (yours has {len(text)})")
    ranges: set[WeeklyRange] = set()
    pending_days: list[int] = []  # from pieces naming days only, for the next piece's times
    pending_piece = ""
    last_days: tuple[int, ...] = ()
    for piece in (piece.strip() for piece in _SEPARATORS.split(text)):
        if not piece:
            continue
        days_text, times_text = _split_piece(_normalised(piece))
        days = _days(days_text, piece) if days_text else ()
        if not times_text:
            pending_days += days
            pending_piece = piece
            continue
        if days or pending_days:
            last_days = tuple(sorted({*pending_days, *days}))
            pending_days = []
        elif not last_days:
            raise AvailabilityError(f'"{piece}": start with a day, like Mon {times_text} or daily {times_text}')
        start, end = _time_range(times_text, piece)
        ranges.update(WeeklyRange(day, start, end) for day in last_days)
    if pending_days:
        raise AvailabilityError(f'"{pending_piece}": give a time range after the day, {TIME_EXAMPLES}')
    if len(ranges) > MAX_RANGES:
        raise AvailabilityError(f"That makes {len(ranges)} time ranges once the days are spread out (daily counts "
                                f"as 7); give at most {MAX_RANGES}")
    result = _sorted(ranges)
    if len(format_availability(result)) > MAX_TEXT_LENGTH:
        # Only fourteen ranges at fourteen different times on six or seven days come this far;
        # what cannot be written back in full cannot be stored and shown.
        raise AvailabilityError(f"That is too detailed to keep (over {MAX_TEXT_LENGTH} characters written out); "
                                "join ranges that touch or give fewer")
    return result


def format_availability(ranges: Iterable[WeeklyRange]) -> str:
    """The short written form: ranges at the same times share their days (`Mon–Fri 18:00–21:00`,
    `daily 09:00–10:00`), and times on the same days share the days
    (`Sat 10:00–12:00, 16:00–18:00`); groups in order of their days, times in order of start.
    The same ranges always give the same text."""
    days_by_times: dict[tuple[time, time], set[int]] = {}
    for window in set(ranges):
        days_by_times.setdefault((window.start, window.end), set()).add(window.weekday)
    times_by_days: dict[tuple[int, ...], list[tuple[time, time]]] = {}
    for start_end, weekdays in days_by_times.items():
        times_by_days.setdefault(tuple(sorted(weekdays)), []).append(start_end)
    groups = []
    for days, times in sorted(times_by_days.items()):
        written = [f"{start:%H:%M}–{end:%H:%M}" for start, end in sorted(times)]
        groups.append(f"{_day_label(days)} {', '.join(written)}")
    return ", ".join(groups)


def availability_hours(ranges: Iterable[WeeklyRange]) -> float:
    """Hours a week the ranges cover in the learner's own clock, overlaps counted once."""
    week_slots = 7 * 24 * 60 // SLOT_MINUTES
    covered: set[int] = set()
    for window in ranges:
        first = (window.weekday * 24 * 60 + _minutes(window.start)) // SLOT_MINUTES
        covered.update((first + offset) % week_slots for offset in range(_length(window) // SLOT_MINUTES))
    return len(covered) * SLOT_MINUTES / 60


def _normalised(piece: str) -> str:
    return " ".join(_DASHES.sub("-", piece.casefold()).split())


def _split_piece(piece: str) -> tuple[str, str]:
    """(days, times): the times start at the first digit or at `noon`/`midnight`."""
    found = re.search(r"\d|\bnoon\b|\bmidnight\b", piece, re.ASCII)
    if found is None:
        return _without_filler(piece), ""
    return _without_filler(piece[:found.start()]), piece[found.start():]


def _without_filler(days: str) -> str:
    """`Mon: 18-21`, `Mon at 18-21`, `Mon from 6pm to 9pm` read as `Mon 18-21`."""
    return re.sub(r"(?:^|\s+)(?:at|from)$", "", days.rstrip(": ")).rstrip(": ")


def _days(text: str, piece: str) -> tuple[int, ...]:
    text = re.sub(r"^(?:every|on)\s+(?=\S)", "", text) if text not in _DAY_GROUPS else text
    days: list[int] = []
    for item in _DAY_LIST.split(text):
        if item in _DAY_GROUPS:
            days += _DAY_GROUPS[item]
            continue
        ends = _DAY_SPAN.split(item)
        if len(ends) > 2 or not all(ends):
            raise AvailabilityError(f'"{piece}": {item or text} is not a day ({DAY_EXAMPLES})')
        first, last = (_day(end, piece) for end in (ends[0], ends[-1]))
        days += [(first + step) % 7 for step in range((last - first) % 7 + 1)]  # Fri-Mon wraps
    return tuple(days)


def _day(word: str, piece: str) -> int:
    word = word.rstrip(".")
    for candidate in (word, word[:-1] if word.endswith("s") else word):  # "Mondays"
        if candidate in _DAY_WORDS:
            return _DAY_WORDS[candidate]
    raise AvailabilityError(f'"{piece}": {word} is not a day ({DAY_EXAMPLES})')


class _Clock:
    """One end of a time range as typed: its hour and minute, and whether it said am or pm."""

    def __init__(self, token: str, piece: str) -> None:
        found = _TIME.fullmatch(token)
        if found is None:
            raise AvailabilityError(f'"{piece}": {token} is not a time ({TIME_EXAMPLES})')
        self.token = token
        self.piece = piece
        self.word = found["word"]
        self.meridiem = found["meridiem"]
        self.hour = int(found["hour"] or found["bare"] or 0)
        self.minute = int(found["minute"] or found["bare_minute"] or 0)
        self.minutes_written = bool(found["minute"] or found["bare_minute"])
        if self.word:
            self.hour = 12 if self.word == "noon" else 0
        elif self.meridiem and not 1 <= self.hour <= 12:
            self._not_a_time("12am to 11:45pm")
        if self.minute > 59 or (self.hour > 23 and (self.hour, self.minute) != (24, 0)):
            self._not_a_time("00:00 to 23:45")
        if self.minute % SLOT_MINUTES:
            raise AvailabilityError(f'"{piece}": {token} is not on a quarter hour (use :00, :15, :30 or :45)')

    def _not_a_time(self, allowed: str) -> None:
        raise AvailabilityError(f'"{self.piece}": {self.token} is not a time of day (use {allowed})')

    @property
    def on_twelve_hour_dial(self) -> bool:
        """A bare hour from 1 to 12 that could still be am or pm."""
        return not self.word and not self.meridiem and 1 <= self.hour <= 12

    def on_dial(self) -> int:
        """Minutes past 12 o'clock on a 12-hour dial."""
        return self.hour % 12 * 60 + self.minute

    def resolved(self, meridiem: str | None) -> time:
        if meridiem is None:
            return time(self.hour % 24, self.minute)
        return time(self.hour % 12 + (12 if meridiem == "p" else 0), self.minute)


def _time_range(text: str, piece: str) -> tuple[time, time]:
    found = _TIME_SPAN.match(text)
    if found is None:
        raise AvailabilityError(f'"{piece}": give a start and an end, {TIME_EXAMPLES}')
    start, end = _Clock(found["start"], piece), _Clock(found["end"], piece)
    start_meridiem, end_meridiem = start.meridiem, end.meridiem
    # "9-11pm" is 21:00-23:00 and "11-1pm" is 11:00-13:00: a bare hour takes the other end's am or
    # pm when that keeps the range going forward on the dial, else the other one.
    if end.meridiem and start.on_twelve_hour_dial:
        start_meridiem = end.meridiem if start.on_dial() < end.on_dial() else _other(end.meridiem)
    elif start.meridiem and end.on_twelve_hour_dial:
        end_meridiem = start.meridiem if end.on_dial() > start.on_dial() else _other(start.meridiem)
    first, last = start.resolved(start_meridiem), end.resolved(end_meridiem)
    if first == last:
        raise AvailabilityError(f'"{piece}": a range must end at another time than it starts')
    bare_hours = not (start.meridiem or end.meridiem or start.word or end.word
                      or start.minutes_written or end.minutes_written)
    if bare_hours and last < first and 1 <= end.hour < start.hour <= 12:
        # "9-5" on the 24-hour clock runs from 09:00 overnight to 05:00; almost surely 9am-5pm.
        day_start = "12pm" if start.hour == 12 else f"{start.hour}am"
        raise AvailabilityError(f'"{piece}": write {day_start}-{end.hour}pm or {first:%H:%M}-{end.hour + 12}:00 '
                                f"({found['start']}-{found['end']} would run overnight to {last:%H:%M})")
    return first, last


def _other(meridiem: str) -> str:
    return "a" if meridiem == "p" else "p"


def _day_label(days: tuple[int, ...]) -> str:
    if days == EVERY_DAY:
        return "daily"
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return "/".join(DAY_NAMES[run[0]] if len(run) == 1 else f"{DAY_NAMES[run[0]]}–{DAY_NAMES[run[-1]]}"
                    for run in runs)


def _sorted(ranges: Iterable[WeeklyRange]) -> tuple[WeeklyRange, ...]:
    return tuple(sorted(set(ranges), key=lambda window: (window.weekday, window.start, window.end)))


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _length(window: WeeklyRange) -> int:
    return (_minutes(window.end) - _minutes(window.start)) % (24 * 60)
