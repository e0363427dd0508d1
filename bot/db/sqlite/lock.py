"""One Nexus per database file: a lock on a file beside it (`nexus.db.lock`), held while the bot runs.

Two bots on one file (an admin starting it twice) would both answer every interaction, one of them
with errors, and neither would say why. The second to start is refused in one line instead. The
lock is the operating system's (`flock`): it goes with the process, so a bot killed with kill -9
leaves nothing stale behind, and the file itself is never deleted (deleting it would let a third
process lock a new file while the second still holds the old one). Maintenance commands (backup,
the knowledge base) don't take it: they are meant to run beside the bot.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from bot.db.common import DatabaseOpenError


class DatabaseInUse(DatabaseOpenError):
    """Another Nexus holds this database."""


def lock_path(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + ".lock")


class DatabaseLock:
    def __init__(self, database_path: Path) -> None:
        self.database_path = database_path
        self.path = lock_path(database_path)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Hold the lock, or raise DatabaseInUse naming the process that holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            who = f"process {holder}" if holder.isdigit() else "another process"
            raise DatabaseInUse(f"another Nexus ({who}) is already running on the database {self.database_path}: "
                                "stop it first, or give this one its own DATABASE_PATH") from None
        except OSError:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
