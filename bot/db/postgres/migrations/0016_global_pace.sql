-- Discord's global rate limit (50 requests a second) is the bot's, whatever its processes: sharded
-- processes on one database take the turns of their fan-outs from one timeline here, so their
-- requests start evenly spaced across all of them, as one process's do (bot/scheduling/pacing.py).
-- One row: when the next turn may start, in seconds since the epoch by the database's clock (every
-- process reads the same clock, so no two processes' clocks need to agree).
CREATE TABLE global_pace (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    next_turn  DOUBLE PRECISION NOT NULL
);
