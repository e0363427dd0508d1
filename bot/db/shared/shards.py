"""The condition keeping a sharded process's servers in a statement, for either engine: a server is on
shard `(guild_id >> 22) % count` (Discord's rule, `bot.shards.shard_of`). Both engines keep the ids
as 64-bit integers, so the shift is the same in SQL as in Python."""

from __future__ import annotations

import json

from bot.shards import ShardPlan


def on_shards(column: str, shards: ShardPlan | None, *, postgres: bool) -> tuple[str, tuple[object, ...]]:
    """`" AND <column's server is on these shards>"` with its parameters (`?`, numbered later for
    PostgreSQL), or nothing for a process holding every server (`shards` None)."""
    if shards is None:
        return "", ()
    if postgres:
        return f" AND (({column} >> 22) % ?) = ANY(?::bigint[])", (shards.count, list(shards.ids))
    condition = f" AND (({column} >> 22) % ?) IN (SELECT value FROM json_each(?))"
    return condition, (shards.count, json.dumps(list(shards.ids)))
