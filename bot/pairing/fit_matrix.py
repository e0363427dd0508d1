"""`fit.fit`'s scores for every backend × frontend pair of a cohort at once (numpy): the same
formula on incidence matrices, so a 2,000 × 2,000 round is scored in a fraction of a second.
Pairs that may not be paired score -inf. Reasons are left to `fit.fit`, for the few pairs shown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import numpy.typing as npt

from bot.pairing.availability import WEEK_SLOTS, weekly_intervals
from bot.pairing.fit import (
    BOTH_LOOKING_POINTS,
    MAX_COUNTED_OVERLAP_HOURS,
    MAX_COUNTED_TOPICS,
    OVERLAP_HOUR_POINTS,
    SAME_TRACK_POINTS,
    SHARED_TOPIC_POINTS,
)
from bot.pairing.model import SLOT_MINUTES, Learner

FitMatrix = npt.NDArray[np.float64]


def fit_matrix(backends: Sequence[Learner], frontends: Sequence[Learner], *, week: date) -> FitMatrix:
    """scores[i, j] == fit(backends[i], frontends[j], week=week).score, or -inf when None."""
    if not backends or not frontends:
        return np.zeros((len(backends), len(frontends)))
    tracks = {key: code for code, key in enumerate(
        {learner.track for learner in (*backends, *frontends) if learner.track is not None})}
    backend_tracks = np.array([-1 if b.track is None else tracks[b.track] for b in backends])
    frontend_tracks = np.array([-2 if f.track is None else tracks[f.track] for f in frontends])
    same_track = backend_tracks[:, None] == frontend_tracks[None, :]

    topic_ids = sorted({topic for learner in (*backends, *frontends) for topic in learner.topics})
    shared_topics = _incidence(backends, topic_ids) @ _incidence(frontends, topic_ids).T

    overlap_slots = _slots(backends, week) @ _slots(frontends, week).T  # exact: sums of 0/1 below 2**24
    overlap_hours = overlap_slots.astype(np.float64) * (SLOT_MINUTES / 60)

    looking = np.outer([b.looking for b in backends], [f.looking for f in frontends])

    scores = (SAME_TRACK_POINTS * same_track
              + SHARED_TOPIC_POINTS * np.minimum(shared_topics, MAX_COUNTED_TOPICS)
              + OVERLAP_HOUR_POINTS * np.minimum(overlap_hours, MAX_COUNTED_OVERLAP_HOURS)
              + BOTH_LOOKING_POINTS * looking)
    scores[_forbidden(backends, frontends)] = -np.inf
    return scores


def _incidence(learners: Sequence[Learner], topic_ids: list[int]) -> npt.NDArray[np.float32]:
    column = {topic: index for index, topic in enumerate(topic_ids)}
    matrix = np.zeros((len(learners), len(topic_ids)), dtype=np.float32)
    for row, learner in enumerate(learners):
        matrix[row, [column[topic] for topic in learner.topics]] = 1
    return matrix


def _slots(learners: Sequence[Learner], week: date) -> npt.NDArray[np.float32]:
    """One row per learner, one column per quarter hour of the UTC reference week."""
    matrix = np.zeros((len(learners), WEEK_SLOTS), dtype=np.float32)
    for row, learner in enumerate(learners):
        for start, end in weekly_intervals(learner, week):
            matrix[row, start // SLOT_MINUTES:end // SLOT_MINUTES] = 1
    return matrix


def _forbidden(backends: Sequence[Learner], frontends: Sequence[Learner]) -> npt.NDArray[np.bool_]:
    column = {frontend.member_id: j for j, frontend in enumerate(frontends)}
    row = {backend.member_id: i for i, backend in enumerate(backends)}
    forbidden = np.zeros((len(backends), len(frontends)), dtype=bool)
    for i, backend in enumerate(backends):
        for other in (backend.member_id, *backend.partner_ids):
            if other in column:
                forbidden[i, column[other]] = True
    for j, frontend in enumerate(frontends):
        for other in (frontend.member_id, *frontend.partner_ids):
            if other in row:
                forbidden[row[other], j] = True
    return forbidden
