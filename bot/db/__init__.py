"""The database layer: the only place that holds SQL.

`Database` owns the one aiosqlite connection and the migrations; each repository module turns rows
into dataclasses for the services above it.
"""

from bot.db.database import Database, DatabaseOpenError, MigrationError
from bot.db.lock import DatabaseInUse

__all__ = ["Database", "DatabaseInUse", "DatabaseOpenError", "MigrationError"]
