"""One aiosqlite connection per bot, WAL, foreign keys, numbered migrations tracked in `user_version`.

A Nexus database carries NEXUS_APPLICATION_ID in its header (`PRAGMA application_id`), so another
program's SQLite file given by mistake is refused and left as it was, never migrated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import aiosqlite

from bot.db.common import (
    NEXUS_APPLICATION_ID,
    WRITE_DEADLINE,
    DatabaseBusy,
    DatabaseOpenError,
    DatabaseSize,
    DatabaseUnwritable,
    Migration,
    MigrationError,
    read_migrations,
)

if TYPE_CHECKING:
    from bot.db.sqlite.lock import DatabaseLock

log = logging.getLogger(__name__)
T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# SQLite's own wait for another process's write lock, per try; `_retrying_busy` tries again up to
# the task's deadline, so an interaction answers in time and a scheduled post waits longer.
BUSY_TIMEOUT_MS = 250
# The schema's own tables, without SQLite's internal ones (sqlite_sequence, sqlite_stat1…).
_TABLE_NAMES = r"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'"


BACKGROUND_BUSY_WAIT = 30.0  # seconds a scheduled post or a start-up task waits for a busy database
BUSY_RETRY_PAUSE = 0.05  # seconds between two tries of a busy write, beyond SQLite's own busy_timeout
RECOVERY_QUIET = 60.0  # seconds of writes without a failure before the database counts as writable again


def _unwritable_cause(exc: sqlite3.Error) -> str | None:
    """In words, why SQLite can't write at all; None for any other error (busy is retried)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL":
        return "the disk is full"
    if name.startswith("SQLITE_READONLY"):
        return "the database file is read-only"
    if name.startswith("SQLITE_IOERR"):
        return "the disk failed to write (an I/O error)"
    return None


