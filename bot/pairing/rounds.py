"""One pairing round: a single global assignment of everyone queued, with maximum total fit
(`scipy.optimize.linear_sum_assignment`), never a current or previous partner, sides of any size,
and for each learner left over the reason. `greedy_round` is the baseline it is measured against.

Among assignments with the same (maximum) total fit, the one with the most pairs is taken: a pair
that fits at 0 still beats no partner. Scores are multiples of 1/8 (see `fit`), so this order is
exact: profit = 8·score·(n+1) + 1 per allowed pair, 0 per forbidden one, with n the smaller side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

import numpy as np

from bot.pairing.fit import SCORE_STEP, Fit, fit
from bot.pairing.fit_matrix import FitMatrix, fit_matrix
from bot.pairing.model import Learner


class UnmatchedReason(Enum):
    NO_ONE_LEFT = "no one was left on the other side"
    ONLY_PREVIOUS_PARTNERS = "everyone left on the other side was already your partner"


@dataclass(frozen=True)
class Pairing:
    backend: Learner
    frontend: Learner
    fit: Fit


@dataclass(frozen=True)
class Unmatched:
    learner: Learner
    side: str  # "backend" or "frontend"
    reason: UnmatchedReason


@dataclass(frozen=True)
class RoundPlan:
    pairs: tuple[Pairing, ...]
    unmatched: tuple[Unmatched, ...]

    @property
    def total_fit(self) -> float:
        return sum(pair.fit.score for pair in self.pairs)


def optimal_round(backends: Sequence[Learner], frontends: Sequence[Learner], *, week: date,
                  scores: FitMatrix | None = None) -> RoundPlan:
    """The round with maximum total fit (then the most pairs); `scores` may be passed when the
    caller already has `fit_matrix(backends, frontends, week=week)`."""
    if scores is None:
        scores = fit_matrix(backends, frontends, week=week)
    return _plan(backends, frontends, optimal_assignment(scores), week)


def optimal_assignment(scores: FitMatrix) -> list[tuple[int, int]]:
    """(row, column) pairs of an assignment with maximum total score over the allowed (finite)
    entries, then the most pairs; -inf entries are never assigned."""
    if scores.size == 0:
        return []
    allowed = np.isfinite(scores)
    steps = np.where(allowed, np.rint(scores / SCORE_STEP), 0)
    profit = np.where(allowed, steps * (min(scores.shape) + 1) + 1, 0)
    # Imported here, at the first round: scipy.optimize costs every start of the bot ~0.45 s (about a
    # quarter of it) while most starts, and most processes of a sharded bot, never pair a round.
    from scipy.optimize import linear_sum_assignment

    rows, columns = linear_sum_assignment(profit, maximize=True)
    return [(int(i), int(j)) for i, j in zip(rows, columns, strict=True) if allowed[i, j]]


def greedy_round(backends: Sequence[Learner], frontends: Sequence[Learner], *, week: date,
                 scores: FitMatrix | None = None) -> RoundPlan:
    """The baseline: take the best remaining allowed pair until none is left."""
    if scores is None:
        scores = fit_matrix(backends, frontends, week=week)
    return _plan(backends, frontends, greedy_assignment(scores), week)


def greedy_assignment(scores: FitMatrix) -> list[tuple[int, int]]:
    if scores.size == 0:
        return []
    order = np.argsort(-scores, axis=None, kind="stable")
    order = order[np.isfinite(scores.ravel()[order])]
    rows, columns = np.unravel_index(order, scores.shape)
    taken_rows, taken_columns = set[int](), set[int]()
    chosen: list[tuple[int, int]] = []
    for i, j in zip(rows.tolist(), columns.tolist(), strict=True):
        if i not in taken_rows and j not in taken_columns:
            taken_rows.add(i)
            taken_columns.add(j)
            chosen.append((i, j))
            if len(chosen) == min(scores.shape):
                break
    return chosen


def _plan(backends: Sequence[Learner], frontends: Sequence[Learner], chosen: list[tuple[int, int]],
          week: date) -> RoundPlan:
    pairs = []
    for i, j in chosen:
        pair_fit = fit(backends[i], frontends[j], week=week)
        assert pair_fit is not None  # forbidden pairs are never chosen
        pairs.append(Pairing(backends[i], frontends[j], pair_fit))
    matched_rows = {i for i, _ in chosen}
    matched_columns = {j for _, j in chosen}
    left_backends = [b for i, b in enumerate(backends) if i not in matched_rows]
    left_frontends = [f for j, f in enumerate(frontends) if j not in matched_columns]
    unmatched = [Unmatched(b, "backend", _why(left_frontends)) for b in left_backends]
    unmatched += [Unmatched(f, "frontend", _why(left_backends)) for f in left_frontends]
    return RoundPlan(tuple(pairs), tuple(unmatched))


def _why(left_on_other_side: list[Learner]) -> UnmatchedReason:
    # With the most pairs taken, a learner left over while someone is left on the other side can
    # only be a (previous) partner of each of them: any allowed pair would have been added.
    return UnmatchedReason.ONLY_PREVIOUS_PARTNERS if left_on_other_side else UnmatchedReason.NO_ONE_LEFT
