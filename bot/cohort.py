"""The program's calendar: which week of the cohort a day falls in, and calendar dates in words.

A cohort start is a calendar date an admin typed, not an instant: it is shown as that date in
words ("Tuesday 1 December 2026"), the same for every reader whatever their time zone. Discord
timestamps (`<t:…>`) are only for instants, such as the moment a scheduled post is due.
"""

from __future__ import annotations

from datetime import date


def program_week(cohort_start: date, today: date) -> int | None:
    """Week 1 is the cohort's first seven days; None before the cohort starts."""
    if today < cohort_start:
        return None
    return (today - cohort_start).days // 7 + 1


def date_in_words(day: date) -> str:
    """"Tuesday 1 December 2026": English names whatever the machine's locale (strftime's are not)."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
