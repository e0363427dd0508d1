"""Weekly availability as a learner types it and as Nexus writes it back: the forms a learner may
use, the message each mistake gets, the limits, the written form and the hours it adds up to."""

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.pairing.availability_text import (
    MAX_RANGES,
    MAX_TEXT_LENGTH,
    AvailabilityError,
    availability_hours,
    format_availability,
    parse_availability,
)
from bot.pairing.model import WeeklyRange

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def at(weekday: int, start: str, end: str) -> WeeklyRange:
    return WeeklyRange(weekday, time.fromisoformat(start), time.fromisoformat(end))


@pytest.mark.parametrize(("typed", "expected"), [
    ("Mon 18:00-21:00, Sat 10-14", (at(MON, "18:00", "21:00"), at(SAT, "10:00", "14:00"))),
    ("monday 18.00-21.00", (at(MON, "18:00", "21:00"),)),
    ("Tue-Thu 9am-1pm", (at(TUE, "09:00", "13:00"), at(WED, "09:00", "13:00"), at(THU, "09:00", "13:00"))),
    ("Wed 6pm–9:30pm", (at(WED, "18:00", "21:30"),)),  # en dash
    ("Wed 6 p.m. to 9:30 p.m.", (at(WED, "18:00", "21:30"),)),
    ("weekends 10-14", (at(SAT, "10:00", "14:00"), at(SUN, "10:00", "14:00"))),
    ("Fri 22:00-01:00", (at(FRI, "22:00", "01:00"),)),  # past midnight
    ("Sun 20:00-24:00", (at(SUN, "20:00", "00:00"),)),
    ("Mon 9-11pm", (at(MON, "21:00", "23:00"),)),  # a bare start takes the end's pm
    ("Mon 11-1pm", (at(MON, "11:00", "13:00"),)),  # unless that would run backwards
    ("Mon 9am-5", (at(MON, "09:00", "17:00"),)),
    ("Mon noon-2pm", (at(MON, "12:00", "14:00"),)),
    ("Mon 12am-1am", (at(MON, "00:00", "01:00"),)),
    ("Mon: 18h-21h", (at(MON, "18:00", "21:00"),)),
    ("mondays from 6pm to 9pm", (at(MON, "18:00", "21:00"),)),
    ("Mon, Wed 18-21", (at(MON, "18:00", "21:00"), at(WED, "18:00", "21:00"))),  # days lent to the next piece
    ("Sat 10-12; 16-18", (at(SAT, "10:00", "12:00"), at(SAT, "16:00", "18:00"))),  # times keep the days
    ("Mon/Wed & Fri 7-8\nSat 9-10", (at(MON, "07:00", "08:00"), at(WED, "07:00", "08:00"),
                                     at(FRI, "07:00", "08:00"), at(SAT, "09:00", "10:00"))),
    ("Sat-Mon 9-10", (at(MON, "09:00", "10:00"), at(SAT, "09:00", "10:00"), at(SUN, "09:00", "10:00"))),
    ("Sat 10-14, Mon 18-21, Sat 10-14", (at(MON, "18:00", "21:00"), at(SAT, "10:00", "14:00"))),
])
def test_the_ways_a_learner_writes_a_week_are_understood(typed: str, expected: tuple[WeeklyRange, ...]) -> None:
    assert parse_availability(typed) == expected


@pytest.mark.parametrize("typed", ["daily 18-21", "every day 18-21", "Mon-Sun 18-21"])
def test_every_day_means_all_seven(typed: str) -> None:
    assert parse_availability(typed) == tuple(at(day, "18:00", "21:00") for day in range(7))


def test_weekdays_are_monday_to_friday() -> None:
    assert [window.weekday for window in parse_availability("weekdays 18-21")] == [MON, TUE, WED, THU, FRI]


@pytest.mark.parametrize("typed", ["", "   ", " , ;\n"])
def test_no_text_means_no_availability_given(typed: str) -> None:
    assert parse_availability(typed) == ()


@pytest.mark.parametrize(("typed", "message"), [
    ("Mon 25:00-26:00", '"Mon 25:00-26:00": 25:00 is not a time of day (use 00:00 to 23:45)'),
    ("Sat 10-14, Mon 18:10-21:00", '"Mon 18:10-21:00": 18:10 is not on a quarter hour (use :00, :15, :30 or :45)'),
    ("Mon 13pm-2pm", '"Mon 13pm-2pm": 13pm is not a time of day (use 12am to 11:45pm)'),
    ("Mon 18:75-21:00", '"Mon 18:75-21:00": 18:75 is not a time of day (use 00:00 to 23:45)'),
    ("Xyz 18-21", '"Xyz 18-21": xyz is not a day (use Mon, Tue-Thu, weekdays, weekends or daily)'),
    ("Mon-Blurs 18-21", '"Mon-Blurs 18-21": blurs is not a day (use Mon, Tue-Thu, weekdays, weekends or daily)'),
    ("18-21", '"18-21": start with a day, like Mon 18-21 or daily 18-21'),
    ("Mon 18-21, Tue", '"Tue": give a time range after the day, like 18:00-21:00, 18-21 or 6pm-9:30pm'),
    ("Mon 18", '"Mon 18": give a start and an end, like 18:00-21:00, 18-21 or 6pm-9:30pm'),
    ("Mon 18-late", '"Mon 18-late": late is not a time (like 18:00-21:00, 18-21 or 6pm-9:30pm)'),
    ("Mon 18:00-18:00", '"Mon 18:00-18:00": a range must end at another time than it starts'),
    ("Mon 9-5", '"Mon 9-5": write 9am-5pm or 09:00-17:00 (9-5 would run overnight to 05:00)'),
])
def test_each_mistake_names_the_piece_and_says_what_to_write(typed: str, message: str) -> None:
    with pytest.raises(AvailabilityError) as refused:
        parse_availability(typed)

    assert str(refused.value) == message


