"""`fit.fit`'s scores for every backend × frontend pair of a cohort at once (numpy): the two sides
prepared as in `/pair find` (`pool.PreparedSide`, sharing track codes and topic columns) and scored
against each other with the same vectorised formula, so a 2,000 × 2,000 round is scored in a
fraction of a second. Pairs that may not be paired score -inf. Reasons are left to `fit.fit`, for
the few pairs shown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import numpy.typing as npt

from bot.pairing.model import Learner
from bot.pairing.pool import PreparedSide, cohort_scores, topic_columns_of, track_codes_of

FitMatrix = npt.NDArray[np.float64]


def fit_matrix(backends: Sequence[Learner], frontends: Sequence[Learner], *, week: date) -> FitMatrix:
    """scores[i, j] == fit(backends[i], frontends[j], week=week).score, or -inf when None."""
    if not backends or not frontends:
        return np.zeros((len(backends), len(frontends)))
    tracks, topics = track_codes_of(backends, frontends), topic_columns_of(backends, frontends)
    return cohort_scores(PreparedSide(backends, week=week, track_codes=tracks, topic_columns=topics),
                         PreparedSide(frontends, week=week, track_codes=tracks, topic_columns=topics))
