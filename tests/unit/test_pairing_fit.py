"""The pairing fit: its score, its reasons in words, weekly overlap across time zones and DST, and
the vectorised cohort form giving exactly the same scores."""

import random
from datetime import date, time

import numpy as np
import pytest

from bot.pairing.fit import fit
from bot.pairing.fit_matrix import fit_matrix
from bot.pairing.model import Learner, WeeklyRange

DECEMBER = date(2026, 12, 7)  # a Monday: no DST anywhere in the northern hemisphere
US_DST_ONLY = date(2027, 3, 15)  # New York has moved its clocks, Berlin not yet
MONDAY, FRIDAY, SATURDAY, SUNDAY = 0, 4, 5, 6


def at(weekday: int, start: int, end: int) -> WeeklyRange:
    return WeeklyRange(weekday, time(start), time(end))


def learner(member_id: int, zone: str = "UTC", *ranges: WeeklyRange, **fields: object) -> Learner:
    return Learner(member_id, zone, tuple(ranges), **fields)  # type: ignore[arg-type]


def test_a_good_pair_is_explained_in_words() -> None:
    backend = learner(1, "America/New_York", at(MONDAY, 9, 12), at(SATURDAY, 10, 16), track="job-board",
                      track_name="Job board platform", topics={7: "Django REST", 9: "JWT", 4: "PostgreSQL"},
                      looking=True)
    frontend = learner(2, "Europe/Berlin", at(MONDAY, 15, 20), at(SATURDAY, 15, 23), track="job-board",
                       track_name="Job board platform", topics={9: "JWT", 7: "Django REST", 3: "React"},
                       looking=True)

    result = fit(backend, frontend, week=DECEMBER)

    assert result is not None
    # Monday 14:00–17:00 UTC against 14:00–19:00: 3 h; Saturday 15:00–21:00 against 14:00–22:00: 6 h.
    assert result.reasons == ("both on the Job board platform track", "both use Django REST and JWT",
                              "9 hours of overlap a week", "both looking for a partner")
    assert result.shared_topics == ((7, "Django REST"), (9, "JWT"))
    assert result.score == 3 + 2 * 2 + 0.5 * 9 + 1


def test_overlap_follows_each_zone_s_own_daylight_saving() -> None:
    backend = learner(1, "America/New_York", at(MONDAY, 9, 12))
    frontend = learner(2, "Europe/Berlin", at(MONDAY, 15, 20))

    winter, spring = fit(backend, frontend, week=DECEMBER), fit(backend, frontend, week=US_DST_ONLY)

    assert winter is not None and spring is not None
    assert winter.overlap_hours == 3  # 14:00–17:00 UTC against 14:00–19:00
    assert spring.overlap_hours == 2  # 13:00–16:00 UTC (EDT) against 14:00–19:00 (still CET)


def test_each_day_of_the_week_uses_that_day_s_offset() -> None:
    # New York moves to summer time on Sunday 14 March 2027, the last day of the week of 8 March.
    new_york = learner(1, "America/New_York", at(MONDAY, 10, 12), at(SUNDAY, 10, 12))
    utc = learner(2, "UTC", at(MONDAY, 15, 17), at(SUNDAY, 14, 16))

    result = fit(new_york, utc, week=date(2027, 3, 8))

    assert result is not None
    assert result.overlap_hours == 4  # Monday 15:00–17:00 UTC (EST), Sunday 14:00–16:00 UTC (EDT)


def test_overlap_wraps_around_the_end_of_the_week() -> None:
    # Monday 08:00 in Sydney (UTC+11 in December) is Sunday 21:00 UTC, Sunday 16:00 in New York.
    sydney = learner(1, "Australia/Sydney", at(MONDAY, 8, 10))
    new_york = learner(2, "America/New_York", at(SUNDAY, 15, 17))

    result = fit(sydney, new_york, week=DECEMBER)

    assert result is not None and result.overlap_hours == 1
    assert "1 hour of overlap a week" in result.reasons


def test_a_range_may_run_past_midnight_and_quarter_hours_count() -> None:
    night_owl = learner(1, "UTC", WeeklyRange(FRIDAY, time(22), time(1, 30)))
    early = learner(2, "UTC", WeeklyRange(SATURDAY, time(0, 45), time(3)))

    result = fit(night_owl, early, week=DECEMBER)

    assert result is not None and result.overlap_hours == 0.75
    assert "45 minutes of overlap a week" in result.reasons


