"""Pairing's tables (0001 and 0008): profiles, requests, pairs with their active members, the queue,
rounds and the automatic round's schedule. Every change that must be all-or-nothing (an accept, a
round, a leave) is one transaction here; "one active pair per member" is the primary key of
`pair_members`, never a check before an insert. The row → model converters, and the statements
PostgreSQL runs alike, are in bot/db/shared/pairing.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

import aiosqlite

from bot.clock import from_db_time, to_db_time
from bot.db.common import counts_by_guild
from bot.db.shared import pairing as shared
from bot.db.sqlite.database import Database
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


async def insert_pair(conn: aiosqlite.Connection, guild_id: int, planned: PlannedPair, source: PairSource,
                       request_id: int | None, round_id: int | None, stamp: str) -> aiosqlite.Row:
    cursor = await conn.execute(
        shared.INSERT_PAIR,
        (guild_id, planned.backend_id, planned.frontend_id, source, request_id, round_id, planned.fit_reasons, stamp),
    )
    row = await cursor.fetchone()
    assert row is not None
    try:
        await conn.executemany(
            shared.INSERT_PAIR_MEMBER,
            [(guild_id, planned.backend_id, row["id"]), (guild_id, planned.frontend_id, row["id"])],
        )
    except aiosqlite.IntegrityError as exc:
        raise AlreadyPaired from exc
    await conn.execute(shared.DEQUEUE_PAIRED, (guild_id, planned.backend_id, planned.frontend_id))
    # Paired: a round that leaves them unmatched later tells them why, whatever they were told before.
    await conn.execute(shared.FORGET_UNMATCHED_TOLD, (guild_id, planned.backend_id, planned.frontend_id))
    return row


async def close_open_requests(conn: aiosqlite.Connection, guild_id: int, planned: PlannedPair, stamp: str,
                               round_id: int | None) -> list[PairRequest]:
    """Every pending request the two of a new pair sent or received is closed (a paired member can't
    accept or be accepted any more); `round_id` records the round that paired them, if one did."""
    members = (planned.backend_id, planned.frontend_id)
    cursor = await conn.execute(
        "UPDATE pair_requests SET status = 'closed', decided_at = ?, closed_by_round = ? WHERE guild_id = ? "
        "AND status = 'pending' AND (requester_id IN (?, ?) OR target_id IN (?, ?)) RETURNING *",
        (stamp, round_id, guild_id, *members, *members))
    return [shared.request_from_row(row) for row in await cursor.fetchall()]


class SqlitePairingRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- profiles ------------------------------------------------------------------------------

    async def watch_learners(self, changed: Callable[[int | None], None]) -> None:
        """Nothing to watch: a SQLite file is one process's, and this process knows its own changes."""

    async def profile(self, guild_id: int, member_id: int) -> Profile | None:
        row = await self._db.fetchone("SELECT * FROM member_profiles WHERE guild_id = ? AND user_id = ?",
                                      (guild_id, member_id))
        return shared.profile_from_row(row) if row else None

    async def profiles(self, guild_id: int) -> list[Profile]:
        return [shared.profile_from_row(row) for row in await self._db.fetchall(
            "SELECT * FROM member_profiles WHERE guild_id = ?", (guild_id,))]

    async def save_profile(self, profile: Profile) -> None:
        await self._db.execute(
            shared.SAVE_PROFILE,
            (profile.guild_id, profile.member_id, profile.discipline, profile.timezone, profile.skills,
             profile.availability, to_db_time(profile.updated_at)),
        )

    async def paired_members(self, guild_id: int) -> frozenset[int]:
        """Every member of the server in an active pair."""
        rows = await self._db.fetchall("SELECT member_id FROM pair_members WHERE guild_id = ?", (guild_id,))
        return frozenset(row["member_id"] for row in rows)

    async def count_active_pairs(self, guild_ids: list[int]) -> dict[int, int]:
        """How many active pairs each server has (servers with none are left out)."""
        if not guild_ids:
            return {}
        rows = await self._db.fetchall(
            "SELECT guild_id, COUNT(*) AS n FROM pairs WHERE ended_at IS NULL AND guild_id IN "
            f"({','.join('?' * len(guild_ids))}) GROUP BY guild_id", guild_ids)
        return counts_by_guild(rows)

    # --- the queue -----------------------------------------------------------------------------

    async def queue(self, guild_id: int) -> list[QueueEntry]:
        rows = await self._db.fetchall("SELECT * FROM pair_queue WHERE guild_id = ? ORDER BY joined_at, user_id",
                                       (guild_id,))
        return [shared.queue_entry_from_row(row) for row in rows]

    async def join_queue(self, guild_id: int, member_id: int, via: QueueVia, now: datetime) -> bool:
        """True when the member was not queued before. Joining by command makes a project's entry the
        member's own (withdrawing the project then leaves it)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO pair_queue (guild_id, user_id, joined_at, via) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO NOTHING", (guild_id, member_id, to_db_time(now), via))
            added = cursor.rowcount == 1
            if not added and via == "command":
                await conn.execute("UPDATE pair_queue SET via = 'command' WHERE guild_id = ? AND user_id = ?",
                                   (guild_id, member_id))
        return added

    async def leave_queue(self, guild_id: int, member_id: int, *, only_via: QueueVia | None = None) -> bool:
        sql, params = "DELETE FROM pair_queue WHERE guild_id = ? AND user_id = ?", [cast(Any, guild_id), member_id]
        if only_via is not None:
            sql += " AND via = ?"
            params.append(only_via)
        return await self._db.execute_changes(sql, params) == 1

    async def counts(self, guild_id: int, now: datetime) -> tuple[int, int, int]:
        """(active pairs, members queued, open requests) of the server, in one query."""
        row = await self._db.fetchone(
            "SELECT (SELECT COUNT(*) FROM pairs WHERE guild_id = ? AND ended_at IS NULL), "
            "(SELECT COUNT(*) FROM pair_queue WHERE guild_id = ?), "
            "(SELECT COUNT(*) FROM pair_requests WHERE guild_id = ? AND status = 'pending' AND expires_at > ?)",
            (guild_id, guild_id, guild_id, to_db_time(now)))
        return shared.counts_from_row(row)

    # --- pairs ---------------------------------------------------------------------------------

    async def active_pair(self, guild_id: int, member_id: int) -> Pair | None:
        row = await self._db.fetchone(
            "SELECT pairs.* FROM pair_members JOIN pairs ON pairs.id = pair_members.pair_id "
            "WHERE pair_members.guild_id = ? AND pair_members.member_id = ?", (guild_id, member_id))
        return shared.pair_from_row(row) if row else None

    async def get_pair(self, pair_id: int) -> Pair | None:
        row = await self._db.fetchone("SELECT * FROM pairs WHERE id = ?", (pair_id,))
        return shared.pair_from_row(row) if row else None

    async def pairs_of(self, guild_id: int, member_id: int) -> list[Pair]:
        """Every pair the member was in, newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM pairs WHERE guild_id = ? AND (backend_id = ? OR frontend_id = ?) "
            "ORDER BY created_at DESC, id DESC", (guild_id, member_id, member_id))
        return [shared.pair_from_row(row) for row in rows]

    async def all_pairs(self, guild_id: int) -> list[Pair]:
        rows = await self._db.fetchall("SELECT * FROM pairs WHERE guild_id = ?", (guild_id,))
        return [shared.pair_from_row(row) for row in rows]

    async def set_pair_thread(self, pair_id: int, thread_id: int | None, message_id: int | None) -> None:
        await self._db.execute("UPDATE pairs SET thread_id = ?, message_id = ? WHERE id = ?",
                               (thread_id, message_id, pair_id))

    async def end_pair(self, pair_id: int, ended_by: int, reason: str, now: datetime) -> Pair | None:
        """End an active pair (None when it was not active): both members are free again."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE pairs SET ended_at = ?, ended_by = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL "
                "RETURNING *", (to_db_time(now), ended_by, reason, pair_id))
            row = await cursor.fetchone()
            if row is None:
                return None
            await conn.execute("DELETE FROM pair_members WHERE pair_id = ?", (pair_id,))
        return shared.pair_from_row(row)

    async def member_left(self, guild_id: int, member_id: int, now: datetime) -> tuple[Pair | None, list[PairRequest]]:
        """A member left the server: out of the queue, their open requests (both ways) closed and
        their pair ended, in one transaction. Returns the pair ended and the requests closed."""
        stamp = to_db_time(now)
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM pair_queue WHERE guild_id = ? AND user_id = ?", (guild_id, member_id))
            await conn.execute("INSERT INTO pair_departed (guild_id, member_id, left_at) VALUES (?, ?, ?) "
                               "ON CONFLICT DO NOTHING", (guild_id, member_id, stamp))
            cursor = await conn.execute(
                "UPDATE pair_requests SET status = 'closed', decided_at = ? WHERE guild_id = ? AND status = 'pending' "
                "AND (requester_id = ? OR target_id = ?) RETURNING *", (stamp, guild_id, member_id, member_id))
            closed = [shared.request_from_row(row) for row in await cursor.fetchall()]
            cursor = await conn.execute(
                "UPDATE pairs SET ended_at = ?, ended_by = ?, end_reason = 'left the server' WHERE id = "
                "(SELECT pair_id FROM pair_members WHERE guild_id = ? AND member_id = ?) RETURNING *",
                (stamp, member_id, guild_id, member_id))
            ended = await cursor.fetchone()
            if ended is not None:
                await conn.execute("DELETE FROM pair_members WHERE pair_id = ?", (ended["id"],))
        return (shared.pair_from_row(ended) if ended else None), closed

    async def member_returned(self, guild_id: int, member_id: int) -> bool:
        return await self._db.execute_changes("DELETE FROM pair_departed WHERE guild_id = ? AND member_id = ?",
                                              (guild_id, member_id)) == 1

    async def departed(self, guild_id: int) -> set[int]:
        rows = await self._db.fetchall("SELECT member_id FROM pair_departed WHERE guild_id = ?", (guild_id,))
        return {row[0] for row in rows}

    # --- requests ------------------------------------------------------------------------------

    async def get_request(self, request_id: int) -> PairRequest | None:
        row = await self._db.fetchone("SELECT * FROM pair_requests WHERE id = ?", (request_id,))
        return shared.request_from_row(row) if row else None

    async def create_request(self, guild_id: int, requester_id: int, target_id: int, note: str, now: datetime,
                             expires_at: datetime) -> PairRequest | None:
        """The new pending request, or None when the same one is pending already. A request between
        the two that expired unseen (the bot was down) is marked expired first."""
        stamp = to_db_time(now)
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE pair_requests SET status = 'expired', decided_at = ? WHERE guild_id = ? AND requester_id = ? "
                "AND target_id = ? AND status = 'pending' AND expires_at <= ?",
                (stamp, guild_id, requester_id, target_id, stamp))
            cursor = await conn.execute(
                shared.INSERT_REQUEST,
                (guild_id, requester_id, target_id, note, stamp, to_db_time(expires_at)))
            row = await cursor.fetchone()
        return shared.request_from_row(row) if row else None

    async def set_request_delivery(self, request_id: int, channel_id: int, message_id: int,
                                   delivered_in: str) -> None:
        await self._db.execute(
            "UPDATE pair_requests SET channel_id = ?, message_id = ?, delivered_in = ? WHERE id = ?",
            (channel_id, message_id, delivered_in, request_id))

    async def open_requests(self, guild_id: int, member_id: int, now: datetime) -> list[PairRequest]:
        """Pending, unexpired requests the member sent or received, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM pair_requests WHERE guild_id = ? AND status = 'pending' AND expires_at > ? "
            "AND (requester_id = ? OR target_id = ?) ORDER BY created_at, id",
            (guild_id, to_db_time(now), member_id, member_id))
        return [shared.request_from_row(row) for row in rows]

    async def decide(self, request_id: int, status: RequestStatus, now: datetime) -> PairRequest | None:
        """Move an open request to `status` (declined, cancelled); None when it was no longer open."""
        stamp = to_db_time(now)
        row = await self._db.fetchone_write(
            "UPDATE pair_requests SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending' "
            "AND expires_at > ? RETURNING *", (status, stamp, request_id, stamp))
        return shared.request_from_row(row) if row else None

    async def expire(self, request_id: int, now: datetime) -> PairRequest | None:
        """Mark a pending request whose time is up as expired; None when it was decided before."""
        stamp = to_db_time(now)
        row = await self._db.fetchone_write(
            "UPDATE pair_requests SET status = 'expired', decided_at = ? WHERE id = ? AND status = 'pending' "
            "AND expires_at <= ? RETURNING *", (stamp, request_id, stamp))
        return shared.request_from_row(row) if row else None

    async def accept(self, request_id: int, planned: PlannedPair,
                     now: datetime) -> tuple[Pair, list[PairRequest]] | None:
        """Accept an open request and store the pair, in one transaction: the request accepted, the
        pair and its two members written (AlreadyPaired when either is in a pair: nothing is
        written), every other open request of the two closed (returned, to tell their senders), both
        out of the queue. None when the request is no longer open (decided, cancelled, expired)."""
        stamp = to_db_time(now)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE pair_requests SET status = 'accepted', decided_at = ? WHERE id = ? AND status = 'pending' "
                "AND expires_at > ? RETURNING guild_id", (stamp, request_id, stamp))
            accepted = await cursor.fetchone()
            if accepted is None:
                return None
            guild_id = accepted["guild_id"]
            pair = await insert_pair(conn, guild_id, planned, "request", request_id, None, stamp)
            closed = await close_open_requests(conn, guild_id, planned, stamp, None)
        return shared.pair_from_row(pair), closed

    async def expiring_between(self, after: datetime, until: datetime) -> list[PairRequest]:
        rows = await self._db.fetchall(
            "SELECT * FROM pair_requests WHERE status = 'pending' AND expires_at > ? AND expires_at <= ? "
            "ORDER BY expires_at, id", (to_db_time(after), to_db_time(until)))
        return [shared.request_from_row(row) for row in rows]

    async def expiring_after(self, guild_id: int, after: datetime, limit: int) -> list[PairRequest]:
        """This server's pending requests expiring after `after`, soonest first (the calendar)."""
        rows = await self._db.fetchall(
            "SELECT * FROM pair_requests WHERE guild_id = ? AND status = 'pending' AND expires_at > ? "
            "ORDER BY expires_at, id LIMIT ?", (guild_id, to_db_time(after), limit))
        return [shared.request_from_row(row) for row in rows]

    async def next_expiry_after(self, moment: datetime) -> datetime | None:
        row = await self._db.fetchone(
            "SELECT MIN(expires_at) FROM pair_requests WHERE status = 'pending' AND expires_at > ?",
            (to_db_time(moment),))
        return from_db_time(row[0]) if row and row[0] else None
