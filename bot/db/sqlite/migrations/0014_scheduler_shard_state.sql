-- How far the scheduler has looked for due posts, per shard of a sharded bot (bot/shards.py): each
-- process moves its own shards' windows only, so one restarting (or ticking later) never finds its
-- window moved past its servers' posts by a process holding other shards. A process holding every
-- server keeps using scheduler_state's one row; a shard with no row here starts from that row.
CREATE TABLE scheduler_shard_state (
    shard_count    INTEGER NOT NULL,
    shard_id       INTEGER NOT NULL,
    checked_until  TEXT NOT NULL,
    PRIMARY KEY (shard_count, shard_id)
);
