from datetime import UTC, date, datetime

import pytest

from bot.clock import FrozenClock
from bot.cohort import date_in_words, program_week
from bot.errors import UserError
from bot.guild_setup.model import SetupRequest
from bot.guild_setup.service import GuildSetupService, parse_cohort_start, timezone_choices
from bot.stores import stores_for


@pytest.fixture
async def service(engine_db):  # on SQLite and on PostgreSQL (tests/engines.py)
    clock = FrozenClock(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    return GuildSetupService(stores_for(engine_db).guild_configs, default_timezone="UTC", clock=clock)


async def test_setup_is_stored_and_a_later_setup_keeps_what_it_does_not_change(service):
    first = await service.configure(
        SetupRequest(guild_id=1, actor_id=9, channel_id=10, backend_role_id=20, frontend_role_id=21,
                     cohort_start="2026-12-01", timezone="Africa/Lagos")
    )
    assert (first.channel_id, first.backend_role_id, first.frontend_role_id) == (10, 20, 21)
    assert first.cohort_start == date(2026, 12, 1)
    assert first.timezone == "Africa/Lagos"
    second = await service.configure(SetupRequest(guild_id=1, actor_id=9, channel_id=11))
    assert second.channel_id == 11
    assert (second.backend_role_id, second.cohort_start, second.timezone) == (20, date(2026, 12, 1), "Africa/Lagos")
    assert await service.get(2) is None


@pytest.mark.parametrize(
    ("request_kwargs", "says"),
    [
        ({"cohort_start": "2026-02-30"}, "not a date"),
        ({"cohort_start": "next monday"}, "YYYY-MM-DD"),
        ({"cohort_start": "1999-01-01"}, "check the year"),
        ({"timezone": "Lagos/Africa"}, "not a time zone"),
        ({"backend_role_id": 5, "frontend_role_id": 5}, "two different roles"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_stored(service, request_kwargs, says):
    with pytest.raises(UserError) as info:
        await service.configure(SetupRequest(guild_id=1, actor_id=9, channel_id=10, **request_kwargs))
    assert says in str(info.value)
    assert await service.get(1) is None


def test_a_misspelt_time_zone_gets_a_suggestion():
    from bot.guild_setup.service import parse_timezone

    with pytest.raises(UserError) as info:
        parse_timezone("Africa/Lagoss")
    assert "Africa/Lagos" in str(info.value)


@pytest.mark.parametrize("typed", ["Africa", "America", "Etc", "America/Argentina", "africa/"])
def test_a_region_is_refused_with_a_zone_in_it(typed):
    from bot.guild_setup.service import parse_timezone

    with pytest.raises(UserError) as info:
        parse_timezone(typed)
    assert "is a region, not a time zone" in str(info.value)
    assert f"`{typed.strip('/').lower()}/" in str(info.value).lower()


def test_an_overlong_time_zone_is_refused_and_not_echoed_in_full():
    from bot.guild_setup.service import parse_timezone

    typed = "Africa/" + "Lagos" * 60  # a 300-byte file name: ZoneInfo said "File name too long"
    with pytest.raises(UserError) as info:
        parse_timezone(typed)
    assert "not a time zone I know" in str(info.value)
    assert len(str(info.value)) < 250


def test_timezone_autocomplete_is_bounded_and_relevant():
    choices = timezone_choices("lagos")
    assert choices[0] == "Africa/Lagos"
    assert len(timezone_choices("a")) == 25
    assert len(timezone_choices("")) <= 25


def test_program_week_counts_from_day_one():
    start = parse_cohort_start("2026-12-01")
    assert program_week(start, date(2026, 11, 30)) is None
    assert program_week(start, date(2026, 12, 1)) == 1
    assert program_week(start, date(2026, 12, 7)) == 1
    assert program_week(start, date(2026, 12, 8)) == 2


def test_a_calendar_date_is_shown_as_that_date_in_words():
    assert date_in_words(date(2026, 12, 1)) == "Tuesday 1 December 2026"
    assert date_in_words(date(2027, 2, 28)) == "Sunday 28 February 2027"


async def test_today_is_the_date_in_the_server_time_zone(service):
    # 23:30 UTC on 30 November is already 1 December in Lagos (UTC+1), still 30 November in UTC.
    lagos = await service.configure(SetupRequest(guild_id=1, actor_id=9, channel_id=10, timezone="Africa/Lagos"))
    utc = await service.configure(SetupRequest(guild_id=2, actor_id=9, channel_id=10, timezone="UTC"))
    assert service.today(lagos) == date(2026, 12, 1)
    assert service.today(utc) == date(2026, 11, 30)
    assert lagos.updated_at == "2026-11-30T23:30:00+00:00"  # stored times come from the one clock too
