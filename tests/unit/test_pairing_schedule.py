"""When the automatic pairing round is due: day 8 at 10:00 in the server's time zone (also across a
DST change), then weekly on the cohort's weekday (or the admin's weekday and time), none when paused."""

from datetime import UTC, date, datetime, time, timedelta

from bot.pairing.records import RoundSchedule
from bot.pairing.schedule import default_schedule, first_round_at, next_round_after, round_times


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


LAGOS_START = date(2027, 1, 4)  # a Monday; Lagos is UTC+1 all year


def test_the_first_round_is_day_8_at_10_local():
    assert first_round_at(LAGOS_START, "Africa/Lagos") == utc(2027, 1, 11, 9, 0)
    assert first_round_at(LAGOS_START, "America/New_York") == utc(2027, 1, 11, 15, 0)  # EST, UTC-5


def test_day_8_right_after_clocks_go_forward_is_10_local_in_summer_time():
    # Berlin moves to CEST (UTC+2) on Sunday 28 March 2027: day 1 is in winter time, day 8 in summer time.
    start = date(2027, 3, 22)
    assert first_round_at(start, "Europe/Berlin") == utc(2027, 3, 29, 8, 0)
    assert round_times(start, "Europe/Berlin", None, utc(2027, 3, 22), utc(2027, 4, 12, 12)) == [
        utc(2027, 3, 29, 8, 0), utc(2027, 4, 5, 8, 0), utc(2027, 4, 12, 8, 0)]


def test_weekly_rounds_stay_at_10_local_when_clocks_go_back():
    # Berlin returns to CET (UTC+1) on Sunday 31 October 2027, between day 8 and day 15.
    start = date(2027, 10, 18)
    assert round_times(start, "Europe/Berlin", None, utc(2027, 10, 18), utc(2027, 11, 8, 12)) == [
        utc(2027, 10, 25, 8, 0), utc(2027, 11, 1, 9, 0), utc(2027, 11, 8, 9, 0)]


def test_nothing_is_due_in_week_one_and_each_time_once_in_its_window():
    first = utc(2027, 1, 11, 9, 0)
    assert round_times(LAGOS_START, "Africa/Lagos", None, utc(2027, 1, 3), first - timedelta(minutes=1)) == []
    assert round_times(LAGOS_START, "Africa/Lagos", None, first - timedelta(minutes=1), first) == [first]
    assert round_times(LAGOS_START, "Africa/Lagos", None, first, first + timedelta(days=6)) == []
    second = first + timedelta(days=7)
    assert round_times(LAGOS_START, "Africa/Lagos", None, first, second) == [second]


def test_the_weekly_round_defaults_to_the_weekday_of_day_8():
    wednesday_start = date(2027, 1, 6)
    assert default_schedule(wednesday_start) == RoundSchedule(2, time(10, 0), False, False)
    assert round_times(wednesday_start, "Africa/Lagos", None, utc(2027, 1, 6), utc(2027, 1, 28)) == [
        utc(2027, 1, 13, 9, 0), utc(2027, 1, 20, 9, 0), utc(2027, 1, 27, 9, 0)]


def test_a_custom_weekday_and_time_apply_after_the_first_round():
    wednesdays_at_3 = RoundSchedule(2, time(15, 0), False, True)
    assert round_times(LAGOS_START, "Africa/Lagos", wednesdays_at_3, utc(2027, 1, 3), utc(2027, 1, 28)) == [
        utc(2027, 1, 11, 9, 0),  # day 8 at 10:00 still comes first
        utc(2027, 1, 13, 14, 0), utc(2027, 1, 20, 14, 0), utc(2027, 1, 27, 14, 0)]
    # Wednesday of week one is before day 8: no round then.
    assert utc(2027, 1, 6, 14, 0) not in round_times(LAGOS_START, "Africa/Lagos", wednesdays_at_3,
                                                     utc(2027, 1, 3), utc(2027, 1, 28))
    # An earlier time on day 8's own weekday: day 8 runs at 10:00 once, the next one a week later.
    mondays_at_9 = RoundSchedule(0, time(9, 0), False, True)
    assert round_times(LAGOS_START, "Africa/Lagos", mondays_at_9, utc(2027, 1, 3), utc(2027, 1, 19)) == [
        utc(2027, 1, 11, 9, 0), utc(2027, 1, 18, 8, 0)]


def test_next_round_after_is_the_first_then_the_weekly_one():
    wednesdays_at_3 = RoundSchedule(2, time(15, 0), False, True)
    assert next_round_after(LAGOS_START, "Africa/Lagos", None, utc(2027, 1, 5)) == utc(2027, 1, 11, 9, 0)
    assert next_round_after(LAGOS_START, "Africa/Lagos", wednesdays_at_3, utc(2027, 1, 5)) == utc(2027, 1, 11, 9, 0)
    assert next_round_after(LAGOS_START, "Africa/Lagos", None, utc(2027, 1, 11, 9, 0)) == utc(2027, 1, 18, 9, 0)
    assert next_round_after(LAGOS_START, "Africa/Lagos", wednesdays_at_3,
                            utc(2027, 1, 11, 9, 0)) == utc(2027, 1, 13, 14, 0)


def test_a_paused_round_is_never_due():
    paused = RoundSchedule(0, time(10, 0), True, True)
    assert round_times(LAGOS_START, "Africa/Lagos", paused, utc(2027, 1, 3), utc(2027, 3, 1)) == []
    assert next_round_after(LAGOS_START, "Africa/Lagos", paused, utc(2027, 1, 3)) is None
    assert next_round_after(LAGOS_START, "Africa/Lagos", paused, utc(2027, 2, 3)) is None