def test_a_bare_night_range_past_noon_is_taken_as_typed() -> None:
    assert parse_availability("Fri 22-1") == (at(FRI, "22:00", "01:00"),)


def test_at_most_fourteen_ranges_once_days_are_spread_out() -> None:
    assert len(parse_availability("daily 9-10, daily 18-20")) == MAX_RANGES

    with pytest.raises(AvailabilityError, match=r"That makes 15 time ranges .* give at most 14"):
        parse_availability("daily 9-10, daily 18-20, Mon 7-8")


def test_text_longer_than_the_option_allows_is_refused() -> None:
    typed = "Mon 18:00-21:00, " * 12  # 204 characters, all of them valid
    assert len(typed) > MAX_TEXT_LENGTH

    with pytest.raises(AvailabilityError, match="at most 200 characters"):
        parse_availability(typed)


def test_a_week_too_detailed_to_write_back_in_full_is_refused() -> None:
    typed = ("Mon 10-11, 12-13, Tue 13-14, 15-16, Wed 16-17, 18-19, Thu 19-20, 21-22, Fri 10-12, 12-14, "
             "Sat 14-16, 16-18, Sun 18-20, 20-22")  # fourteen ranges at fourteen different times
    assert len(typed) <= MAX_TEXT_LENGTH

    with pytest.raises(AvailabilityError, match=r"too detailed to keep .* join ranges that touch or give fewer"):
        parse_availability(typed)
    assert len(parse_availability(typed.removesuffix(", 20-22"))) == MAX_RANGES - 1


def test_the_written_form_is_short_and_in_order_of_the_days() -> None:
    ranges = parse_availability("Sat 10-14, weekdays 18-21, Sat 16-18, Sun 10-14, Wed 7-8")

    assert format_availability(ranges) == ("Mon–Fri 18:00–21:00, Wed 07:00–08:00, Sat 16:00–18:00, "
                                           "Sat–Sun 10:00–14:00")
    assert format_availability(parse_availability("daily 6-7, Tue 9-10")) == "daily 06:00–07:00, Tue 09:00–10:00"
    assert format_availability([at(MON, "18:00", "21:00"), at(SAT, "10:00", "14:00")]) == \
        "Mon 18:00–21:00, Sat 10:00–14:00"
    assert format_availability([at(FRI, "22:00", "01:00"), at(MON, "09:00", "10:00"), at(WED, "09:00", "10:00")]) == \
        "Mon/Wed 09:00–10:00, Fri 22:00–01:00"
    assert format_availability([]) == ""


def test_the_same_ranges_in_any_order_give_the_same_text() -> None:
    ranges = [at(SAT, "10:00", "14:00"), at(MON, "18:00", "21:00"), at(TUE, "18:00", "21:00")]

    assert format_availability(ranges) == format_availability(reversed(ranges)) == \
        format_availability([*ranges, ranges[0]])


def test_hours_a_week_count_overlaps_once_and_follow_ranges_past_midnight() -> None:
    assert availability_hours(parse_availability("Mon 18:00-21:00, Sat 10-14")) == 7
    assert availability_hours(parse_availability("Mon 9-12, Mon 10-13")) == 4
    assert availability_hours(parse_availability("Sun 23:00-01:30, Mon 00:00-01:00")) == 2.5  # wraps the week
    assert availability_hours(parse_availability("weekdays 6pm-9:15pm")) == 16.25
    assert availability_hours(()) == 0


quarter_hours = st.integers(0, 24 * 4 - 1).map(lambda quarter: time(quarter // 4, quarter % 4 * 15))
weekly_ranges = st.tuples(st.integers(0, 6), quarter_hours, quarter_hours).filter(
    lambda parts: parts[1] != parts[2]).map(lambda parts: WeeklyRange(*parts))


@given(st.lists(weekly_ranges, max_size=MAX_RANGES))
def test_any_valid_availability_round_trips_through_its_written_form(ranges: list[WeeklyRange]) -> None:
    written = format_availability(ranges)
    expected = tuple(sorted(set(ranges), key=lambda window: (window.weekday, window.start, window.end)))

    if len(set(ranges)) < MAX_RANGES:
        assert len(written) <= MAX_TEXT_LENGTH  # anything shorter always fits the profile
    if len(written) <= MAX_TEXT_LENGTH:
        assert parse_availability(written) == expected
        assert format_availability(parse_availability(written)) == written
    else:  # fourteen ranges at fourteen times spread over the week cannot be written back in full
        with pytest.raises(AvailabilityError, match="200 characters"):
            parse_availability(written)


availability_alphabet = st.sampled_from([
    *"0123456789:.-–—,;\n apmAPMhHtodaily/&+",
    "Mon", "tue", "Wed", "thurs", "Fri", "sat", "Sunday", "weekdays", "weekend", "every", "noon", "midnight",
    "from", "at", "to", "until", "through", "day", "٣", "²", "ß", "İ"])


@given(st.one_of(st.text(max_size=MAX_TEXT_LENGTH + 5), st.lists(availability_alphabet, max_size=60).map("".join)))
def test_any_text_is_read_or_refused_with_a_message(typed: str) -> None:
    try:
        ranges = parse_availability(typed)
    except AvailabilityError as refused:
        assert str(refused)
    else:
        assert len(ranges) <= MAX_RANGES
        assert parse_availability(format_availability(ranges)) == ranges