def _is_busy(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    return read_migrations(directory)


def _check_path_usable(path: Path) -> None:
    """Refuse early, with a clear reason, rather than let SQLite fail half-way or touch a bad file."""
    if path.exists() and not path.is_file():
        raise DatabaseOpenError(f"database path {path} is not a file")
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseOpenError(f"cannot create the folder {directory} for the database: {exc.strerror}") from exc
    # WAL needs to create -wal and -shm files beside the database, so the folder must be writable.
    if not os.access(directory, os.W_OK):
        raise DatabaseOpenError(f"the folder {directory} is not writable, so the database cannot be opened")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise DatabaseOpenError(f"database file {path} is not readable and writable by this user")


async def _check_intact(conn: aiosqlite.Connection, path: Path) -> None:
    """Refuse a damaged file in one line; SQLite's own list of problems (often dozens) goes to DEBUG."""
    rows = [str(row[0]) for row in await conn.execute_fetchall("PRAGMA quick_check")]
    if rows == ["ok"]:
        return
    # One row may hold many problems, one per line, under a "*** in database main ***" heading.
    problems = [line for row in rows for line in row.splitlines() if line.strip() and not line.startswith("***")]
    for problem in problems:
        log.debug("quick_check of %s: %s", path, problem)
    found = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    raise DatabaseOpenError(
        f"database {path} is damaged (SQLite's quick_check found {found}; LOG_LEVEL=DEBUG lists them): "
        "restore it from a backup"
    )


async def _check_ours(conn: aiosqlite.Connection, path: Path, migrations: list[Migration]) -> bool:
    """Refuse another program's SQLite file; True when this is a Nexus database made before the mark.

    Ours: the mark, or no schema at all (new). A file from before the mark has application_id 0, a
    user_version of at least 1 and exactly the tables Nexus's migrations make up to that version.
    """
    (application_id,) = await (await conn.execute("PRAGMA application_id")).fetchone() or (0,)
    if application_id == NEXUS_APPLICATION_ID:
        return False
    if application_id != 0:
        raise DatabaseOpenError(
            f"database {path} belongs to another program (application_id {application_id:#x}, Nexus's is "
            f"{NEXUS_APPLICATION_ID:#x}); it was left unchanged"
        )
    tables = await _tables(conn)
    (version,) = await (await conn.execute("PRAGMA user_version")).fetchone() or (0,)
    if not tables and version == 0:
        return False  # a new, empty file: the first migration marks it
    if version >= 1 and tables == _tables_made_by(migrations, up_to=version):
        return True
    shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
    raise DatabaseOpenError(
        f"database {path} is not a Nexus database (tables: {shown or 'none'}; user_version {version}); "
        "it was left unchanged"
    )


async def _tables(conn: aiosqlite.Connection) -> frozenset[str]:
    rows = await conn.execute_fetchall(_TABLE_NAMES)
    return frozenset(row[0] for row in rows)


def _tables_made_by(migrations: list[Migration], up_to: int) -> frozenset[str]:
    """The tables a Nexus database at version `up_to` has: the migrations, replayed in memory."""
    memory = sqlite3.connect(":memory:")
    try:
        for migration in migrations:
            if migration.version <= up_to:
                memory.executescript(migration.sql)
        rows = memory.execute(_TABLE_NAMES).fetchall()
    finally:
        memory.close()
    return frozenset(row[0] for row in rows)


Params = Iterable[Any] | Mapping[str, Any]


def _bind(params: Params) -> tuple[Any, ...] | Mapping[str, Any]:
    return params if isinstance(params, Mapping) else tuple(params)


class Database:
    """The bot's single connection. Writes go through `transaction()`, which serialises them."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._conn = connection
        self.path = path
        self._write_lock = asyncio.Lock()
        self._instance_lock: DatabaseLock | None = None
        # Why the database can't be written, while it can't (kept here: it can't be stored in it).
        self.write_problem: str | None = None
        self._failed_at = 0.0

    @classmethod
    async def open(cls, path: str | Path, *, migrations_dir: Path = MIGRATIONS_DIR,
                   only_nexus: bool = False) -> Database:
        """Open, check and migrate the database at `path`; DatabaseOpenError says in one line why not.

        Everything that may refuse the file (damage, another program's file) only reads, and runs
        before anything writes: a refused file is left byte for byte as it was. `only_nexus`: the
        running bot's database, held until `close` so a second bot on the same file is refused
        (`DatabaseInUse`, see bot.db.sqlite.lock); maintenance commands open it beside the bot without.
        """
        from bot.db.sqlite.lock import DatabaseLock

        path = Path(path)
        instance_lock = None
        if str(path) != ":memory:":
            _check_path_usable(path)
            if only_nexus:
                instance_lock = DatabaseLock(path)
                instance_lock.acquire()
        existed = path.exists() and path.stat().st_size > 0
        try:
            db = await cls._open(path, migrations_dir, existed)
        except BaseException:
            if instance_lock is not None:
                instance_lock.release()
            raise
        db._instance_lock = instance_lock
        return db

    @classmethod
    async def _open(cls, path: Path, migrations_dir: Path, existed: bool) -> Database:
        migrations = load_migrations(migrations_dir)
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise DatabaseOpenError(f"cannot open database {path}: {exc}") from exc
        conn.row_factory = aiosqlite.Row
        try:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # Read before anything writes: a corrupt or foreign file fails here and is left untouched.
            await (await conn.execute("PRAGMA schema_version")).fetchone()
            if existed:
                await _check_intact(conn, path)
            adopt = await _check_ours(conn, path, migrations)
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            if adopt:
                await conn.execute(f"PRAGMA application_id = {NEXUS_APPLICATION_ID}")
                log.info("marked %s as a Nexus database (application_id)", path)
        except sqlite3.DatabaseError as exc:
            await conn.close()
            raise DatabaseOpenError(f"database {path} cannot be used: {exc}") from exc
        except BaseException:
            await conn.close()
            raise
        db = cls(conn, path)
        try:
            await db.migrate(migrations)
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        try:
            await self._conn.close()
        finally:
            if self._instance_lock is not None:
                self._instance_lock.release()
                self._instance_lock = None

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self, migrations: Iterable[Migration]) -> int:
        """Apply every migration above `user_version`, each in one transaction; returns the version."""
        current = start = await self.schema_version()
        for migration in migrations:
            if migration.version <= current:
                continue
            async with self._write_lock:
                try:
                    # executescript commits any open transaction first, so BEGIN/COMMIT live inside
                    # the script; PRAGMA user_version is transactional and rolls back with the rest.
                    # The mark goes in with the first migration, so no Nexus database ever lacks it.
                    await self._conn.executescript(
                        f"BEGIN IMMEDIATE;\nPRAGMA application_id = {NEXUS_APPLICATION_ID};\n{migration.sql}\n;"
                        f"PRAGMA user_version = {migration.version};\nCOMMIT;"
                    )
                except sqlite3.Error as exc:
                    if self._conn.in_transaction:
                        await self._conn.execute("ROLLBACK")
                    raise MigrationError(
                        f"migration {migration.name} failed ({exc}); the database stays at version {current}"
                    ) from exc
            log.debug("applied migration %s", migration.name)
            current = migration.version
        if current != start:
            log.info("database %s: schema version %d → %d%s", self.path, start, current,
                     " (created)" if start == 0 else "")
        return current

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One atomic unit of work: everything inside commits together or not at all. A database
        another process holds is waited for before anything is written (`DatabaseBusy` past the
        deadline); a disk that can't be written rolls it all back (`DatabaseUnwritable`)."""
        async with self._write_lock:
            await self._retrying_busy(lambda: self._conn.execute("BEGIN IMMEDIATE"))
            try:
                yield self._conn
                await self._conn.execute("COMMIT")
            except BaseException as exc:
                if self._conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        await self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    self._raise_write_error(exc)
                raise
            self._wrote()

    async def _retrying_busy(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """`attempt` (one write statement), tried again while another process holds the write lock,
        until this task's deadline (`WRITE_DEADLINE`); then `DatabaseBusy`."""
        loop = asyncio.get_running_loop()
        deadline = WRITE_DEADLINE.get() or loop.time() + BACKGROUND_BUSY_WAIT
        while True:
            try:
                return await attempt()
            except sqlite3.Error as exc:
                # A try may itself wait SQLite's busy_timeout: one is made only if that wait, too,
                # ends by the deadline (else an interaction's answer came after Discord's 3 s).
                if _is_busy(exc) and loop.time() + BUSY_RETRY_PAUSE + BUSY_TIMEOUT_MS / 1000 <= deadline:
                    await asyncio.sleep(BUSY_RETRY_PAUSE)
                    continue
                self._raise_write_error(exc)

    def _raise_write_error(self, exc: sqlite3.Error) -> NoReturn:
        if _is_busy(exc):
            log.warning("the database %s was busy (another process held its write lock) past the wait: %s",
                        self.path, exc)
            raise DatabaseBusy() from exc
        cause = _unwritable_cause(exc)
        if cause is None:
            raise exc
        if cause != self.write_problem:  # said once, and again only when the cause changes
            log.error("the database %s can't be written: %s (SQLite: %s); members are told Nexus can't save "
                      "until it can", self.path, cause, exc)
        self.write_problem = cause
        self._failed_at = time.monotonic()
        raise DatabaseUnwritable(cause, self.path) from exc

    def _wrote(self) -> None:
        # On a full disk small writes still succeed now and then (SQLite reuses free space in its pages):
        # it counts as writable again only once writes have gone on succeeding for a while.
        if self.write_problem is not None and time.monotonic() - self._failed_at >= RECOVERY_QUIET:
            log.warning("the database %s can be written again (it couldn't: %s)", self.path, self.write_problem)
            self.write_problem = None

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """The first row of a query meant to give one (by key, an aggregate, LIMIT 1)."""
        # One trip to aiosqlite's thread instead of three (execute, fetch, close): a third of the
        # time of a `/topic query`, which reads a topic and each of its related topics like this.
        rows = await self._conn.execute_fetchall(sql, _bind(params))
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        # One trip to aiosqlite's thread instead of three (execute, fetch, close).
        return list(await self._conn.execute_fetchall(sql, _bind(params)))

    async def execute(self, sql: str, params: Params = ()) -> int:
        """A single write statement, atomic on its own; returns lastrowid."""
        return (await self._write_one(sql, params)).lastrowid or 0

    async def execute_changes(self, sql: str, params: Params = ()) -> int:
        """A single write statement, atomic on its own; returns how many rows it changed (0 when a
        conditional write lost: an `ON CONFLICT DO NOTHING` or a compare-and-set `UPDATE … WHERE`)."""
        return (await self._write_one(sql, params)).rowcount

    async def fetchone_write(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """A single write statement with `RETURNING`, atomic on its own: the row it wrote, or None
        when it wrote none (a compare-and-set `UPDATE … WHERE` that lost)."""
        async def attempt() -> aiosqlite.Row | None:
            async with self._conn.execute(sql, _bind(params)) as cursor:
                return await cursor.fetchone()

        async with self._write_lock:
            row = await self._retrying_busy(attempt)
            self._wrote()
            return row

    async def _write_one(self, sql: str, params: Params) -> aiosqlite.Cursor:
        # The connection is in autocommit mode, where SQLite makes one statement its own transaction:
        # one trip to aiosqlite's thread instead of three (BEGIN, the statement, COMMIT). The write
        # lock keeps it out of another coroutine's open transaction on this same connection.
        async with self._write_lock:
            cursor = await self._retrying_busy(lambda: self._conn.execute(sql, _bind(params)))
            self._wrote()
            return cursor

    async def size(self) -> DatabaseSize:
        """What the database takes on disk: its file and its write-ahead log, where recent writes
        live until a checkpoint copies them into the file. (SQLite's page count was not it: it
        counts pages, so rows added to pages with room left changed nothing, and it ignores the log.)
        An in-memory database: its pages."""
        if str(self.path) == ":memory:":
            row = await self.fetchone("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
            return DatabaseSize(int(row[0]) if row else 0, 0)
        return DatabaseSize(_file_size(self.path), _file_size(Path(f"{self.path}-wal")))


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # no log yet, or a checkpoint on close removed it
        return 0
