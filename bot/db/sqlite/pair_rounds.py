"""Pairing rounds (0008): a round stored with its pairs and who it left over, in one transaction
under a key, and when the automatic round runs in each server. The row → model converters, and the
statements PostgreSQL runs alike, are in bot/db/shared/pair_rounds.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import cast

import aiosqlite

from bot.clock import to_db_time
from bot.db.shared import pair_rounds as shared
from bot.db.shared.pairing import pair_from_row, request_from_row
from bot.db.sqlite.database import Database
from bot.db.sqlite.pairing import close_open_requests, insert_pair
from bot.pairing.records import (
    AlreadyPaired,
    Pair,
    PairRequest,
    PlannedPair,
    Round,
    RoundSchedule,
    RoundServer,
    StoredRound,
    UnmatchedEntry,
)
from bot.projects.model import Discipline
from bot.shards import ShardPlan


class SqliteRoundRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- rounds --------------------------------------------------------------------------------

    async def store_round(self, guild_id: int, round_key: str, started_by: int | None, now: datetime,
                          pairs: Sequence[PlannedPair], unmatched: Sequence[UnmatchedEntry]) -> StoredRound:
        """Write a round with its pairs and who it left unmatched, in one transaction; a round of this
        key that exists already is returned as stored (a re-run finishes it, never forms it again).
        A planned pair one of whose members was paired meanwhile (an accept won the race) is left
        out, and its other member recorded as unmatched ('partner-just-paired'). The pending
        requests of everyone it pairs are closed with it (an accept racing it then finds them closed)."""
        stamp = to_db_time(now)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(shared.INSERT_ROUND, (guild_id, round_key, started_by, stamp))
            row = await cursor.fetchone()
            if row is not None:
                left = list(unmatched)
                for planned in pairs:
                    await conn.execute("SAVEPOINT planned_pair")
                    try:
                        await insert_pair(conn, guild_id, planned, "round", None, row["id"], stamp)
                        await close_open_requests(conn, guild_id, planned, stamp, row["id"])
                    except AlreadyPaired:
                        await conn.execute("ROLLBACK TO planned_pair")
                        for member, side in ((planned.backend_id, "backend"), (planned.frontend_id, "frontend")):
                            if await self._free(conn, guild_id, member):
                                left.append(UnmatchedEntry(member, cast(Discipline, side), "partner-just-paired"))
                    await conn.execute("RELEASE planned_pair")
                told = [await self._tell(conn, guild_id, row["id"], entry) for entry in left]
                await conn.executemany(
                    shared.INSERT_UNMATCHED,
                    [(row["id"], entry.member_id, entry.side, entry.reason, int(tell))
                     for entry, tell in zip(left, told, strict=True)])
        created = row is not None
        if row is None:
            row = await self._db.fetchone("SELECT * FROM pair_rounds WHERE guild_id = ? AND round_key = ?",
                                          (guild_id, round_key))
            assert row is not None
        stored = shared.round_from_row(row)
        return StoredRound(stored, await self.round_pairs(stored.id), await self.round_unmatched(stored.id),
                           await self.closed_by_round(stored.id), created)

    @staticmethod
    async def _tell(conn: aiosqlite.Connection, guild_id: int, round_id: int, entry: UnmatchedEntry) -> bool:
        """Whether the round tells this learner why it left them unmatched: unless the last reason
        they were told in this server (since they were last paired) is this same one. Remembered
        when told."""
        cursor = await conn.execute("SELECT reason FROM pair_unmatched_told WHERE guild_id = ? AND member_id = ?",
                                    (guild_id, entry.member_id))
        last = await cursor.fetchone()
        if last is not None and last["reason"] == entry.reason:
            return False
        await conn.execute(
            "INSERT INTO pair_unmatched_told (guild_id, member_id, reason, round_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id, member_id) DO UPDATE SET reason = excluded.reason, round_id = excluded.round_id",
            (guild_id, entry.member_id, entry.reason, round_id))
        return True

    @staticmethod
    async def _free(conn: aiosqlite.Connection, guild_id: int, member_id: int) -> bool:
        cursor = await conn.execute("SELECT 1 FROM pair_members WHERE guild_id = ? AND member_id = ?",
                                    (guild_id, member_id))
        return await cursor.fetchone() is None

    async def round_pairs(self, round_id: int) -> list[Pair]:
        rows = await self._db.fetchall("SELECT * FROM pairs WHERE round_id = ? ORDER BY id", (round_id,))
        return [pair_from_row(row) for row in rows]

    async def round_unmatched(self, round_id: int) -> list[UnmatchedEntry]:
        rows = await self._db.fetchall(
            "SELECT * FROM pair_round_unmatched WHERE round_id = ? ORDER BY side, member_id", (round_id,))
        return [shared.unmatched_from_row(row) for row in rows]

    async def closed_by_round(self, round_id: int) -> list[PairRequest]:
        rows = await self._db.fetchall("SELECT * FROM pair_requests WHERE closed_by_round = ? ORDER BY id",
                                       (round_id,))
        return [request_from_row(row) for row in rows]

    async def complete_round(self, round_id: int, message_id: int | None, now: datetime) -> None:
        await self._db.execute(
            "UPDATE pair_rounds SET completed_at = COALESCE(completed_at, ?), message_id = COALESCE(message_id, ?) "
            "WHERE id = ?", (to_db_time(now), message_id, round_id))

    async def unfinished_rounds(self, guild_id: int | None = None) -> list[Round]:
        sql, params = shared.unfinished_rounds_query(guild_id)
        return [shared.round_from_row(row) for row in await self._db.fetchall(sql, params)]

    # --- the automatic round -------------------------------------------------------------------

    async def schedule(self, guild_id: int) -> RoundSchedule | None:
        row = await self._db.fetchone("SELECT * FROM pair_schedule WHERE guild_id = ?", (guild_id,))
        return shared.schedule_from_row(row) if row else None

    async def set_schedule(self, guild_id: int, weekday: int, at: time, paused: bool, by: int,
                           now: datetime) -> None:
        await self._db.execute(
            shared.SET_SCHEDULE,
            (guild_id, weekday, at.strftime("%H:%M"), int(paused), by, to_db_time(now)))

    async def round_servers(self, guild_id: int | None = None, shards: ShardPlan | None = None) -> list[RoundServer]:
        """Servers with a channel and a cohort start (one, or all, or all on `shards`), their schedule
        and how many wait in the queue."""
        sql, params = shared.round_servers_query(guild_id, shards)
        return [shared.round_server_from_row(row) for row in await self._db.fetchall(sql, params)]
