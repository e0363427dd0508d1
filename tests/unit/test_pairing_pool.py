"""One side of a cohort prepared once and scored against one learner (`/pair find`): the scores
are exactly `fit`'s, the best candidates come best first with their reasons, forbidden partners
and oneself are never proposed, and an empty side proposes no one."""

import random
from datetime import date, time, timedelta

import numpy as np
import pytest

from bot.pairing.fit import fit
from bot.pairing.model import Learner, WeeklyRange
from bot.pairing.pool import PreparedSide

WEEK = date(2026, 12, 7)
ZONES = ["UTC", "America/New_York", "America/Los_Angeles", "Europe/Berlin", "Africa/Lagos", "Asia/Kolkata",
         "Asia/Kathmandu", "Australia/Sydney", "Pacific/Chatham", "America/Sao_Paulo"]


def random_learner(rng: random.Random, member_id: int, other_ids: range) -> Learner:
    ranges = []
    for _ in range(rng.randint(0, 4)):
        start, end = (time(rng.randrange(24), rng.choice([0, 15, 30, 45])) for _ in range(2))
        if start != end:
            ranges.append(WeeklyRange(rng.randrange(7), start, end))
    track = rng.choice([None, "job-board", "e-commerce", "social", "poll"])
    return Learner(
        member_id, rng.choice(ZONES), tuple(ranges), track, None if track is None else track.title(),
        {topic: f"Topic {topic}" for topic in rng.sample(range(14), rng.randint(0, 6))}, rng.random() < 0.5,
        frozenset(rng.sample(list(other_ids), min(len(other_ids), rng.randint(0, 2)))),
    )


def random_cohort(seed: int) -> tuple[date, list[Learner], list[Learner]]:
    rng = random.Random(seed)
    week = date(2026, 1, 5) + timedelta(weeks=rng.randrange(52))
    backend_ids, frontend_ids = range(100, 100 + rng.randint(0, 12)), range(200, 200 + rng.randint(0, 12))
    backends = [random_learner(rng, member, frontend_ids) for member in backend_ids]
    frontends = [random_learner(rng, member, backend_ids) for member in frontend_ids]
    return week, backends, frontends


def at(weekday: int, start: int, end: int) -> WeeklyRange:
    return WeeklyRange(weekday, time(start), time(end))


@pytest.mark.parametrize("seed", range(30))
def test_scores_are_exactly_fit_s_in_both_directions(seed: int) -> None:
    week, backends, frontends = random_cohort(seed)
    backend_side, frontend_side = PreparedSide(backends, week=week), PreparedSide(frontends, week=week)

    for backend in backends:
        expected = [fit(backend, frontend, week=week) for frontend in frontends]
        assert frontend_side.scores_for(backend, learner_is_backend=True).tolist() == \
            [-np.inf if one is None else one.score for one in expected], (seed, backend.member_id)
    for frontend in frontends:
        expected = [fit(backend, frontend, week=week) for backend in backends]
        assert backend_side.scores_for(frontend, learner_is_backend=False).tolist() == \
            [-np.inf if one is None else one.score for one in expected], (seed, frontend.member_id)


@pytest.mark.parametrize("seed", range(30))
def test_the_best_come_first_with_fit_s_own_reasons(seed: int) -> None:
    week, backends, frontends = random_cohort(seed)
    frontend_side, backend_side = PreparedSide(frontends, week=week), PreparedSide(backends, week=week)

    for learner, side, is_backend in [*((b, frontend_side, True) for b in backends),
                                      *((f, backend_side, False) for f in frontends)]:
        limit = random.Random(learner.member_id).choice([1, 3, 5, 50])
        allowed = []
        for candidate in side.learners:
            pair_fit = fit(learner, candidate, week=week) if is_backend else fit(candidate, learner, week=week)
            if pair_fit is not None:
                allowed.append((candidate, pair_fit))
        allowed.sort(key=lambda found: (-found[1].score, found[0].member_id))

        assert side.best_for(learner, learner_is_backend=is_backend, limit=limit) == allowed[:limit], seed


def test_ties_go_to_the_lower_member_id_and_the_limit_holds() -> None:
    evening = at(0, 18, 21)
    candidates = [Learner(member, "UTC", (evening,), "job-board") for member in (305, 301, 304, 302, 303)]
    better = Learner(309, "UTC", (evening,), "job-board", topics={7: "Django"})
    side = PreparedSide([*candidates, better], week=WEEK)
    backend = Learner(1, "UTC", (evening,), "job-board", topics={7: "Django"})

    best = side.best_for(backend, learner_is_backend=True, limit=4)

    assert [candidate.member_id for candidate, _ in best] == [309, 301, 302, 303]
    assert [found.score for _, found in best] == [3 + 2 + 1.5, 3 + 1.5, 3 + 1.5, 3 + 1.5]
    assert best[0][1].reasons == ("both on the job-board track", "both use Django", "3 hours of overlap a week")
    assert len(side.best_for(backend, learner_is_backend=True)) == 5
    assert side.best_for(backend, learner_is_backend=True, limit=0) == []


def test_the_reasons_are_told_from_the_backend_s_side() -> None:
    backend = Learner(1, "UTC", (at(0, 9, 12),), "job-board", "Job board platform", {3: "JWT"})
    frontend = Learner(2, "UTC", (at(0, 10, 12),), "job-board", "Job boards", {3: "JSON Web Tokens"})

    (_, for_frontend), = PreparedSide([backend], week=WEEK).best_for(frontend, learner_is_backend=False)
    (_, for_backend), = PreparedSide([frontend], week=WEEK).best_for(backend, learner_is_backend=True)

    assert for_frontend == for_backend == fit(backend, frontend, week=WEEK)
    assert for_frontend.reasons[:2] == ("both on the Job board platform track", "both use JWT")


def test_oneself_and_partners_recorded_on_either_side_are_never_proposed() -> None:
    evening = (at(2, 18, 21),)
    learner = Learner(1, "UTC", evening, "poll", partner_ids=frozenset({11}))
    side = PreparedSide([
        Learner(1, "UTC", evening, "poll"),  # the learner themself (both roles held, say)
        Learner(11, "UTC", evening, "poll"),  # a partner the learner recorded
        Learner(12, "UTC", evening, "poll", partner_ids=frozenset({1})),  # one who recorded the learner
        Learner(13, "UTC", evening, "poll", partner_ids=frozenset({99})),
        Learner(14, "UTC", (), None),
    ], week=WEEK)

    scores = side.scores_for(learner, learner_is_backend=True)
    best = side.best_for(learner, learner_is_backend=True)

    assert scores.tolist() == [-np.inf, -np.inf, -np.inf, 3 + 1.5, 0]
    assert [candidate.member_id for candidate, _ in best] == [13, 14]


def test_an_empty_side_proposes_no_one() -> None:
    side = PreparedSide([], week=WEEK)
    learner = Learner(1, "UTC", (at(0, 9, 12),), "poll", topics={1: "Git"}, looking=True)

    assert side.scores_for(learner, learner_is_backend=True).shape == (0,)
    assert side.best_for(learner, learner_is_backend=True) == []
