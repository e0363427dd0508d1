"""What finishing a pairing round takes, step by step, each with its ledger key: a thread per pair
(both learners added, why they fit as its first message), the closed requests' messages edited and
their senders told, each learner left over told why and when the next round is (unless an earlier
round told them the same reason and they were not paired since), the announcement.

Pure: it reads a stored round and returns the steps still to do, with their texts; the pair cog only
renders and sends each through the outbox, once (the ledger key), so a round cut short by kill -9 is
finished by the next start or tick by running the same plan again: what was done is skipped by its
key, what a dead process had claimed is waited for until its lease runs out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.pairing.records import Pair, PairRequest, StoredRound
from bot.pairing.rounds_service import PARTNER_JUST_PAIRED
from bot.scheduling.ledger import PostKey

THREAD_KIND = "pair-thread"  # the ledger's kind of a pair's thread (its first message)
NOTICE_KIND = "pair-notice"  # a notice to one learner
ANNOUNCE_KIND = "pair-round-post"  # a round's announcement in the channel
UNMATCHED_WHY = {
    "no-one-left": "everyone on the other side was already matched",
    "only-previous-partners": "the only learners left on the other side were your previous partners",
    PARTNER_JUST_PAIRED: "the learner chosen for you paired with someone else a moment before",
}
CLOSED_REQUEST_EDIT = "This pairing request was closed: one of you was paired in a pairing round."


@dataclass(frozen=True)
class Notice:
    """A message to one learner (by DM, else in the channel mentioning only them), once per key."""

    key: PostKey
    member_id: int
    text: str


@dataclass(frozen=True)
class RoundSteps:
    threads: list[Pair]  # pairs whose thread or its first message is not made yet
    closed_requests: list[PairRequest]  # messages to take the buttons off (best effort, no key needed)
    notices: list[Notice]  # the closed requests' senders, then everyone left over
    announce: PostKey | None  # the round's announcement, when it paired anyone


def thread_key(pair: Pair) -> PostKey:
    return PostKey(pair.guild_id, THREAD_KIND, str(pair.id))


def round_steps(stored: StoredRound, next_round: datetime | None) -> RoundSteps:
    round_ = stored.round
    paired = {member for pair in stored.pairs for member in (pair.backend_id, pair.frontend_id)}
    notices = [
        Notice(PostKey(round_.guild_id, NOTICE_KIND, f"round:{round_.id}:closed:{request.id}"), request.requester_id,
               f"Your pairing request to <@{request.target_id}> was closed: they were paired in a pairing round. "
               "`/pair find` shows who else fits you.")
        for request in stored.closed if request.requester_id not in paired
    ]
    then = (f"You stay in the queue: the next round is <t:{int(next_round.timestamp())}:F>." if next_round
            else "You stay in the queue for the next round; meanwhile `/pair find` shows who fits you.")
    for entry in stored.unmatched:
        if not entry.told:  # told this same reason by an earlier round, and not paired since
            continue
        why = UNMATCHED_WHY.get(entry.reason, "no partner could be found")
        notices.append(Notice(PostKey(round_.guild_id, NOTICE_KIND, f"round:{round_.id}:{entry.member_id}"),
                              entry.member_id, f"This pairing round found no partner for you: {why}. {then}"))
    return RoundSteps(
        threads=[pair for pair in stored.pairs if pair.message_id is None],
        closed_requests=list(stored.closed),
        notices=notices,
        announce=PostKey(round_.guild_id, ANNOUNCE_KIND, str(round_.id)) if stored.pairs else None,
    )
