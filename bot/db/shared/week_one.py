"""What week one reads, as models, and the statement both engines read it with
(bot/db/sqlite/week_one.py, bot/db/postgres/week_one.py)."""

from __future__ import annotations

from datetime import date

from bot.db.common import StoredRow
from bot.db.shared.shards import on_shards
from bot.shards import ShardPlan
from bot.week_one.model import WeekOneServer


def servers_query(guild_id: int | None, shards: ShardPlan | None = None, *,
                  postgres: bool = False) -> tuple[str, tuple[object, ...]]:
    """Servers week one runs in (one, or all, or all of `shards`): a channel and a cohort start are set."""
    sql = ("SELECT guild_id, channel_id, timezone, cohort_start, backend_role_id, frontend_role_id "
           "FROM guild_config WHERE channel_id IS NOT NULL AND cohort_start IS NOT NULL")
    params: tuple[object, ...] = ()
    if guild_id is not None:
        sql += " AND guild_id = ?"
        params = (guild_id,)
    condition, shard_params = on_shards("guild_id", shards, postgres=postgres)
    return sql + condition, params + shard_params


def server_from_row(row: StoredRow) -> WeekOneServer:
    return WeekOneServer(row["guild_id"], row["channel_id"], row["timezone"], date.fromisoformat(row["cohort_start"]),
                         row["backend_role_id"], row["frontend_role_id"])
