"""A pairing round: maximum total fit against brute force on every small shape, never a previous
partner, unequal and empty sides, the reason each unmatched learner is given, the greedy baseline."""

import itertools
import random
from datetime import date, time
from functools import cache

import numpy as np
import pytest

from bot.pairing.model import Learner, WeeklyRange
from bot.pairing.rounds import UnmatchedReason, greedy_assignment, greedy_round, optimal_assignment, optimal_round

WEEK = date(2026, 12, 7)


def best_by_brute_force(scores: np.ndarray) -> tuple[float, int]:
    """(maximum total score, most pairs at that total) over every matching of allowed entries."""
    rows, columns = scores.shape

    @cache
    def best(row: int, used: frozenset[int]) -> tuple[float, int]:
        if row == rows:
            return (0.0, 0)
        options = [best(row + 1, used)]  # this row stays unmatched
        for column in range(columns):
            if column not in used and np.isfinite(scores[row, column]):
                total, pairs = best(row + 1, used | {column})
                options.append((total + scores[row, column], pairs + 1))
        return max(options)

    return best(0, frozenset())


def random_scores(rng: random.Random, rows: int, columns: int) -> np.ndarray:
    # Few distinct values (many ties) and forbidden pairs, as in real cohorts.
    values = [[rng.choice([0, 0, 0.125, 0.25, 1, 2.5, 9.5]) if rng.random() > 0.3 else -np.inf for _ in range(columns)]
              for _ in range(rows)]
    return np.array(values, dtype=np.float64).reshape(rows, columns)


@pytest.mark.parametrize(("rows", "columns"), list(itertools.product(range(8), repeat=2)))
def test_the_round_is_optimal_on_every_shape_up_to_seven_by_seven(rows: int, columns: int) -> None:
    rng = random.Random(rows * 8 + columns)
    for _ in range(25):
        scores = random_scores(rng, rows, columns)

        chosen = optimal_assignment(scores)

        assert all(np.isfinite(scores[i, j]) for i, j in chosen), "a forbidden pair was assigned"
        assert len({i for i, _ in chosen}) == len({j for _, j in chosen}) == len(chosen)
        assert (sum(scores[i, j] for i, j in chosen), len(chosen)) == best_by_brute_force(scores)
        greedy = greedy_assignment(scores)
        assert sum(scores[i, j] for i, j in greedy) <= sum(scores[i, j] for i, j in chosen)


def test_greedy_can_do_worse_and_the_round_does_not() -> None:
    scores = np.array([[10.0, 9.0], [9.0, 0.0]])

    assert sorted(optimal_assignment(scores)) == [(0, 1), (1, 0)]  # 18
    assert greedy_assignment(scores) == [(0, 0), (1, 1)]  # 10


def person(member_id: int, *, partners: set[int] = frozenset(), track: str = "job-board",  # type: ignore[assignment]
           hours: tuple[int, int] = (9, 17), looking: bool = True) -> Learner:
    return Learner(member_id, "UTC", (WeeklyRange(0, time(hours[0]), time(hours[1])),), track, track, {},
                   looking, frozenset(partners))


def test_previous_partners_are_never_paired_again_even_when_they_fit_best() -> None:
    # 1 and 11 were partners and fit best; 2 was 12's partner. Both must be split up.
    backends = [person(1, partners={11}), person(2, partners={12}, track="other")]
    frontends = [person(11), person(12, track="other")]

    plan = optimal_round(backends, frontends, week=WEEK)

    assert {(p.backend.member_id, p.frontend.member_id) for p in plan.pairs} == {(1, 12), (2, 11)}
    assert plan.unmatched == ()


def test_left_with_only_a_previous_partner_the_learners_are_told_so() -> None:
    backends = [person(1, partners={11}), person(2)]
    frontends = [person(11), person(12, hours=(20, 22))]

    plan = optimal_round(backends, frontends, week=WEEK)

    # 2 may pair with either; 1 only with 12: the round pairs 1–12 and 2–11, everyone matched.
    assert {(p.backend.member_id, p.frontend.member_id) for p in plan.pairs} == {(1, 12), (2, 11)}

    alone = optimal_round([person(1, partners={11})], [person(11)], week=WEEK)
    assert alone.pairs == ()
    assert {(u.learner.member_id, u.side, u.reason) for u in alone.unmatched} == {
        (1, "backend", UnmatchedReason.ONLY_PREVIOUS_PARTNERS),
        (11, "frontend", UnmatchedReason.ONLY_PREVIOUS_PARTNERS)}


def test_unequal_sides_leave_the_extra_learners_with_no_one_left() -> None:
    backends = [person(1, hours=(9, 10)), person(2, hours=(9, 17)), person(3, hours=(20, 21))]
    frontends = [person(11, hours=(9, 17))]

    plan = optimal_round(backends, frontends, week=WEEK)

    assert [(p.backend.member_id, p.frontend.member_id) for p in plan.pairs] == [(2, 11)]
    assert "8 hours of overlap a week" in plan.pairs[0].fit.reasons
    assert {(u.learner.member_id, u.reason) for u in plan.unmatched} == {
        (1, UnmatchedReason.NO_ONE_LEFT), (3, UnmatchedReason.NO_ONE_LEFT)}


@pytest.mark.parametrize(("backend_count", "frontend_count"), [(0, 0), (0, 3), (2, 0)])
def test_empty_and_one_sided_queues(backend_count: int, frontend_count: int) -> None:
    backends = [person(n) for n in range(1, backend_count + 1)]
    frontends = [person(n) for n in range(11, 11 + frontend_count)]

    for plan in (optimal_round(backends, frontends, week=WEEK), greedy_round(backends, frontends, week=WEEK)):
        assert plan.pairs == ()
        assert len(plan.unmatched) == backend_count + frontend_count
        assert all(u.reason is UnmatchedReason.NO_ONE_LEFT for u in plan.unmatched)


def test_a_zero_fit_pair_still_beats_no_partner() -> None:
    plan = optimal_round([person(1, hours=(1, 2), track="a")], [person(11, hours=(5, 6), track="b", looking=False)],
                         week=WEEK)

    assert [(p.backend.member_id, p.frontend.member_id) for p in plan.pairs] == [(1, 11)]
    assert plan.pairs[0].fit.score == 0
    assert plan.pairs[0].fit.reasons == ("no overlap in weekly availability",)
