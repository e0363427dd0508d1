-- PostgreSQL's shard claims (see its 0013): one process alone uses a SQLite file (its lock), so
-- SQLite never claims a shard. The table is made all the same, empty, so both engines' version 13
-- have the same tables (`db copy` and its test rely on that).
CREATE TABLE shard_claims (
    shard_count   INTEGER NOT NULL,
    shard_id      INTEGER NOT NULL,
    process       TEXT NOT NULL,
    heartbeat_at  TEXT NOT NULL,
    PRIMARY KEY (shard_count, shard_id, process)
);
