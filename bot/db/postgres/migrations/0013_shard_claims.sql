-- Which live process holds which of Discord's shards: each process claims its shards at start and
-- refreshes its claims while it runs (bot/shard_claims.py), so a second process started with the
-- same SHARD_IDS by mistake is told so at start. Nothing depends on these rows for correctness (the
-- post ledger's claims keep every post exactly once); a claim not refreshed within its lease is dead.
-- heartbeat_at is ISO-8601 UTC text, as every time in Nexus's tables.
CREATE TABLE shard_claims (
    shard_count   INTEGER NOT NULL,
    shard_id      INTEGER NOT NULL,
    process       TEXT NOT NULL,
    heartbeat_at  TEXT NOT NULL,
    PRIMARY KEY (shard_count, shard_id, process)
);
