"""The database layer: the only place that holds SQL.

`Database` owns the one aiosqlite connection and the migrations; each repository module turns rows
into dataclasses for the services above it.
"""

from bot.db.database import Database, DatabaseBusy, DatabaseOpenError, DatabaseUnwritable, MigrationError
from bot.db.lock import DatabaseInUse

__all__ = ["Database", "DatabaseBusy", "DatabaseInUse", "DatabaseOpenError", "DatabaseUnwritable", "MigrationError"]
