"""How the console reads `clock …` and says times in words (pure: no stand-in, no bot)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox.console._clock import describe_instant, describe_offset, describe_span, parse_clock_target
from sandbox.console._parse import ConsoleInputError

# Monday 7 December 2026, 08:00 in Lagos (UTC+01:00, no daylight saving).
NOW = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
LAGOS = "Africa/Lagos"


@pytest.mark.parametrize(
    ("typed", "moved"),
    [
        ("+3d", timedelta(days=3)),
        ("+2h", timedelta(hours=2)),
        ("+90m", timedelta(minutes=90)),
        ("+1w", timedelta(weeks=1)),
        ("+1d12h", timedelta(days=1, hours=12)),
        ("+3 days", timedelta(days=3)),
        ("+ 2 hours 30 min", timedelta(hours=2, minutes=30)),
        ("+1W", timedelta(weeks=1)),
    ],
)
def test_amounts_move_from_the_simulated_now(typed: str, moved: timedelta) -> None:
    assert parse_clock_target(typed, NOW, LAGOS) == NOW + moved


def test_a_date_and_time_is_a_wall_time_in_the_servers_zone() -> None:
    assert parse_clock_target("2026-12-09T09:00", NOW, LAGOS) == datetime(2026, 12, 9, 8, 0, tzinfo=UTC)
    assert parse_clock_target("2026-12-09 09:00", NOW, LAGOS) == datetime(2026, 12, 9, 8, 0, tzinfo=UTC)
    assert parse_clock_target("2026-12-09", NOW, LAGOS) == datetime(2026, 12, 8, 23, 0, tzinfo=UTC)  # midnight


def test_a_trailing_z_or_an_offset_is_that_instant() -> None:
    assert parse_clock_target("2026-12-09T09:00Z", NOW, LAGOS) == datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
    assert parse_clock_target("2026-12-09t09:00z", NOW, LAGOS) == datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
    assert parse_clock_target("2026-12-09T09:00-05:00", NOW, LAGOS) == datetime(2026, 12, 9, 14, 0, tzinfo=UTC)


def test_a_time_alone_is_the_next_time_the_servers_clocks_read_it() -> None:
    assert parse_clock_target("09:00", NOW, LAGOS) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # later today
    assert parse_clock_target("7:30", NOW, LAGOS) == datetime(2026, 12, 8, 6, 30, tzinfo=UTC)  # gone: tomorrow
    assert parse_clock_target("08:00", NOW, LAGOS) == datetime(2026, 12, 8, 7, 0, tzinfo=UTC)  # now: tomorrow


def test_wall_times_follow_daylight_saving() -> None:
    london_spring = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)
    # After the clocks went forward on 28 March 2027, 09:00 in London is 08:00 UTC.
    assert parse_clock_target("2027-03-29T09:00", london_spring, "Europe/London") == datetime(
        2027, 3, 29, 8, 0, tzinfo=UTC
    )
    with pytest.raises(ConsoleInputError, match=r"01:30 on Sunday, 28 March 2027 does not exist in Europe/London"):
        parse_clock_target("2027-03-28T01:30", london_spring, "Europe/London")


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("-1d", "the clock only moves forward"),
        ("2026-12-06T09:00", "Sunday, 6 December 2026 09:00 Africa/Lagos (UTC+01:00) · 08:00 UTC is not after the "
                             "simulated now (Monday, 7 December 2026 08:00"),
        ("2026-12-07T08:00", "is not after the simulated now"),
        ("+0h", "+0h does not move the clock"),
        ("+", "clock + how much?"),
        ("+3x", "clock +… takes amounts like +3d, +2h, +90m, +1w or +1d12h; got '+3x'"),
        ("+3d2", "got '+3d2'"),
        ("+1.5h", "got '+1.5h'"),
        ("tomorrow", "clock takes +3d, +2h, +90m, +1w, a date and time such as clock 2026-12-07T09:00"),
        ("2026", "got '2026'"),
        ("25:00", "got '25:00'"),
        ("2026-13-01T09:00", "got '2026-13-01T09:00'"),
        ("+400d", "the clock moves at most 366 days at a time"),
        ("+99999999999999999999d", "the clock moves at most 366 days at a time"),
        ("+300d300d", "the clock moves at most 366 days at a time"),
        ("9999-12-31T23:59", "the clock moves at most 366 days at a time"),
        ("0001-01-01T00:00", "the clock only moves forward"),
    ],
)
def test_bad_input_is_one_line_that_says_what_to_type(typed: str, says: str) -> None:
    with pytest.raises(ConsoleInputError) as raised:
        parse_clock_target(typed, NOW, LAGOS)
    message = str(raised.value)
    assert says in message
    assert "\n" not in message


def test_instants_in_words_in_the_servers_zone_and_utc() -> None:
    assert describe_instant(NOW, LAGOS) == "Monday, 7 December 2026 08:00 Africa/Lagos (UTC+01:00) · 07:00 UTC"
    assert describe_instant(NOW, "UTC") == "Monday, 7 December 2026 07:00 UTC"
    late = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # already Tuesday in Lagos
    assert describe_instant(late, LAGOS) == (
        "Tuesday, 8 December 2026 00:30 Africa/Lagos (UTC+01:00) · Monday, 7 December 2026 23:30 UTC"
    )
    assert describe_instant(NOW, "America/St_Johns").endswith("(UTC-03:30) · 07:00 UTC")


def test_how_far_from_real_time() -> None:
    assert describe_span(timedelta(days=3, hours=2)) == "3 days 2 hours"
    assert describe_span(timedelta(days=1) - timedelta(milliseconds=300)) == "1 day"  # real time ran on
    assert describe_span(timedelta(minutes=1)) == "1 minute"
    assert describe_offset(NOW + timedelta(days=2, minutes=5), NOW) == "2 days 5 minutes ahead of real time"
    assert describe_offset(NOW + timedelta(seconds=3), NOW) == "the same as real time"
