"""Pairing's tables (0001 and 0008) on PostgreSQL: profiles, requests, pairs with their active
members, and the queue. The statements of bot/db/sqlite/pairing.py with PostgreSQL's placeholders;
the row → model converters, and the statements both run alike, are in bot/db/shared/pairing.py.

What keeps it correct with several processes under READ COMMITTED is the same as on SQLite, and
none of it is a check before an insert: "one active pair per member" is the primary key of
`pair_members` (a second insert waits for the first's transaction, then fails: AlreadyPaired, the
whole transaction rolled back); "one pending request between two members" is a partial unique index
(`ON CONFLICT DO NOTHING`); an accept, a decision or an expiry is an `UPDATE … WHERE status =
'pending'`, which re-checks the row once it holds its lock, so exactly one of two racing wins.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

import asyncpg

from bot.clock import from_db_time, to_db_time
from bot.db.common import counts_by_guild
from bot.db.postgres.database import PostgresDatabase, PostgresTransaction, Row
from bot.db.postgres.placeholders import numbered
from bot.db.shared import pairing as shared
from bot.pairing.records import (
    AlreadyPaired,
    Pair,
    PairRequest,
    PairSource,
    PlannedPair,
    Profile,
    QueueEntry,
    QueueVia,
    RequestStatus,
)


async def insert_pair(tx: PostgresTransaction, guild_id: int, planned: PlannedPair, source: PairSource,
                      request_id: int | None, round_id: int | None, stamp: str) -> Row:
    """The pair and its two active members; AlreadyPaired when either is in a pair (the caller's
    transaction, or savepoint, must then be rolled back: PostgreSQL aborts it at the error)."""
    row = await tx.fetchone_write(
        numbered(shared.INSERT_PAIR),
        (guild_id, planned.backend_id, planned.frontend_id, source, request_id, round_id, planned.fit_reasons, stamp),
    )
    assert row is not None
    try:
        await tx.executemany(
            numbered(shared.INSERT_PAIR_MEMBER),
            [(guild_id, planned.backend_id, row["id"]), (guild_id, planned.frontend_id, row["id"])],
        )
    except asyncpg.UniqueViolationError as exc:
        raise AlreadyPaired from exc
    await tx.execute(numbered(shared.DEQUEUE_PAIRED), (guild_id, planned.backend_id, planned.frontend_id))
    # Paired: a round that leaves them unmatched later tells them why, whatever they were told before.
    await tx.execute(numbered(shared.FORGET_UNMATCHED_TOLD), (guild_id, planned.backend_id, planned.frontend_id))
    return row


async def close_open_requests(tx: PostgresTransaction, guild_id: int, planned: PlannedPair, stamp: str,
                              round_id: int | None) -> list[PairRequest]:
    """Every pending request the two of a new pair sent or received is closed (a paired member can't
    accept or be accepted any more); `round_id` records the round that paired them, if one did."""
    rows = await tx.fetchall(
        "UPDATE pair_requests SET status = 'closed', decided_at = $1, closed_by_round = $2 WHERE guild_id = $3 "
        "AND status = 'pending' AND (requester_id IN ($4, $5) OR target_id IN ($4, $5)) RETURNING *",
        (stamp, round_id, guild_id, planned.backend_id, planned.frontend_id))
    return [shared.request_from_row(row) for row in rows]


LEARNERS_CHANNEL = "nexus_learners"  # migration 0015


class PostgresPairingRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    # --- profiles ------------------------------------------------------------------------------

    async def watch_learners(self, changed: Callable[[int | None], None]) -> None:
        """The NOTIFYs of migration 0015's triggers: "<server> <process>", this process's skipped."""

        def received(payload: str | None) -> None:
            if payload is None:
                changed(None)
                return
            guild, _, process = payload.partition(" ")
            if process != self._db.process and guild.isdigit():
                changed(int(guild))

        await self._db.listen(LEARNERS_CHANNEL, received)

    async def profile(self, guild_id: int, member_id: int) -> Profile | None:
        row = await self._db.fetchone("SELECT * FROM member_profiles WHERE guild_id = $1 AND user_id = $2",
                                      (guild_id, member_id))
        return shared.profile_from_row(row) if row else None

    async def profiles(self, guild_id: int) -> list[Profile]:
        return [shared.profile_from_row(row) for row in await self._db.fetchall(
            "SELECT * FROM member_profiles WHERE guild_id = $1", (guild_id,))]

    async def save_profile(self, profile: Profile) -> None:
        await self._db.execute(
            numbered(shared.SAVE_PROFILE),
            (profile.guild_id, profile.member_id, profile.discipline, profile.timezone, profile.skills,
             profile.availability, to_db_time(profile.updated_at)),
        )

    async def paired_members(self, guild_id: int) -> frozenset[int]:
        """Every member of the server in an active pair."""
        rows = await self._db.fetchall("SELECT member_id FROM pair_members WHERE guild_id = $1", (guild_id,))
        return frozenset(row["member_id"] for row in rows)

    async def count_active_pairs(self, guild_ids: list[int]) -> dict[int, int]:
        """How many active pairs each server has (servers with none are left out)."""
        if not guild_ids:
            return {}
        rows = await self._db.fetchall(
            "SELECT guild_id, COUNT(*) AS n FROM pairs WHERE ended_at IS NULL AND guild_id = ANY($1::bigint[]) "
            "GROUP BY guild_id", (guild_ids,))
        return counts_by_guild(rows)

    # --- the queue -----------------------------------------------------------------------------

    async def queue(self, guild_id: int) -> list[QueueEntry]:
        rows = await self._db.fetchall("SELECT * FROM pair_queue WHERE guild_id = $1 ORDER BY joined_at, user_id",
                                       (guild_id,))
        return [shared.queue_entry_from_row(row) for row in rows]

    async def join_queue(self, guild_id: int, member_id: int, via: QueueVia, now: datetime) -> bool:
        """True when the member was not queued before. Joining by command makes a project's entry the
        member's own (withdrawing the project then leaves it)."""
        async with self._db.transaction() as tx:
            added = await tx.execute_changes(
                "INSERT INTO pair_queue (guild_id, user_id, joined_at, via) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (guild_id, user_id) DO NOTHING", (guild_id, member_id, to_db_time(now), via)) == 1
            if not added and via == "command":
                await tx.execute("UPDATE pair_queue SET via = 'command' WHERE guild_id = $1 AND user_id = $2",
                                 (guild_id, member_id))
        return added

    async def leave_queue(self, guild_id: int, member_id: int, *, only_via: QueueVia | None = None) -> bool:
        sql, params = "DELETE FROM pair_queue WHERE guild_id = $1 AND user_id = $2", [cast(Any, guild_id), member_id]
        if only_via is not None:
            sql += " AND via = $3"
            params.append(only_via)
        return await self._db.execute_changes(sql, params) == 1

    async def counts(self, guild_id: int, now: datetime) -> tuple[int, int, int]:
        """(active pairs, members queued, open requests) of the server, in one query."""
        row = await self._db.fetchone(
            "SELECT (SELECT COUNT(*) FROM pairs WHERE guild_id = $1 AND ended_at IS NULL), "
            "(SELECT COUNT(*) FROM pair_queue WHERE guild_id = $1), "
            "(SELECT COUNT(*) FROM pair_requests WHERE guild_id = $1 AND status = 'pending' AND expires_at > $2)",
            (guild_id, to_db_time(now)))
        return shared.counts_from_row(row)

    # --- pairs ---------------------------------------------------------------------------------

    async def active_pair(self, guild_id: int, member_id: int) -> Pair | None:
        row = await self._db.fetchone(
            "SELECT pairs.* FROM pair_members JOIN pairs ON pairs.id = pair_members.pair_id "
            "WHERE pair_members.guild_id = $1 AND pair_members.member_id = $2", (guild_id, member_id))
        return shared.pair_from_row(row) if row else None

    async def get_pair(self, pair_id: int) -> Pair | None:
        row = await self._db.fetchone("SELECT * FROM pairs WHERE id = $1", (pair_id,))
        return shared.pair_from_row(row) if row else None

    async def pairs_of(self, guild_id: int, member_id: int) -> list[Pair]:
        """Every pair the member was in, newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM pairs WHERE guild_id = $1 AND (backend_id = $2 OR frontend_id = $2) "
            "ORDER BY created_at DESC, id DESC", (guild_id, member_id))
        return [shared.pair_from_row(row) for row in rows]

    async def all_pairs(self, guild_id: int) -> list[Pair]:
        rows = await self._db.fetchall("SELECT * FROM pairs WHERE guild_id = $1", (guild_id,))
        return [shared.pair_from_row(row) for row in rows]

    async def set_pair_thread(self, pair_id: int, thread_id: int | None, message_id: int | None) -> None:
        await self._db.execute("UPDATE pairs SET thread_id = $1, message_id = $2 WHERE id = $3",
                               (thread_id, message_id, pair_id))

    async def end_pair(self, pair_id: int, ended_by: int, reason: str, now: datetime) -> Pair | None:
        """End an active pair (None when it was not active): both members are free again."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone_write(
                "UPDATE pairs SET ended_at = $1, ended_by = $2, end_reason = $3 WHERE id = $4 AND ended_at IS NULL "
                "RETURNING *", (to_db_time(now), ended_by, reason, pair_id))
            if row is None:
                return None
            await tx.execute("DELETE FROM pair_members WHERE pair_id = $1", (pair_id,))
        return shared.pair_from_row(row)

    async def member_left(self, guild_id: int, member_id: int, now: datetime) -> tuple[Pair | None, list[PairRequest]]:
        """A member left the server: out of the queue, their open requests (both ways) closed and
        their pair ended, in one transaction. Returns the pair ended and the requests closed."""
        stamp = to_db_time(now)
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM pair_queue WHERE guild_id = $1 AND user_id = $2", (guild_id, member_id))
            await tx.execute("INSERT INTO pair_departed (guild_id, member_id, left_at) VALUES ($1, $2, $3) "
                             "ON CONFLICT DO NOTHING", (guild_id, member_id, stamp))
            closed = [shared.request_from_row(row) for row in await tx.fetchall(
                "UPDATE pair_requests SET status = 'closed', decided_at = $1 WHERE guild_id = $2 "
                "AND status = 'pending' AND (requester_id = $3 OR target_id = $3) RETURNING *",
                (stamp, guild_id, member_id))]
            # `ended_at IS NULL` is checked again on the row once locked: an end_pair racing this one
            # (another process) ends the pair once.
            ended = await tx.fetchone_write(
                "UPDATE pairs SET ended_at = $1, ended_by = $2, end_reason = 'left the server' WHERE id = "
                "(SELECT pair_id FROM pair_members WHERE guild_id = $3 AND member_id = $2) AND ended_at IS NULL "
                "RETURNING *",
                (stamp, member_id, guild_id))
            if ended is not None:
                await tx.execute("DELETE FROM pair_members WHERE pair_id = $1", (ended["id"],))
        return (shared.pair_from_row(ended) if ended else None), closed

    async def member_returned(self, guild_id: int, member_id: int) -> bool:
        return await self._db.execute_changes("DELETE FROM pair_departed WHERE guild_id = $1 AND member_id = $2",
                                              (guild_id, member_id)) == 1

    async def departed(self, guild_id: int) -> set[int]:
        rows = await self._db.fetchall("SELECT member_id FROM pair_departed WHERE guild_id = $1", (guild_id,))
        return {row[0] for row in rows}

    # --- requests ------------------------------------------------------------------------------

    async def get_request(self, request_id: int) -> PairRequest | None:
        row = await self._db.fetchone("SELECT * FROM pair_requests WHERE id = $1", (request_id,))
        return shared.request_from_row(row) if row else None

    async def create_request(self, guild_id: int, requester_id: int, target_id: int, note: str, now: datetime,
                             expires_at: datetime) -> PairRequest | None:
        """The new pending request, or None when the same one is pending already. A request between
        the two that expired unseen (the bot was down) is marked expired first."""
        stamp = to_db_time(now)
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE pair_requests SET status = 'expired', decided_at = $1 WHERE guild_id = $2 "
                "AND requester_id = $3 AND target_id = $4 AND status = 'pending' AND expires_at <= $1",
                (stamp, guild_id, requester_id, target_id))
            # The partial unique index of pending requests decides between two at once.
            row = await tx.fetchone_write(
                numbered(shared.INSERT_REQUEST),
                (guild_id, requester_id, target_id, note, stamp, to_db_time(expires_at)))
        return shared.request_from_row(row) if row else None

    async def set_request_delivery(self, request_id: int, channel_id: int, message_id: int,
                                   delivered_in: str) -> None:
        await self._db.execute(
            "UPDATE pair_requests SET channel_id = $1, message_id = $2, delivered_in = $3 WHERE id = $4",
            (channel_id, message_id, delivered_in, request_id))

    async def open_requests(self, guild_id: int, member_id: int, now: datetime) -> list[PairRequest]:
        """Pending, unexpired requests the member sent or received, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM pair_requests WHERE guild_id = $1 AND status = 'pending' AND expires_at > $2 "
            "AND (requester_id = $3 OR target_id = $3) ORDER BY created_at, id",
            (guild_id, to_db_time(now), member_id))
        return [shared.request_from_row(row) for row in rows]

    async def decide(self, request_id: int, status: RequestStatus, now: datetime) -> PairRequest | None:
        """Move an open request to `status` (declined, cancelled); None when it was no longer open."""
        stamp = to_db_time(now)
        row = await self._db.fetchone_write(
            "UPDATE pair_requests SET status = $1, decided_at = $2 WHERE id = $3 AND status = 'pending' "
            "AND expires_at > $2 RETURNING *", (status, stamp, request_id))
        return shared.request_from_row(row) if row else None

    async def expire(self, request_id: int, now: datetime) -> PairRequest | None:
        """Mark a pending request whose time is up as expired; None when it was decided before."""
        stamp = to_db_time(now)
        row = await self._db.fetchone_write(
            "UPDATE pair_requests SET status = 'expired', decided_at = $1 WHERE id = $2 AND status = 'pending' "
            "AND expires_at <= $1 RETURNING *", (stamp, request_id))
        return shared.request_from_row(row) if row else None

    async def accept(self, request_id: int, planned: PlannedPair,
                     now: datetime) -> tuple[Pair, list[PairRequest]] | None:
        """Accept an open request and store the pair, in one transaction: the request accepted, the
        pair and its two members written (AlreadyPaired when either is in a pair: nothing is
        written), every other open request of the two closed (returned, to tell their senders), both
        out of the queue. None when the request is no longer open (decided, cancelled, expired)."""
        stamp = to_db_time(now)
        async with self._db.transaction() as tx:
            accepted = await tx.fetchone_write(
                "UPDATE pair_requests SET status = 'accepted', decided_at = $1 WHERE id = $2 AND status = 'pending' "
                "AND expires_at > $1 RETURNING guild_id", (stamp, request_id))
            if accepted is None:
                return None
            guild_id = accepted["guild_id"]
            pair = await insert_pair(tx, guild_id, planned, "request", request_id, None, stamp)
            closed = await close_open_requests(tx, guild_id, planned, stamp, None)
        return shared.pair_from_row(pair), closed

    async def expiring_between(self, after: datetime, until: datetime) -> list[PairRequest]:
        rows = await self._db.fetchall(
            "SELECT * FROM pair_requests WHERE status = 'pending' AND expires_at > $1 AND expires_at <= $2 "
            "ORDER BY expires_at, id", (to_db_time(after), to_db_time(until)))
        return [shared.request_from_row(row) for row in rows]

    async def expiring_after(self, guild_id: int, after: datetime, limit: int) -> list[PairRequest]:
        """This server's pending requests expiring after `after`, soonest first (the calendar)."""
        rows = await self._db.fetchall(
            "SELECT * FROM pair_requests WHERE guild_id = $1 AND status = 'pending' AND expires_at > $2 "
            "ORDER BY expires_at, id LIMIT $3", (guild_id, to_db_time(after), limit))
        return [shared.request_from_row(row) for row in rows]

    async def next_expiry_after(self, moment: datetime) -> datetime | None:
        row = await self._db.fetchone(
            "SELECT MIN(expires_at) FROM pair_requests WHERE status = 'pending' AND expires_at > $1",
            (to_db_time(moment),))
        return from_db_time(row[0]) if row and row[0] else None
