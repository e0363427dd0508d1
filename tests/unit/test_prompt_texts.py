"""Prompt texts and what admins type for a prompt: refused when saved, naming the problem, never at
posting time; filled in with the numbers of the post."""

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.prompts.parsing import parse_key, parse_time, parse_weeks
from bot.prompts.template import (
    PLACEHOLDERS,
    POSTED_TEXT_LIMIT,
    TemplateError,
    TemplateValues,
    check_template,
    render,
)

VALUES = TemplateValues(week=3, cohort_start=date(2026, 12, 1), projects=14, pairs=5, channel_id=1234)


def test_every_placeholder_is_filled_in():
    text = "Week {week}, then {next_week}; since {cohort_start}: {projects} projects, {pairs} pairs in {channel}."
    check_template(text)
    assert render(text, VALUES) == (
        "Week 3, then 4; since Tuesday 1 December 2026: 14 projects, 5 pairs in <#1234>."
    )


def test_doubled_braces_are_literal_braces():
    text = "Use {{week}} to write {week}; a dict is {{}}."
    check_template(text)
    assert render(text, VALUES) == "Use {week} to write 3; a dict is {}."


def test_without_a_cohort_start_the_week_and_date_say_so_in_words():
    values = TemplateValues(week=None, cohort_start=None, projects=0, pairs=0, channel_id=1)
    assert render("Week {week}; since {cohort_start}", values) == (
        "Week not set yet (no cohort start); since not set yet (no cohort start)")
    before = TemplateValues(week=None, cohort_start=date(2027, 1, 4), projects=0, pairs=0, channel_id=1)
    assert render("Week {week}, next is {next_week}", before) == "Week before week 1, next is 1"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Week {wek} starts", ["`{wek}` is not a placeholder", "Did you mean `{week}`?"]),
        ("Hi {Week}", ["`{Week}`", "Did you mean `{week}`?"]),
        ("Hi {name}", ["`{name}` is not a placeholder", "`{week}`", "`{channel}`"]),
        ("{week.__class__}", ["`{week.__class__}` is not a placeholder"]),
        ("{week!r}", ["`{week!r}` is not a placeholder"]),
        ("{0}", ["`{0}` is not a placeholder"]),
        ("{}", ["`{ }` is not a placeholder"]),
        ("Goals for week {week", ["a `{` with no `}` after it", "week {week"]),
        ("Goals {\nweek}", ["a `{` with no `}` after it"]),
        ("a { b {week}", ["a `{` with no `}` after it"]),
        ("Goals week}", ["a `}` with no `{` before it", "Goals week}"]),
        ("", ["empty"]),
        ("  \n ", ["empty"]),
    ],
)
def test_a_bad_text_is_refused_naming_the_problem(text, says):
    with pytest.raises(TemplateError) as refused:
        check_template(text)
    for words in says:
        assert words in str(refused.value)


def test_the_length_counts_what_the_placeholders_can_become():
    check_template("x" * POSTED_TEXT_LIMIT)  # a form's longest text fits
    with pytest.raises(TemplateError) as refused:
        check_template("x" * (POSTED_TEXT_LIMIT - 20) + "{cohort_start}")  # 14 typed, up to 29 posted
    assert "can reach 4009 characters" in str(refused.value) and "at most 4000" in str(refused.value)
    assert "Shorten it by 9" in str(refused.value)


@pytest.mark.parametrize(("typed", "key"), [("monday-goals", "monday-goals"), ("  Monday Goals ", "monday-goals"),
                                            ("wk3", "wk3")])
def test_keys_are_short_lowercase_names(typed, key):
    assert parse_key(typed) == key


@pytest.mark.parametrize("typed", ["a", "x" * 33, "monday_goals", "goals!", "-goals", "goals--x", "", "é-goals"])
def test_a_bad_key_says_how_to_write_one(typed):
    with pytest.raises(UserError, match="lowercase letters, digits and hyphens, such as `monday-goals`"):
        parse_key(typed)


@pytest.mark.parametrize(("typed", "at"), [("09:00", time(9, 0)), ("9:05", time(9, 5)), (" 23:59 ", time(23, 59)),
                                           ("00:00", time(0, 0))])
def test_times_are_hh_mm_on_a_24_hour_clock(typed, at):
    assert parse_time(typed) == at


@pytest.mark.parametrize("typed", ["25:00", "9am", "24:00", "12:60", "9", "09:00:00", "9.30", "٠٩:٠٠", ""])
def test_a_bad_time_says_how_to_write_one(typed):
    with pytest.raises(UserError, match="HH:MM on a 24-hour clock, such as `09:00`"):
        parse_time(typed)


@pytest.mark.parametrize(
    ("typed", "weeks"),
    [("3", (3,)), ("1, 2", (1, 2)), ("3-5", (3, 4, 5)), ("3 - 5, 1", (1, 3, 4, 5)), ("week 2", (2,)),
     ("2 2", (2,)), ("every", ()), ("", ())],
)
def test_program_weeks(typed, weeks):
    assert parse_weeks(typed, 12) == weeks


@pytest.mark.parametrize(
    ("typed", "says"),
    [("13", "Week 13 is outside the program: it runs from week 1 to week 12."),
     ("0", "Week 0 is outside the program"),
     ("10-14", "Week 14 is outside the program"),
     ("5-3", "runs backwards"),
     ("next", "is not a list of program weeks"),
     (",", "is not a list of program weeks"),
     ("-1", "is not a list of program weeks"),
     ("9999", "is not a list of program weeks")],
)
def test_a_week_outside_the_program_or_not_a_week_is_refused(typed, says):
    with pytest.raises(UserError, match=says):
        parse_weeks(typed, 12)


@given(week=st.one_of(st.none(), st.integers(1, 13)), cohort=st.one_of(st.none(), st.dates()),
       channel=st.one_of(st.none(), st.integers(1, 2**63)), projects=st.integers(0, 5000),
       pairs=st.integers(0, 2500))
def test_every_placeholder_means_something_in_every_state_of_the_cohort(week, cohort, channel, projects, pairs):
    """Before the cohort (a start set, no week yet), during it, with no start set, with no channel:
    every placeholder becomes words or numbers, never "?" or a brace."""
    if cohort is None:
        week = None  # no cohort start, no program week
    text = " | ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    shown = render(text, TemplateValues(week, cohort, projects, pairs, channel))
    assert "?" not in shown and "{" not in shown and "}" not in shown
    parts = dict(zip(PLACEHOLDERS, shown.split(" | "), strict=True))
    if cohort is not None and week is None:
        assert parts["week"] == "before week 1" and parts["next_week"] == "1"
    if week is not None:
        assert parts["week"] == str(week) and parts["next_week"] == str(week + 1)
    assert all(part.strip() for part in parts.values())