def test_no_common_ground_still_says_so() -> None:
    result = fit(learner(1, "UTC", at(MONDAY, 8, 10), track="a", topics={1: "Flask"}),
                 learner(2, "UTC", at(MONDAY, 10, 12), track="b", topics={2: "Vue"}, looking=True),
                 week=DECEMBER)

    assert result is not None
    assert result.score == 0
    assert result.reasons == ("no overlap in weekly availability",)


def test_a_learner_who_gave_no_availability_is_not_told_there_is_no_overlap() -> None:
    for backend_ranges in ((), (at(MONDAY, 8, 10),)):
        result = fit(learner(1, "UTC", *backend_ranges, track="a"), learner(2, "UTC", track="a"), week=DECEMBER)

        assert result is not None
        assert result.reasons == ("both on the a track",
                                  "no weekly availability given yet")


def test_caps_keep_a_long_stack_or_a_free_week_from_outweighing_the_rest() -> None:
    topics = {n: f"Topic {n}" for n in range(1, 8)}
    everyday = [at(day, 8, 18) for day in range(7)]  # 70 hours
    result = fit(learner(1, "UTC", *everyday, topics=topics), learner(2, "UTC", *everyday, topics=topics),
                 week=DECEMBER)

    assert result is not None
    assert result.score == 2 * 4 + 0.5 * 10
    assert "both use Topic 1, Topic 2, Topic 3, Topic 4 and 3 more topics" in result.reasons
    assert "70 hours of overlap a week" in result.reasons


@pytest.mark.parametrize(("backend_partners", "frontend_partners"), [({2}, set()), (set(), {1}), ({2}, {1})])
def test_a_current_or_previous_partner_is_never_proposed(backend_partners: set[int],
                                                          frontend_partners: set[int]) -> None:
    backend = learner(1, "UTC", at(MONDAY, 8, 18), track="a", partner_ids=frozenset(backend_partners))
    frontend = learner(2, "UTC", at(MONDAY, 8, 18), track="a", partner_ids=frozenset(frontend_partners))

    assert fit(backend, frontend, week=DECEMBER) is None
    assert fit_matrix([backend], [frontend], week=DECEMBER)[0, 0] == -np.inf


def test_nobody_is_paired_with_themselves() -> None:
    assert fit(learner(1, track="a"), learner(1, track="a"), week=DECEMBER) is None


@pytest.mark.parametrize("bad", [
    lambda: WeeklyRange(7, time(9), time(10)),
    lambda: WeeklyRange(MONDAY, time(9, 10), time(10)),
    lambda: WeeklyRange(MONDAY, time(9), time(9)),
])
def test_availability_that_makes_no_sense_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        bad()  # type: ignore[operator]


ZONES = ["UTC", "America/New_York", "America/Los_Angeles", "Europe/Berlin", "Europe/London", "Africa/Lagos",
         "Asia/Kolkata", "Asia/Kathmandu", "Australia/Sydney", "Pacific/Chatham", "America/Sao_Paulo"]


def random_learner(rng: random.Random, member_id: int, ids: range) -> Learner:
    ranges = []
    for _ in range(rng.randint(0, 4)):
        start = time(rng.randrange(24), rng.choice([0, 15, 30, 45]))
        end = time(rng.randrange(24), rng.choice([0, 15, 30, 45]))
        if start != end:
            ranges.append(WeeklyRange(rng.randrange(7), start, end))
    track = rng.choice([None, "job-board", "e-commerce", "social"])
    return Learner(
        member_id, rng.choice(ZONES), tuple(ranges), track, track,
        {topic: f"Topic {topic}" for topic in rng.sample(range(12), rng.randint(0, 6))}, rng.random() < 0.5,
        frozenset(rng.sample(list(ids), min(len(ids), rng.randint(0, 2)))),
    )


@pytest.mark.parametrize("seed", range(25))
def test_the_cohort_form_gives_exactly_the_scalar_scores(seed: int) -> None:
    rng = random.Random(seed)
    week = date(2026, 1, 5) + rng.randrange(52) * (date(2026, 1, 12) - date(2026, 1, 5))
    backend_ids, frontend_ids = range(100, 100 + rng.randint(0, 9)), range(200, 200 + rng.randint(0, 9))
    backends = [random_learner(rng, member, frontend_ids) for member in backend_ids]
    frontends = [random_learner(rng, member, backend_ids) for member in frontend_ids]

    scores = fit_matrix(backends, frontends, week=week)

    assert scores.shape == (len(backends), len(frontends))
    for i, backend in enumerate(backends):
        for j, frontend in enumerate(frontends):
            expected = fit(backend, frontend, week=week)
            assert scores[i, j] == (-np.inf if expected is None else expected.score), (seed, i, j)
