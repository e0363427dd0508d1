"""The bot's one pacing timeline on PostgreSQL (see bot/scheduling/pacing.py): the turns of every
sharded process's fan-out, taken one at a time from one row."""

from __future__ import annotations

from bot.db.postgres.database import PostgresDatabase

# The row holds when the next turn may start; a turn takes it (or now, when it has passed) and moves
# it on by the turn's length. The wait is counted on the database's clock, so the processes' own
# clocks never need to agree; the row's lock makes two processes' turns follow each other. A turn is
# taken on a connection whose commit does not wait for the disk: a turn answered after a flush of
# tens of milliseconds would start that late, on top of the turns after it; and a crash losing the
# row loses nothing (the next turn starts from now).
_TAKE = """
INSERT INTO global_pace (id, next_turn) VALUES (1, EXTRACT(EPOCH FROM clock_timestamp()) + $1)
ON CONFLICT (id) DO UPDATE
   SET next_turn = GREATEST(global_pace.next_turn, EXTRACT(EPOCH FROM clock_timestamp())) + $1
RETURNING next_turn - $1 - EXTRACT(EPOCH FROM clock_timestamp()) AS wait
"""


class PostgresGlobalPace:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def take(self, seconds: float) -> float:
        """Take the next turn, `seconds` long: how many seconds from now it starts (0 or less: now)."""
        row = await self._db.fetchone_unsynced(_TAKE, (seconds,))
        assert row is not None  # RETURNING always gives the row
        return float(row["wait"])
