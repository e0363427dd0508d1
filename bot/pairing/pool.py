"""One side of a cohort (every backend or every frontend learner waiting), prepared once for a week
so one learner is scored against all of it in a few dozen microseconds: `/pair find` with 2,000
learners waiting answers as fast as a bare reply. `fit_matrix` scores two prepared sides against
each other with the same formula (`scores_of`), so there is one vectorised form of `fit.fit`.

What is prepared, and why in that shape:
- tracks as small integer codes, compared in one vector operation;
- topics as an incidence matrix stored topic by topic, so a learner's few topics pick a few
  contiguous rows whose sum is the shared count of every candidate;
- availability as quarter-hour slots of the UTC reference week (`weekly_intervals`), and as their
  running totals stored slot by slot, so the overlap with a learner's few intervals is a few row
  differences rather than a product over all 672 slots;
- who may not be proposed to whom: a member id → row index, and who lists whom as a partner.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from functools import cached_property

import numpy as np
import numpy.typing as npt

from bot.pairing.availability import WEEK_SLOTS, Interval, weekly_intervals
from bot.pairing.fit import (
    BOTH_LOOKING_POINTS,
    MAX_COUNTED_OVERLAP_HOURS,
    MAX_COUNTED_TOPICS,
    OVERLAP_HOUR_POINTS,
    SAME_TRACK_POINTS,
    SCORE_STEP,
    SHARED_TOPIC_POINTS,
    Fit,
    fit,
)
from bot.pairing.model import SLOT_MINUTES, Learner

Scores = npt.NDArray[np.float64]
NO_TRACK = -1  # a learner without a track (or with one the other side never has) matches no one


def _steps(points: float) -> int:
    steps = points / SCORE_STEP
    assert steps == int(steps), f"{points} points is not a whole number of score steps"
    return int(steps)


# The weights of `fit` in whole score steps (1/8 point): integer arithmetic is exact and the cheapest.
TRACK_STEPS = _steps(SAME_TRACK_POINTS)
TOPIC_STEPS = _steps(SHARED_TOPIC_POINTS)
SLOT_STEPS = _steps(OVERLAP_HOUR_POINTS * SLOT_MINUTES / 60)  # per quarter hour of overlap
MAX_COUNTED_SLOTS = _steps(MAX_COUNTED_OVERLAP_HOURS * 60 / SLOT_MINUTES * SCORE_STEP)
LOOKING_STEPS = _steps(BOTH_LOOKING_POINTS)
Steps = npt.NDArray[np.int32]


def score_steps_of(same_track: npt.NDArray[np.bool_], shared_topics: npt.ArrayLike, overlap_slots: npt.ArrayLike,
                   both_looking: npt.NDArray[np.bool_]) -> Steps:
    """`fit.score_of` / SCORE_STEP on arrays of any (broadcastable) shape: the one vectorised
    formula, in whole steps, so it equals the scalar score exactly. Written in place, as a
    2,000 × 2,000 round has four million of them."""
    steps = np.minimum(shared_topics, MAX_COUNTED_TOPICS).astype(np.int32)
    steps *= TOPIC_STEPS
    slots = np.minimum(overlap_slots, MAX_COUNTED_SLOTS).astype(np.int32)
    if SLOT_STEPS != 1:
        slots *= SLOT_STEPS
    steps += slots
    np.add(steps, TRACK_STEPS, out=steps, where=same_track)
    np.add(steps, LOOKING_STEPS, out=steps, where=both_looking)
    return steps


def scores_of(same_track: npt.NDArray[np.bool_], shared_topics: npt.ArrayLike, overlap_slots: npt.ArrayLike,
              both_looking: npt.NDArray[np.bool_]) -> Scores:
    """The same scores in points (`score_steps_of` × SCORE_STEP: exact, steps are small integers)."""
    return np.multiply(score_steps_of(same_track, shared_topics, overlap_slots, both_looking), SCORE_STEP,
                       dtype=np.float64)


def track_codes_of(*sides: Iterable[Learner]) -> dict[str, int]:
    """One code per track met on any of the sides (in order of first appearance), for sides that
    will be compared with each other."""
    codes: dict[str, int] = {}
    for side in sides:
        for learner in side:
            if learner.track is not None:
                codes.setdefault(learner.track, len(codes))
    return codes


def topic_columns_of(*sides: Iterable[Learner]) -> dict[int, int]:
    """One column per knowledge-base topic met on any of the sides (by topic id)."""
    topic_ids = sorted({topic for side in sides for learner in side for topic in learner.topics})
    return {topic: column for column, topic in enumerate(topic_ids)}


class PreparedSide:
    """Learners of one side, prepared for the week starting Monday `week`. `track_codes` and
    `topic_columns` are given when two sides are scored against each other (`fit_matrix`), so both
    use the same codes and columns; they must then cover this side's tracks and topics."""

    def __init__(self, learners: Sequence[Learner], *, week: date, track_codes: dict[str, int] | None = None,
                 topic_columns: dict[int, int] | None = None) -> None:
        self.learners = tuple(learners)
        self.week = week
        self.track_codes = track_codes_of(self.learners) if track_codes is None else track_codes
        self.topic_columns = topic_columns_of(self.learners) if topic_columns is None else topic_columns
        count = len(self.learners)
        self.member_ids = np.array([learner.member_id for learner in self.learners], dtype=np.int64)
        self._row_of = {learner.member_id: row for row, learner in enumerate(self.learners)}
        self._rows_partnered_with: dict[int, list[int]] = {}
        for row, learner in enumerate(self.learners):
            for partner in learner.partner_ids:
                self._rows_partnered_with.setdefault(partner, []).append(row)
        self.tracks = np.array([NO_TRACK if learner.track is None else self.track_codes[learner.track]
                                for learner in self.learners], dtype=np.int64)
        self.looking = np.array([learner.looking for learner in self.learners], dtype=bool)
        width = max(self.topic_columns.values(), default=-1) + 1
        self.topics_by_column = np.zeros((width, count), dtype=np.float32)  # one row per topic
        self.slots = np.zeros((count, WEEK_SLOTS), dtype=np.float32)  # one row per learner
        self.intervals = [weekly_intervals(learner, week) for learner in self.learners]  # for the reasons
        for row, learner in enumerate(self.learners):
            self.topics_by_column[[self.topic_columns[topic] for topic in learner.topics], row] = 1
            for start, end in self.intervals[row]:
                self.slots[row, start // SLOT_MINUTES:end // SLOT_MINUTES] = 1
        # Ties in best_for go to the lower member id: its rank is folded into an integer sort key.
        self._rank_from_top = count - 1 - np.argsort(np.argsort(self.member_ids, kind="stable"), kind="stable")

    @cached_property
    def _slots_before(self) -> npt.NDArray[np.int32]:
        """_slots_before[s, row]: how many of the row's slots come before slot s (s up to 672)."""
        running = np.zeros((WEEK_SLOTS + 1, len(self.learners)), dtype=np.int32)
        np.cumsum(self.slots.T, axis=0, dtype=np.int32, out=running[1:])
        return running

    def __len__(self) -> int:
        return len(self.learners)

    def scores_for(self, learner: Learner, *, learner_is_backend: bool) -> Scores:
        """fit(...).score of `learner` against each learner of this side (-inf where fit is None).
        The score does not depend on which of the two is the backend; `learner_is_backend` says
        which side `learner` is on, as `best_for` needs it for the reasons."""
        del learner_is_backend  # the same either way; kept so both methods read alike
        if not self.learners:
            return np.zeros(0)
        scores = np.multiply(self._steps(learner, weekly_intervals(learner, self.week)), SCORE_STEP,
                             dtype=np.float64)
        scores[self.forbidden_rows_for(learner)] = -np.inf
        return scores

    def _steps(self, learner: Learner, intervals: list[Interval]) -> Steps:
        """The learner's score against every row, in steps, forbidden rows included."""
        count = len(self.learners)
        code = self.track_codes.get(learner.track) if learner.track is not None else None
        same_track = self.tracks == code if code is not None else np.zeros(count, dtype=bool)
        columns = [self.topic_columns[topic] for topic in learner.topics if topic in self.topic_columns]
        shared = self.topics_by_column[columns].sum(axis=0) if columns else np.zeros(count)
        if intervals:
            starts = [start // SLOT_MINUTES for start, _ in intervals]
            ends = [end // SLOT_MINUTES for _, end in intervals]
            overlap = (self._slots_before[ends] - self._slots_before[starts]).sum(axis=0)
        else:
            overlap = np.zeros(count, dtype=np.int32)
        both_looking = self.looking if learner.looking else np.zeros(count, dtype=bool)
        return score_steps_of(same_track, shared, overlap, both_looking)

    def best_for(self, learner: Learner, *, learner_is_backend: bool, limit: int = 5) -> list[tuple[Learner, Fit]]:
        """The `limit` best allowed candidates, best first (ties: lower member_id first), each with
        its `fit.fit(...)` (reasons)."""
        count = len(self.learners)
        if count == 0 or limit <= 0:
            return []
        own_intervals = weekly_intervals(learner, self.week)
        # steps·n + rank is an exact integer order, so the top `limit` are found in linear time,
        # ties included; forbidden rows get -1, below every allowed one.
        keys = self._steps(learner, own_intervals).astype(np.int64)
        keys *= count
        keys += self._rank_from_top
        keys[self.forbidden_rows_for(learner)] = -1
        taken = min(limit, count)
        top = np.argpartition(keys, count - taken)[count - taken:]
        ranked = top[np.argsort(-keys[top], kind="stable")]
        best = []
        for row in ranked.tolist():
            if keys[row] < 0:
                break
            candidate, intervals = self.learners[row], self.intervals[row]
            reasons = (fit(learner, candidate, week=self.week, intervals=(own_intervals, intervals))
                       if learner_is_backend else
                       fit(candidate, learner, week=self.week, intervals=(intervals, own_intervals)))
            assert reasons is not None  # forbidden rows score -inf and are never taken
            best.append((candidate, reasons))
        return best

    def forbidden_rows_for(self, learner: Learner) -> list[int]:
        """Rows `fit.may_pair` refuses: the learner themself and partners recorded on either side."""
        rows = list(self._rows_partnered_with.get(learner.member_id, ()))
        rows += [self._row_of[member] for member in (learner.member_id, *learner.partner_ids) if member in self._row_of]
        return rows


def cohort_scores(backends: PreparedSide, frontends: PreparedSide) -> Scores:
    """scores[i, j] for every backend i and frontend j of two sides prepared with the same track
    codes and topic columns (see `fit_matrix`)."""
    same_track = ((backends.tracks[:, None] == frontends.tracks[None, :])
                  & (backends.tracks[:, None] != NO_TRACK))
    shared = backends.topics_by_column.T @ frontends.topics_by_column  # exact: sums of 0/1 below 2**24
    overlap = backends.slots @ frontends.slots.T
    scores = scores_of(same_track, shared, overlap, np.outer(backends.looking, frontends.looking))
    for i, backend in enumerate(backends.learners):
        scores[i, frontends.forbidden_rows_for(backend)] = -np.inf
    return scores
