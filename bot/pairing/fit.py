"""How well a backend and a frontend learner fit, with the reasons in words. The one scoring
function used everywhere; `fit_matrix` computes the same scores for whole cohorts at once.

Weights (points; the most a pair can score is 17):
- same track, 3: building the same kind of project is the point of pairing, and it is one fact,
  so it is worth about as much as two shared topics;
- 2 for each shared knowledge-base topic, counting at most 4 (8): shared technologies are where
  two learners help each other most, but a long stack list should not outweigh everything else;
- 0.5 for each hour of weekly overlap, counting at most 10 (5): a pair must be able to meet, yet
  beyond about two hours a weekday more overlap does not make a better pair;
- both looking for a partner, 1: a tie-break that prefers learners who asked to be paired.
Every weight and cap is a multiple of 1/8 applied to quarter hours, so scores are exact binary
fractions: the scalar and vectorised forms agree exactly, and rounds can compare them as integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.pairing.availability import Interval, overlap_minutes, weekly_intervals
from bot.pairing.model import Learner

SAME_TRACK_POINTS = 3.0
SHARED_TOPIC_POINTS = 2.0
MAX_COUNTED_TOPICS = 4
OVERLAP_HOUR_POINTS = 0.5
MAX_COUNTED_OVERLAP_HOURS = 10.0
BOTH_LOOKING_POINTS = 1.0
SCORE_STEP = 1 / 8  # every score is a multiple of this
MAX_NAMED_TOPICS = 5
REASON_SEPARATOR = "; "  # how a pair's reasons are joined when stored with it


@dataclass(frozen=True)
class Fit:
    score: float
    reasons: tuple[str, ...]
    same_track: bool
    shared_topics: tuple[tuple[int, str], ...]  # (id, title), by title
    overlap_hours: float
    both_looking: bool


def may_pair(backend: Learner, frontend: Learner) -> bool:
    """Never oneself, never a current or previous partner (recorded on either side)."""
    return (backend.member_id != frontend.member_id
            and frontend.member_id not in backend.partner_ids
            and backend.member_id not in frontend.partner_ids)


def score_of(same_track: bool, shared_topic_count: int, overlap_hours: float, both_looking: bool) -> float:
    return (SAME_TRACK_POINTS * same_track
            + SHARED_TOPIC_POINTS * min(shared_topic_count, MAX_COUNTED_TOPICS)
            + OVERLAP_HOUR_POINTS * min(overlap_hours, MAX_COUNTED_OVERLAP_HOURS)
            + BOTH_LOOKING_POINTS * both_looking)


MAX_SCORE = score_of(True, MAX_COUNTED_TOPICS, MAX_COUNTED_OVERLAP_HOURS, True)


def fit(backend: Learner, frontend: Learner, *, week: date,
        intervals: tuple[list[Interval], list[Interval]] | None = None) -> Fit | None:
    """The pair's fit in the week starting Monday `week` (whose DST rules apply), or None when
    they may not be paired. `intervals` are both learners' `weekly_intervals` for `week` when the
    caller has them already (`pool.PreparedSide`): they are most of the cost of a fit."""
    if not may_pair(backend, frontend):
        return None
    same_track = backend.track is not None and backend.track == frontend.track
    shared = sorted(((topic_id, title) for topic_id, title in backend.topics.items()
                     if topic_id in frontend.topics), key=lambda topic: (topic[1].casefold(), topic[0]))
    if intervals is None:
        intervals = (weekly_intervals(backend, week), weekly_intervals(frontend, week))
    minutes = overlap_minutes(*intervals)
    hours = minutes / 60
    both_looking = backend.looking and frontend.looking
    reasons: list[str] = []
    if same_track:
        reasons.append(f"both on the {backend.track_name or backend.track} track")
    if shared:
        reasons.append(f"both use {_listed([title for _, title in shared])}")
    if minutes:
        reasons.append(f"{_hours(hours)} of overlap a week")
    elif backend.availability and frontend.availability:
        reasons.append("no overlap in weekly availability")
    else:  # "no overlap" would be untrue of someone who never said when they are free
        reasons.append("no weekly availability given yet")
    if both_looking:
        reasons.append("both looking for a partner")
    return Fit(score_of(same_track, len(shared), hours, both_looking), tuple(reasons), same_track,
               tuple(shared), hours, both_looking)


def _listed(names: list[str]) -> str:
    if len(names) > MAX_NAMED_TOPICS:
        names = [*names[:MAX_NAMED_TOPICS - 1], f"{len(names) - MAX_NAMED_TOPICS + 1} more topics"]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _hours(hours: float) -> str:
    whole, minutes = int(hours), round((hours - int(hours)) * 60)
    if not minutes:
        return f"{whole} hour" + ("" if whole == 1 else "s")
    return f"{whole} h {minutes} min" if whole else f"{minutes} minutes"
