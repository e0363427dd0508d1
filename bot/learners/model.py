"""Who looks for a partner: the one rule every post, list and placeholder shows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PartnerStates:
    """A server's learners as pairing leaves them: in an active pair, or in the pairing queue."""

    paired: frozenset[int] = frozenset()
    queued: frozenset[int] = frozenset()

    def looking(self, member_id: int, wants_partner: bool) -> bool:
        """A learner looks for a partner when they said so (their project, or the queue by command)
        and are not in a pair: paired means no longer looking, and after a leave they look again
        unless they said otherwise."""
        return member_id not in self.paired and (wants_partner or member_id in self.queued)


@dataclass(frozen=True)
class CohortCounts:
    """What the posts count: active projects and current pairs."""

    projects: int = 0
    pairs: int = 0
