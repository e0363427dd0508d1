"""What `--db` keeps of a rehearsal besides the bot's database: the stand-in's Discord and the clock.

The bot's database alone is not the rehearsal: its ledger says the kickoff was posted on the
simulated Tuesday, and the stand-in holds the post, the threads and the DMs it made. So beside
`sandbox.db` the sandbox keeps `sandbox.db.rehearsal.json`: the simulated now and the stand-in's
snapshot, written after every console line (a clock move included) and at exit. Started again with
the same `--db`, the stand-in is restored before the bot connects and the clock resumes where it
stood: the time the sandbox was closed did not pass for the cohort.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.clock import Clock
from sandbox.standin import StandIn

VERSION = 1


class Rehearsal:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def beside(cls, database: Path) -> Rehearsal:
        """The rehearsal file kept beside a sandbox database: `sandbox.db.rehearsal.json`."""
        return cls(database.with_name(database.name + ".rehearsal.json"))

    def restore(self, standin: StandIn, clock: Clock) -> datetime | None:
        """Put the saved stand-in back and set the clock to the saved now; the saved now, or None
        when there is nothing saved yet (a first run: the clock stays on real time)."""
        if not self.path.exists():
            return None
        data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            raise ValueError(f"{self.path} was written by another version of the sandbox; move it away to start "
                             "the stand-in afresh")
        standin.restore(data["standin"])
        moment = datetime.fromisoformat(data["clock"])
        clock.set(moment)
        return moment

    def save(self, standin: StandIn, clock: Clock) -> None:
        """Write the stand-in and the clock's now, atomically (a crash leaves the last whole save)."""
        data = {"version": VERSION, "clock": clock.now().isoformat(), "standin": standin.snapshot()}
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.path)
