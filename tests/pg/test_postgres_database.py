"""PostgresDatabase: migrations numbered and shaped like SQLite's, the refusal of a database that is
not Nexus's, transactions, and the read/write methods behaving as SQLite's do for the same statements."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.db import Database, DatabaseOpenError, MigrationError
from bot.db.postgres import PostgresDatabase
from bot.db.postgres import database as postgres_database
from bot.db.sqlite import database as sqlite_database
from tests.pg._server import SessionPostgres
from tests.pg.session import create_database, drop_database

# SQLite's full-text index of the topics: PostgreSQL keeps only the rows it is built from (its
# knowledge_fts is a plain table of the index's text, checked on its own below).
SQLITE_ONLY_TABLES = {"knowledge_fts", "knowledge_fts_terms", "knowledge_fts_columns"}
# What SQLite's FTS5 knowledge_fts holds of a topic, after its rowid: all text, never NULL.
INDEX_TEXT = [("rowid", True)] + [(c, True) for c in ("title", "aliases", "challenges", "summary", "body", "scope")]


async def _connect(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(url)


def _sqlite_schema() -> dict[str, list[tuple[str, bool]]]:
    """Each table SQLite's migrations make: its columns, in order, with whether they are NOT NULL."""
    memory = sqlite3.connect(":memory:")
    try:
        for migration in sqlite_database.load_migrations():
            memory.executescript(migration.sql)
        tables = [r[0] for r in memory.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        schema = {}
        for table in tables:
            if table in SQLITE_ONLY_TABLES or table.startswith(("knowledge_fts_", "sqlite_")):
                continue
            columns = memory.execute(f"PRAGMA table_info({table})").fetchall()
            # A primary key's columns are NOT NULL in PostgreSQL whether or not SQLite's declaration says so.
            schema[table] = [(c[1], bool(c[3]) or c[5] > 0) for c in columns]
        return schema
    finally:
        memory.close()


def _sqlite_indexes() -> set[str]:
    memory = sqlite3.connect(":memory:")
    try:
        for migration in sqlite_database.load_migrations():
            memory.executescript(migration.sql)
        return {r[0] for r in memory.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'")}
    finally:
        memory.close()


async def test_the_migrations_are_numbered_and_named_as_sqlites():
    postgres = [(m.version, m.name) for m in postgres_database.load_migrations()]
    sqlite = [(m.version, m.name) for m in sqlite_database.load_migrations()]
    assert postgres == sqlite


async def test_a_new_database_gets_every_table_column_and_index_of_sqlites_schema(pg_url):
    db = await PostgresDatabase.open(pg_url)
    try:
        assert await db.schema_version() == len(sqlite_database.load_migrations())
        rows = await db.fetchall(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        )
        schema: dict[str, list[tuple[str, bool]]] = {}
        for row in rows:
            schema.setdefault(row["table_name"], []).append((row["column_name"], row["is_nullable"] == "NO"))
        assert schema.pop("nexus_schema")
        assert schema.pop("knowledge_fts") == INDEX_TEXT
        assert schema == _sqlite_schema()
        indexes = {r["indexname"] for r in await db.fetchall(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%_pkey' "
            "AND indexname NOT LIKE '%_key'")}
        assert indexes == _sqlite_indexes()
    finally:
        await db.close()


async def test_the_constraints_hold_as_on_sqlite(pg_url):
    db = await PostgresDatabase.open(pg_url)
    try:
        project = ("INSERT INTO projects (guild_id, owner_id, title, track, description, discipline, status, "
                   "created_at, updated_at) VALUES (1, 2, 't', 'x', 'd', 'backend', $1, 'now', 'now')")
        await db.execute(project, ["active"])
        with pytest.raises(asyncpg.UniqueViolationError):  # one active project per learner
            await db.execute(project, ["active"])
        await db.execute(project, ["withdrawn"])  # the unique index is partial
        with pytest.raises(asyncpg.CheckViolationError):
            await db.execute(project, ["lost"])
        with pytest.raises(asyncpg.CheckViolationError):
            await db.execute("INSERT INTO pair_requests (guild_id, requester_id, target_id, created_at, expires_at) "
                             "VALUES (1, 5, 5, 'now', 'later')")
        # Discord ids are 64-bit.
        await db.execute("INSERT INTO pair_queue (guild_id, user_id, joined_at) VALUES ($1, $2, 'now')",
                         [1234567890123456789, 987654321098765432])
    finally:
        await db.close()


async def test_opening_again_applies_nothing_and_keeps_the_data(pg_url):
    db = await PostgresDatabase.open(pg_url)
    await db.execute("INSERT INTO pair_queue (guild_id, user_id, joined_at) VALUES (1, 2, 'now')")
    await db.close()
    db = await PostgresDatabase.open(pg_url)
    try:
        assert await db.migrate(postgres_database.load_migrations()) == len(postgres_database.load_migrations())
        assert (await db.fetchone("SELECT COUNT(*) AS n FROM pair_queue"))["n"] == 1
        assert (await db.fetchone("SELECT version FROM nexus_schema"))["version"] == await db.schema_version()
    finally:
        await db.close()


async def test_two_processes_opening_a_new_database_at_once_migrate_it_once(pg_url):
    first, second = await asyncio.gather(PostgresDatabase.open(pg_url), PostgresDatabase.open(pg_url))
    try:
        assert await first.schema_version() == await second.schema_version() == len(sqlite_database.load_migrations())
    finally:
        await first.close()
        await second.close()


async def test_a_failing_migration_leaves_the_database_as_it_was(pg_url, tmp_path):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_first.sql").write_text("CREATE TABLE kept (id BIGINT PRIMARY KEY);")
    db = await PostgresDatabase.open(pg_url, migrations_dir=migrations)
    await db.close()
    (migrations / "0002_broken.sql").write_text(
        "CREATE TABLE half_done (id BIGINT);\nINSERT INTO kept (id) VALUES (1);\nTHIS IS NOT SQL;"
    )
    with pytest.raises(MigrationError) as info:
        await PostgresDatabase.open(pg_url, migrations_dir=migrations)
    assert "0002_broken.sql" in str(info.value) and "stays at version 1" in str(info.value)
    conn = await _connect(pg_url)
    try:
        assert await conn.fetchval("SELECT version FROM nexus_schema") == 1
        assert await conn.fetchval("SELECT to_regclass('half_done')") is None
        assert await conn.fetchval("SELECT COUNT(*) FROM kept") == 0
    finally:
        await conn.close()


async def test_a_user_who_may_not_create_tables_is_told_what_to_change(postgres_server, pg_url):
    admin = await _connect(pg_url)
    try:
        await admin.execute("CREATE ROLE nexus_reader LOGIN PASSWORD 'reader'")
        reader_url = pg_url.replace(f"postgres:{postgres_server.password}@", "nexus_reader:reader@")
        with pytest.raises(MigrationError) as info:
            await PostgresDatabase.open(reader_url)
        assert "permission denied for schema public" in str(info.value)
        assert "stays at version 0; make DATABASE_URL's user the database's owner" in str(info.value)
    finally:
        await admin.execute("DROP ROLE nexus_reader")
        await admin.close()


async def _tables(url: str) -> set[str]:
    conn = await _connect(url)
    try:
        rows = await conn.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        return {r[0] for r in rows}
    finally:
        await conn.close()


async def test_another_programs_database_is_refused_and_left_unchanged(pg_url):
    conn = await _connect(pg_url)
    await conn.execute("CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'ada')")
    await conn.close()
    with pytest.raises(DatabaseOpenError) as info:
        await PostgresDatabase.open(pg_url)
    message = str(info.value)
    assert "not a Nexus database" in message and "users" in message and "left unchanged" in message
    assert "\n" not in message
    assert await _tables(pg_url) == {"users"}


async def test_a_schema_table_of_another_program_is_refused(pg_url):
    conn = await _connect(pg_url)
    await conn.execute("CREATE TABLE nexus_schema (id INTEGER PRIMARY KEY, application TEXT, application_id BIGINT, "
                       "version INTEGER); INSERT INTO nexus_schema VALUES (1, 'other', 7, 3)")
    await conn.close()
    with pytest.raises(DatabaseOpenError, match="belongs to another program"):
        await PostgresDatabase.open(pg_url)
    assert await _tables(pg_url) == {"nexus_schema"}


async def test_a_url_without_the_password_the_server_wants_says_so(postgres_server, pg_url):
    without_password = pg_url.replace(f":{postgres_server.password}@", "@")
    with pytest.raises(DatabaseOpenError, match="wants a password for user 'postgres', and DATABASE_URL gives none"):
        await PostgresDatabase.open(without_password)


async def test_a_schema_newer_than_this_nexus_is_refused(pg_url):
    db = await PostgresDatabase.open(pg_url)
    await db.execute("UPDATE nexus_schema SET version = 99")
    await db.close()
    latest = len(postgres_database.load_migrations())
    with pytest.raises(DatabaseOpenError, match=rf"version 99, newer than this Nexus knows \(up to {latest}\)"):
        await PostgresDatabase.open(pg_url)


async def test_the_password_never_shows_in_what_the_database_says_of_itself(postgres_server, pg_url):
    db = await PostgresDatabase.open(pg_url)
    try:
        assert postgres_server.password not in db.path
        assert db.path == f"postgres@127.0.0.1:{postgres_server.port}/{pg_url.rsplit('/', 1)[1]}"
        assert (await db.size()).total > 0
    finally:
        await db.close()


# -- the same statements on both engines ----------------------------------------------------------

class _Engine:
    """One engine's database and how its SQL spells a placeholder (SQLite `?`, PostgreSQL `$n`)."""

    def __init__(self, name: str, db: Database | PostgresDatabase) -> None:
        self.name = name
        self.db = db

    def sql(self, statement: str) -> str:
        if self.name == "sqlite":
            return statement
        numbers = iter(range(1, statement.count("?") + 1))
        return re.sub(r"\?", lambda _: f"${next(numbers)}", statement)


@pytest.fixture(params=["sqlite", "postgres"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[_Engine]:
    db: Database | PostgresDatabase
    server: SessionPostgres | None = None
    if request.param == "sqlite":
        db = await Database.open(tmp_path / "nexus.db")
    else:
        # Started only for the PostgreSQL half (a sync fixture: an async one can't be asked for here).
        server = request.getfixturevalue("postgres_server")
        url = await create_database(server)
        db = await PostgresDatabase.open(url)
    try:
        yield _Engine(request.param, db)
    finally:
        await db.close()
        if server is not None:
            await drop_database(server, url)


async def _queue(engine: _Engine, guild_id: int, user_id: int, joined_at: str) -> int:
    return await engine.db.execute_changes(
        engine.sql("INSERT INTO pair_queue (guild_id, user_id, joined_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"),
        [guild_id, user_id, joined_at],
    )


async def test_execute_changes_counts_what_a_conditional_write_changed(engine):
    assert await _queue(engine, 1, 10, "2026-11-22T04:00:00+00:00") == 1
    assert await _queue(engine, 1, 10, "2026-11-22T05:00:00+00:00") == 0  # the claim was taken
    assert await _queue(engine, 1, 11, "2026-11-22T05:00:00+00:00") == 1
    compare_and_set = engine.sql("UPDATE pair_queue SET joined_at = ? WHERE guild_id = ? AND joined_at = ?")
    assert await engine.db.execute_changes(compare_and_set, ["late", 1, "2026-11-22T04:00:00+00:00"]) == 1
    assert await engine.db.execute_changes(compare_and_set, ["later", 1, "2026-11-22T04:00:00+00:00"]) == 0
    assert await engine.db.execute_changes(engine.sql("DELETE FROM pair_queue WHERE guild_id = ?"), [1]) == 2


async def test_fetchone_and_fetchall_give_rows_by_column_name_in_the_same_order(engine):
    for user_id, at in [(12, "2026-11-22T06:00:00+00:00"), (10, "2026-11-22T04:00:00+00:00"),
                        (11, "2026-11-22T05:00:00+00:00")]:
        await _queue(engine, 1, user_id, at)
    rows = await engine.db.fetchall(
        engine.sql("SELECT user_id, joined_at FROM pair_queue WHERE guild_id = ? AND joined_at >= ? "
                   "ORDER BY joined_at"),
        [1, "2026-11-22T05:00:00+00:00"],
    )
    assert [(r["user_id"], r["joined_at"]) for r in rows] == [(11, "2026-11-22T05:00:00+00:00"),
                                                            (12, "2026-11-22T06:00:00+00:00")]
    assert [r[0] for r in rows] == [11, 12]
    one = await engine.db.fetchone(engine.sql("SELECT COUNT(*) AS n FROM pair_queue WHERE guild_id = ?"), [1])
    assert one is not None and one["n"] == 3
    assert await engine.db.fetchone(engine.sql("SELECT user_id FROM pair_queue WHERE guild_id = ?"), [2]) is None
    assert await engine.db.fetchall(engine.sql("SELECT user_id FROM pair_queue WHERE guild_id = ?"), [2]) == []


async def test_text_sorts_byte_for_byte_on_both_engines(engine):
    names = ["b", "B", "a", "_z", "Ä", "a b", "ab", "A"]
    for user_id, name in enumerate(names):
        await _queue(engine, 1, user_id, name)
    rows = await engine.db.fetchall(engine.sql("SELECT joined_at FROM pair_queue ORDER BY joined_at"))
    assert [r["joined_at"] for r in rows] == sorted(names, key=lambda s: s.encode())


async def test_a_write_returning_its_row_gives_it_or_none(engine):
    insert = engine.sql("INSERT INTO pair_rounds (guild_id, round_key, started_at) VALUES (?, ?, ?) RETURNING id")
    first = await engine.db.fetchone_write(insert, [1, "auto:1", "now"])
    assert first is not None and first["id"] >= 1
    claim = engine.sql("UPDATE pair_rounds SET completed_at = ? WHERE id = ? AND completed_at IS NULL "
                       "RETURNING id, completed_at")
    won = await engine.db.fetchone_write(claim, ["done", first["id"]])
    assert won is not None and (won["id"], won["completed_at"]) == (first["id"], "done")
    assert await engine.db.fetchone_write(claim, ["again", first["id"]]) is None


async def test_execute_gives_the_new_rows_id(engine):
    insert = engine.sql("INSERT INTO pair_rounds (guild_id, round_key, started_at) VALUES (?, ?, ?)")
    if engine.name == "postgres":
        insert += " RETURNING id"  # PostgreSQL has no lastrowid: the statement says which id it wants
    first = await engine.db.execute(insert, [1, "auto:1", "now"])
    second = await engine.db.execute(insert, [1, "auto:2", "now"])
    assert first >= 1 and second == first + 1
    row = await engine.db.fetchone(engine.sql("SELECT round_key FROM pair_rounds WHERE id = ?"), [second])
    assert row is not None and row["round_key"] == "auto:2"


async def test_a_transaction_that_raises_writes_nothing(engine):
    class Interrupted(Exception):
        pass

    with pytest.raises(Interrupted):
        async with engine.db.transaction() as tx:
            await tx.execute(engine.sql("INSERT INTO pair_queue (guild_id, user_id, joined_at) VALUES (?, ?, ?)"),
                             [1, 10, "now"])
            raise Interrupted
    assert await engine.db.fetchall("SELECT * FROM pair_queue") == []


async def test_a_transaction_commits_everything_together(engine):
    async with engine.db.transaction() as tx:
        for user_id in (10, 11):
            await tx.execute(engine.sql("INSERT INTO pair_queue (guild_id, user_id, joined_at) VALUES (?, ?, ?)"),
                             [1, user_id, "now"])
    assert len(await engine.db.fetchall("SELECT * FROM pair_queue")) == 2


async def test_a_failed_statement_in_a_transaction_rolls_back_the_ones_before(engine):
    insert = engine.sql("INSERT INTO pair_queue (guild_id, user_id, joined_at) VALUES (?, ?, ?)")
    errors: tuple[type[BaseException], ...] = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)
    with pytest.raises(errors):
        async with engine.db.transaction() as tx:
            await tx.execute(insert, [1, 10, "now"])
            await tx.execute(insert, [1, 10, "again"])
    assert await engine.db.fetchall("SELECT * FROM pair_queue") == []


async def test_version_12_makes_the_index_text_of_topics_stored_before_it(pg_url, tmp_path):
    """A topic approved from a suggestion, stored at version 11 (a `db copy`), gets from migration 12
    the same index text the repository writes (TopicRows.of); curated topics are re-synced instead."""
    from bot.knowledge.model import Challenge, Link, Topic
    from bot.knowledge.repository import TopicRows, topic_values

    up_to_11 = tmp_path / "migrations"
    up_to_11.mkdir()
    for migration in postgres_database.load_migrations()[:11]:
        (up_to_11 / migration.name).write_text(migration.sql, encoding="utf-8")
    topic = Topic("websockets", "WebSockets", "Collaboration", ("ws", "sockets"), (), (), "Open sockets.",
                  ("Idea one", "Idea two"), (Challenge("It drops", "Send heartbeats"),), ("Practise",),
                  (Link("MDN", "https://developer.mozilla.org"),), guild_id=7, source="suggested")
    db = await PostgresDatabase.open(pg_url, migrations_dir=up_to_11)
    try:
        await db.execute(
            "INSERT INTO knowledge_topics (slug, title, category, aliases, related, tracks, summary, key_ideas, "
            "challenges, best_practices, further_reading, guild_id, source, content_hash, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 7, 'suggested', NULL, 'now', 'now')",
            topic_values(topic))
        await db.execute(
            "INSERT INTO knowledge_topics (slug, title, category, summary, source, content_hash, created_at, "
            "updated_at) VALUES ('celery', 'Celery', 'Backend', 's', 'curated', 'abc', 'now', 'now')")
    finally:
        await db.close()
    db = await PostgresDatabase.open(pg_url)
    try:
        row = await db.fetchone("SELECT title, aliases, challenges, summary, body, scope FROM knowledge_fts")
        assert row is not None and tuple(row) == (*TopicRows.of(topic).index, "kbsuggested kbguild7")
        curated = await db.fetchone("SELECT content_hash FROM knowledge_topics WHERE slug = 'celery'")
        assert curated is not None and curated["content_hash"] is None  # the next sync rewrites it, with its text
    finally:
        await db.close()
