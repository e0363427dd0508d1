"""`python -m bot db copy --to postgresql://…`: a SQLite database copied into an empty PostgreSQL one,
so a community that outgrows one process moves without losing anything.

Both engines' migrations build the same tables with the same columns (tested), so the copy is table
by table, row by row, in one PostgreSQL transaction: a failure leaves the target as it was. The
order follows the foreign keys (a pair after the round it names). Row ids are kept, and each
identity column is moved past the largest id copied, so the next row PostgreSQL makes does not
collide. Then every table is read back on both sides and compared row for row; the copy is only
reported done when they are equal.

The tables copied are PostgreSQL's: SQLite's FTS5 index `knowledge_fts` is read into PostgreSQL's
plain `knowledge_fts` (the search text of each topic, its symptoms included, from which every
process builds its in-memory search); FTS5's own vocabulary tables have no counterpart and are not.
The bot must not be running on the SQLite file meanwhile (its lock says so), so nothing changes
under the copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.db.postgres.database import PostgresDatabase, PostgresTransaction
from bot.db.sqlite.database import Database

# Bookkeeping each engine keeps for itself (its schema version), never copied.
OWN_TABLES = frozenset({"nexus_schema"})


class CopyRefused(Exception):
    """The copy was not made (a non-empty target, different schema versions); one line for a person."""


@dataclass(frozen=True)
class CopyReport:
    rows: dict[str, int]  # table -> rows copied (and found equal on both sides)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


async def copy_to_postgres(sqlite_path: Path, url: str) -> CopyReport:
    """Copy the SQLite database at `sqlite_path` into the empty PostgreSQL database at `url`."""
    source = await Database.open(sqlite_path, only_nexus=True)  # held: no bot writes meanwhile
    try:
        target = await PostgresDatabase.open(url)  # checked and migrated, as the bot would
        try:
            return await _copy(source, target)
        finally:
            await target.close()
    finally:
        await source.close()


async def _copy(source: Database, target: PostgresDatabase) -> CopyReport:
    source_version, target_version = await source.schema_version(), await target.schema_version()
    if source_version != target_version:
        raise CopyRefused(f"the SQLite database is at schema version {source_version} and PostgreSQL at "
                          f"{target_version}: run the same Nexus version on both")
    columns = await _target_columns(target)
    tables = sorted(set(columns) - OWN_TABLES)
    for table in tables:
        row = await target.fetchone(f'SELECT COUNT(*) FROM "{table}"')
        if row is not None and row[0]:
            raise CopyRefused(f"the PostgreSQL database is not empty (table {table} has {row[0]} rows): copy into "
                              "a new, empty database")
    order = _by_foreign_keys(tables, await _references(target))
    copied: dict[str, int] = {}
    async with target.transaction() as tx:
        for table in order:
            names = columns[table]
            rows = await source.fetchall(f"SELECT {_column_list(names)} FROM \"{table}\"")
            if rows:
                marks = ", ".join(f"${n}" for n in range(1, len(names) + 1))
                await tx.executemany(f'INSERT INTO "{table}" ({_column_list(names)}) VALUES ({marks})',
                                     [tuple(r) for r in rows])
            copied[table] = len(rows)
        await _move_identities_past_copied_ids(tx)
        for table in order:  # read back before the commit: a difference leaves the target empty
            await _check_equal(source, tx, table, columns[table])
    return CopyReport(copied)


def _column_list(names: Sequence[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


async def _target_columns(target: PostgresDatabase) -> dict[str, list[str]]:
    rows = await target.fetchall(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
        "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
        "ORDER BY c.table_name, c.ordinal_position"
    )
    columns: dict[str, list[str]] = {}
    for row in rows:
        columns.setdefault(row[0], []).append(row[1])
    return columns


async def _references(target: PostgresDatabase) -> list[tuple[str, str]]:
    """(table, the table it references) for every foreign key of the schema."""
    rows = await target.fetchall(
        "SELECT child.relname, parent.relname FROM pg_constraint k "
        "JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid "
        "JOIN pg_namespace n ON n.oid = child.relnamespace "
        "WHERE k.contype = 'f' AND n.nspname = current_schema()"
    )
    return [(row[0], row[1]) for row in rows]


def _by_foreign_keys(tables: Iterable[str], references: list[tuple[str, str]]) -> list[str]:
    """Every table after the tables it references (a table referencing itself is fine as it is)."""
    pending = sorted(tables)
    needs = {table: {parent for child, parent in references if child == table and parent != table}
             for table in pending}
    ordered: list[str] = []
    while pending:
        ready = [table for table in pending if needs[table] <= set(ordered)]
        if not ready:
            raise CopyRefused(f"the tables {', '.join(pending)} reference each other in a cycle: cannot order the copy")
        ordered += ready
        pending = [table for table in pending if table not in ready]
    return ordered


async def _move_identities_past_copied_ids(tx: PostgresTransaction) -> None:
    identities = await tx.fetchall(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES'"
    )
    for table, column in ((row[0], row[1]) for row in identities):
        await tx.fetchone(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
            f"GREATEST((SELECT MAX(\"{column}\") FROM \"{table}\"), 1), "
            f"(SELECT MAX(\"{column}\") FROM \"{table}\") IS NOT NULL)"
        )


async def _check_equal(source: Database, tx: PostgresTransaction, table: str, names: list[str]) -> None:
    """Both engines store times as text, ids as integers and flags as 0/1, so rows compare as read."""
    select = f'SELECT {_column_list(names)} FROM "{table}"'
    theirs = sorted((tuple(r) for r in await source.fetchall(select)), key=repr)
    ours = sorted((tuple(r) for r in await tx.fetchall(select)), key=repr)
    if theirs != ours:
        raise CopyRefused(f"the copy of table {table} differs from the SQLite rows ({len(theirs)} rows there, "
                          f"{len(ours)} here): nothing was copied")
