"""Pairing rounds' rows as models, and the statements both engines run alike
(bot/db/sqlite/pair_rounds.py, bot/db/postgres/pair_rounds.py)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from bot.clock import from_db_time
from bot.db.common import StoredRow
from bot.db.shared.pairing import stored_time
from bot.db.shared.shards import on_shards
from bot.pairing.records import Round, RoundSchedule, RoundServer, UnmatchedEntry
from bot.shards import ShardPlan

INSERT_ROUND = ("INSERT INTO pair_rounds (guild_id, round_key, started_by, started_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (guild_id, round_key) DO NOTHING RETURNING *")
INSERT_UNMATCHED = ("INSERT INTO pair_round_unmatched (round_id, member_id, side, reason, told) "
                    "VALUES (?, ?, ?, ?, ?)")
SET_SCHEDULE = (
    "INSERT INTO pair_schedule (guild_id, weekday, at_time, paused, updated_by, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET weekday = excluded.weekday, "
    "at_time = excluded.at_time, paused = excluded.paused, updated_by = excluded.updated_by, "
    "updated_at = excluded.updated_at")


def unfinished_rounds_query(guild_id: int | None) -> tuple[str, list[Any]]:
    """The rounds not completed yet (of one server, or of all), oldest first."""
    sql, params = "SELECT * FROM pair_rounds WHERE completed_at IS NULL", []
    if guild_id is not None:
        sql += " AND guild_id = ?"
        params.append(guild_id)
    return sql + " ORDER BY id", params


def round_servers_query(guild_id: int | None, shards: ShardPlan | None = None, *,
                        postgres: bool = False) -> tuple[str, list[Any]]:
    """Servers with a channel and a cohort start (one, or all, or all of `shards`), their schedule and
    how many wait in the queue; rows for `round_server_from_row`."""
    sql = ("SELECT c.guild_id, c.channel_id, c.timezone, c.cohort_start, s.weekday, s.at_time, s.paused, "
           "(SELECT COUNT(*) FROM pair_queue q WHERE q.guild_id = c.guild_id) AS waiting "
           "FROM guild_config c LEFT JOIN pair_schedule s ON s.guild_id = c.guild_id "
           "WHERE c.channel_id IS NOT NULL AND c.cohort_start IS NOT NULL")
    params: list[Any] = []
    if guild_id is not None:
        sql += " AND c.guild_id = ?"
        params.append(guild_id)
    condition, shard_params = on_shards("c.guild_id", shards, postgres=postgres)
    return sql + condition, [*params, *shard_params]


def round_from_row(row: StoredRow) -> Round:
    return Round(row["id"], row["guild_id"], row["round_key"], row["started_by"], from_db_time(row["started_at"]),
                 stored_time(row["completed_at"]), row["message_id"])


def schedule_from_row(row: StoredRow) -> RoundSchedule:
    return RoundSchedule(row["weekday"], time.fromisoformat(row["at_time"]), bool(row["paused"]), True)


def unmatched_from_row(row: StoredRow) -> UnmatchedEntry:
    return UnmatchedEntry(row["member_id"], row["side"], row["reason"], bool(row["told"]))


def round_server_from_row(row: StoredRow) -> RoundServer:
    schedule = None if row["weekday"] is None else schedule_from_row(row)
    return RoundServer(row["guild_id"], row["channel_id"], row["timezone"], date.fromisoformat(row["cohort_start"]),
                       schedule, int(row["waiting"]))
