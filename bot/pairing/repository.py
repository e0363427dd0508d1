"""What pairing asks of the database (implemented per engine in `bot/db/`): its profiles, requests,
pairs and queue, and its rounds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time
from typing import Protocol

from bot.pairing.records import (
    Pair,
    PairRequest,
    PlannedPair,
    Profile,
    QueueEntry,
    QueueVia,
    RequestStatus,
    Round,
    RoundSchedule,
    RoundServer,
    StoredRound,
    UnmatchedEntry,
)
from bot.shards import ShardPlan


class PairingRepository(Protocol):
    """Profiles, requests, pairs with their active members, and the queue (0001, 0008). Every change
    that must be all-or-nothing (an accept, a leave) is one transaction; "one active pair per member"
    is a unique key, never a check before an insert."""

    async def profile(self, guild_id: int, member_id: int) -> Profile | None:
        ...

    async def watch_learners(self, changed: Callable[[int | None], None]) -> None:
        """Call `changed(guild_id)` whenever another process changed a server's learners (its
        projects, profiles, pairs, queue or setup), and `changed(None)` when changes may have been
        missed (the listening connection was lost a while): that process's caches are stale."""
        ...

    async def profiles(self, guild_id: int) -> list[Profile]:
        ...

    async def save_profile(self, profile: Profile) -> None:
        ...

    async def paired_members(self, guild_id: int) -> frozenset[int]:
        """Every member of the server in an active pair."""
        ...

    async def count_active_pairs(self, guild_ids: list[int]) -> dict[int, int]:
        """How many active pairs each server has (servers with none are left out)."""
        ...

    async def queue(self, guild_id: int) -> list[QueueEntry]:
        ...

    async def join_queue(self, guild_id: int, member_id: int, via: QueueVia, now: datetime) -> bool:
        """True when the member was not queued before. Joining by command makes a project's entry the
        member's own (withdrawing the project then leaves it)."""
        ...

    async def leave_queue(self, guild_id: int, member_id: int, *, only_via: QueueVia | None = None) -> bool:
        ...

    async def counts(self, guild_id: int, now: datetime) -> tuple[int, int, int]:
        """(active pairs, members queued, open requests) of the server, in one query."""
        ...

    async def active_pair(self, guild_id: int, member_id: int) -> Pair | None:
        ...

    async def get_pair(self, pair_id: int) -> Pair | None:
        ...

    async def pairs_of(self, guild_id: int, member_id: int) -> list[Pair]:
        """Every pair the member was in, newest first."""
        ...

    async def all_pairs(self, guild_id: int) -> list[Pair]:
        ...

    async def set_pair_thread(self, pair_id: int, thread_id: int | None, message_id: int | None) -> None:
        ...

    async def end_pair(self, pair_id: int, ended_by: int, reason: str, now: datetime) -> Pair | None:
        """End an active pair (None when it was not active): both members are free again."""
        ...

    async def member_left(self, guild_id: int, member_id: int, now: datetime) -> tuple[Pair | None, list[PairRequest]]:
        """A member left the server: out of the queue, their open requests (both ways) closed and
        their pair ended, in one transaction. Returns the pair ended and the requests closed."""
        ...

    async def member_returned(self, guild_id: int, member_id: int) -> bool:
        ...

    async def departed(self, guild_id: int) -> set[int]:
        ...

    async def get_request(self, request_id: int) -> PairRequest | None:
        ...

    async def create_request(self, guild_id: int, requester_id: int, target_id: int, note: str, now: datetime,
                             expires_at: datetime) -> PairRequest | None:
        """The new pending request, or None when the same one is pending already. A request between
        the two that expired unseen (the bot was down) is marked expired first."""
        ...

    async def set_request_delivery(self, request_id: int, channel_id: int, message_id: int,
                                   delivered_in: str) -> None:
        ...

    async def open_requests(self, guild_id: int, member_id: int, now: datetime) -> list[PairRequest]:
        """Pending, unexpired requests the member sent or received, oldest first."""
        ...

    async def decide(self, request_id: int, status: RequestStatus, now: datetime) -> PairRequest | None:
        """Move an open request to `status` (declined, cancelled); None when it was no longer open."""
        ...

    async def expire(self, request_id: int, now: datetime) -> PairRequest | None:
        """Mark a pending request whose time is up as expired; None when it was decided before."""
        ...

    async def accept(self, request_id: int, planned: PlannedPair,
                     now: datetime) -> tuple[Pair, list[PairRequest]] | None:
        """Accept an open request and store the pair, in one transaction: the request accepted, the
        pair and its two members written (AlreadyPaired when either is in a pair: nothing is
        written), every other open request of the two closed (returned, to tell their senders), both
        out of the queue. None when the request is no longer open (decided, cancelled, expired)."""
        ...

    async def expiring_between(self, after: datetime, until: datetime) -> list[PairRequest]:
        ...

    async def expiring_after(self, guild_id: int, after: datetime, limit: int) -> list[PairRequest]:
        """This server's pending requests expiring after `after`, soonest first (the calendar)."""
        ...

    async def next_expiry_after(self, moment: datetime) -> datetime | None:
        ...


class RoundRepository(Protocol):
    """Pairing rounds (0008): a round stored with its pairs and who it left over, in one transaction
    under a key, and when the automatic round runs in each server."""

    async def store_round(self, guild_id: int, round_key: str, started_by: int | None, now: datetime,
                          pairs: Sequence[PlannedPair], unmatched: Sequence[UnmatchedEntry]) -> StoredRound:
        """Write a round with its pairs and who it left unmatched, in one transaction; a round of this
        key that exists already is returned as stored (a re-run finishes it, never forms it again).
        A planned pair one of whose members was paired meanwhile (an accept won the race) is left
        out, and its other member recorded as unmatched ('partner-just-paired'). The pending
        requests of everyone it pairs are closed with it (an accept racing it then finds them closed)."""
        ...

    async def round_pairs(self, round_id: int) -> list[Pair]:
        ...

    async def round_unmatched(self, round_id: int) -> list[UnmatchedEntry]:
        ...

    async def closed_by_round(self, round_id: int) -> list[PairRequest]:
        ...

    async def complete_round(self, round_id: int, message_id: int | None, now: datetime) -> None:
        ...

    async def unfinished_rounds(self, guild_id: int | None = None) -> list[Round]:
        ...

    async def schedule(self, guild_id: int) -> RoundSchedule | None:
        ...

    async def set_schedule(self, guild_id: int, weekday: int, at: time, paused: bool, by: int,
                           now: datetime) -> None:
        ...

    async def round_servers(self, guild_id: int | None = None, shards: ShardPlan | None = None) -> list[RoundServer]:
        """Servers with a channel and a cohort start (one, or all, or all on `shards`), their schedule
        and how many wait in the queue."""
        ...
