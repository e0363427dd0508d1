"""Pairing rounds (0008) on PostgreSQL: a round stored with its pairs and who it left over, in one
transaction under a key, and when the automatic round runs in each server. The statements of
bot/db/sqlite/pair_rounds.py with PostgreSQL's placeholders; the row → model converters, and the
statements both run alike, are in bot/db/shared/pair_rounds.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import cast

from bot.clock import to_db_time
from bot.db.postgres.database import PostgresDatabase, PostgresTransaction
from bot.db.postgres.pairing import close_open_requests, insert_pair
from bot.db.postgres.placeholders import numbered
from bot.db.shared import pair_rounds as shared
from bot.db.shared.pairing import pair_from_row, request_from_row
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


class PostgresRoundRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    # --- rounds --------------------------------------------------------------------------------

    async def store_round(self, guild_id: int, round_key: str, started_by: int | None, now: datetime,
                          pairs: Sequence[PlannedPair], unmatched: Sequence[UnmatchedEntry]) -> StoredRound:
        """Write a round with its pairs and who it left unmatched, in one transaction; a round of this
        key that exists already is returned as stored (a re-run finishes it, never forms it again).
        A planned pair one of whose members was paired meanwhile (an accept won the race) is left
        out, and its other member recorded as unmatched ('partner-just-paired'). The pending
        requests of everyone it pairs are closed with it (an accept racing it then finds them closed).

        Two processes running the same round: the round's unique key lets one insert it; the other's
        insert waits for that transaction and then does nothing, and it reads the stored round."""
        stamp = to_db_time(now)
        async with self._db.transaction() as tx:
            row = await tx.fetchone_write(numbered(shared.INSERT_ROUND), (guild_id, round_key, started_by, stamp))
            if row is not None:
                left = list(unmatched)
                for planned in pairs:
                    # A failed statement aborts a PostgreSQL transaction: the savepoint keeps the
                    # round's other pairs when this one loses to an accept.
                    await tx.execute_changes("SAVEPOINT planned_pair")
                    try:
                        await insert_pair(tx, guild_id, planned, "round", None, row["id"], stamp)
                        await close_open_requests(tx, guild_id, planned, stamp, row["id"])
                    except AlreadyPaired:
                        await tx.execute_changes("ROLLBACK TO SAVEPOINT planned_pair")
                        for member, side in ((planned.backend_id, "backend"), (planned.frontend_id, "frontend")):
                            if await self._free(tx, guild_id, member):
                                left.append(UnmatchedEntry(member, cast(Discipline, side), "partner-just-paired"))
                    await tx.execute_changes("RELEASE SAVEPOINT planned_pair")
                told = [await self._tell(tx, guild_id, row["id"], entry) for entry in left]
                await tx.executemany(
                    numbered(shared.INSERT_UNMATCHED),
                    [(row["id"], entry.member_id, entry.side, entry.reason, int(tell))
                     for entry, tell in zip(left, told, strict=True)])
        if row is None:
            row = await self._db.fetchone("SELECT * FROM pair_rounds WHERE guild_id = $1 AND round_key = $2",
                                          (guild_id, round_key))
            assert row is not None
            created = False
        else:
            created = True
        stored = shared.round_from_row(row)
        return StoredRound(stored, await self.round_pairs(stored.id), await self.round_unmatched(stored.id),
                           await self.closed_by_round(stored.id), created)

    @staticmethod
    async def _tell(tx: PostgresTransaction, guild_id: int, round_id: int, entry: UnmatchedEntry) -> bool:
        """Whether the round tells this learner why it left them unmatched: unless the last reason
        they were told in this server (since they were last paired) is this same one. Remembered
        when told.

        One statement where SQLite reads then writes: the upsert changes the row only when the reason
        differs, and returns a row only when it wrote one, so two rounds at once tell once."""
        told = await tx.fetchone_write(
            "INSERT INTO pair_unmatched_told (guild_id, member_id, reason, round_id) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (guild_id, member_id) DO UPDATE SET reason = excluded.reason, round_id = excluded.round_id "
            "WHERE pair_unmatched_told.reason IS DISTINCT FROM excluded.reason RETURNING 1",
            (guild_id, entry.member_id, entry.reason, round_id))
        return told is not None

    @staticmethod
    async def _free(tx: PostgresTransaction, guild_id: int, member_id: int) -> bool:
        row = await tx.fetchone("SELECT 1 FROM pair_members WHERE guild_id = $1 AND member_id = $2",
                                (guild_id, member_id))
        return row is None

    async def round_pairs(self, round_id: int) -> list[Pair]:
        rows = await self._db.fetchall("SELECT * FROM pairs WHERE round_id = $1 ORDER BY id", (round_id,))
        return [pair_from_row(row) for row in rows]

    async def round_unmatched(self, round_id: int) -> list[UnmatchedEntry]:
        rows = await self._db.fetchall(
            "SELECT * FROM pair_round_unmatched WHERE round_id = $1 ORDER BY side, member_id", (round_id,))
        return [shared.unmatched_from_row(row) for row in rows]

    async def closed_by_round(self, round_id: int) -> list[PairRequest]:
        rows = await self._db.fetchall("SELECT * FROM pair_requests WHERE closed_by_round = $1 ORDER BY id",
                                       (round_id,))
        return [request_from_row(row) for row in rows]

    async def complete_round(self, round_id: int, message_id: int | None, now: datetime) -> None:
        await self._db.execute(
            "UPDATE pair_rounds SET completed_at = COALESCE(completed_at, $1), "
            "message_id = COALESCE(message_id, $2) WHERE id = $3", (to_db_time(now), message_id, round_id))

    async def unfinished_rounds(self, guild_id: int | None = None) -> list[Round]:
        sql, params = shared.unfinished_rounds_query(guild_id)
        return [shared.round_from_row(row) for row in await self._db.fetchall(numbered(sql), params)]

    # --- the automatic round -------------------------------------------------------------------

    async def schedule(self, guild_id: int) -> RoundSchedule | None:
        row = await self._db.fetchone("SELECT * FROM pair_schedule WHERE guild_id = $1", (guild_id,))
        return shared.schedule_from_row(row) if row else None

    async def set_schedule(self, guild_id: int, weekday: int, at: time, paused: bool, by: int,
                           now: datetime) -> None:
        await self._db.execute(
            numbered(shared.SET_SCHEDULE),
            (guild_id, weekday, at.strftime("%H:%M"), int(paused), by, to_db_time(now)))

    async def round_servers(self, guild_id: int | None = None, shards: ShardPlan | None = None) -> list[RoundServer]:
        """Servers with a channel and a cohort start (one, or all, or all on `shards`), their schedule
        and how many wait in the queue."""
        sql, params = shared.round_servers_query(guild_id, shards, postgres=True)
        return [shared.round_server_from_row(row) for row in await self._db.fetchall(numbered(sql), params)]
