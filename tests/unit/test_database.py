import logging
import os
import sqlite3

import pytest

from bot.db import Database, DatabaseOpenError, MigrationError
from bot.db.sqlite.backup import backup_database
from bot.db.sqlite.database import NEXUS_APPLICATION_ID, load_migrations

EXPECTED_TABLES = {
    "guild_config", "member_profiles", "projects", "pair_requests", "pairs", "pair_queue",
    "knowledge_topics", "knowledge_fts", "topic_suggestions", "topic_lookups", "prompts", "scheduled_posts",
}


async def test_a_fresh_database_gets_every_table_and_the_latest_version(tmp_path):
    db = await Database.open(tmp_path / "nexus.db")
    try:
        tables = {r["name"] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert EXPECTED_TABLES <= tables
        assert await db.schema_version() == len(load_migrations())
        assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
        assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
    finally:
        await db.close()


async def test_opening_again_applies_nothing_and_keeps_data(tmp_path):
    path = tmp_path / "nexus.db"
    db = await Database.open(path)
    await db.execute("INSERT INTO pair_queue (guild_id, user_id, joined_at) VALUES (1, 2, 'now')")
    await db.close()
    db = await Database.open(path)
    try:
        assert (await db.fetchone("SELECT COUNT(*) FROM pair_queue"))[0] == 1
    finally:
        await db.close()


async def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_first.sql").write_text("CREATE TABLE kept (id INTEGER PRIMARY KEY);")
    path = tmp_path / "nexus.db"
    db = await Database.open(path, migrations_dir=migrations)
    await db.close()
    (migrations / "0002_broken.sql").write_text(
        "CREATE TABLE half_done (id INTEGER);\nINSERT INTO kept (id) VALUES (1);\nTHIS IS NOT SQL;"
    )
    with pytest.raises(MigrationError) as info:
        await Database.open(path, migrations_dir=migrations)
    assert "0002_broken.sql" in str(info.value)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in tables
        assert conn.execute("SELECT COUNT(*) FROM kept").fetchone()[0] == 0


async def test_transaction_rolls_back_everything_on_error(tmp_path):
    db = await Database.open(tmp_path / "nexus.db")
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO pair_queue (guild_id, user_id, joined_at) VALUES (1, 2, 'now')")
                raise RuntimeError("boom")
        assert (await db.fetchone("SELECT COUNT(*) FROM pair_queue"))[0] == 0
    finally:
        await db.close()


async def test_a_corrupt_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "nexus.db"
    garbage = b"this is not a database" * 500
    path.write_bytes(garbage)
    with pytest.raises(DatabaseOpenError) as info:
        await Database.open(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == garbage
    assert not (tmp_path / "nexus.db-wal").exists()


async def test_a_folder_that_cannot_be_created_is_refused(tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the database folder should be")
    with pytest.raises(DatabaseOpenError) as info:
        await Database.open(blocker / "nexus.db")
    assert "cannot create the folder" in str(info.value)
    assert blocker.read_text() == "a file where the database folder should be"


async def test_a_path_that_is_a_folder_is_refused(tmp_path):
    with pytest.raises(DatabaseOpenError) as info:
        await Database.open(tmp_path)
    assert "not a file" in str(info.value)


async def test_backup_of_a_live_database_is_a_consistent_copy(tmp_path):
    path = tmp_path / "nexus.db"
    db = await Database.open(path)
    try:
        for user in range(50):
            await db.execute("INSERT INTO pair_queue (guild_id, user_id, joined_at) VALUES (1, ?, 'now')", (user,))
        size = backup_database(path, tmp_path / "backup" / "copy.db")
    finally:
        await db.close()
    assert size > 0
    with sqlite3.connect(tmp_path / "backup" / "copy.db") as copy:
        assert copy.execute("SELECT COUNT(*) FROM pair_queue").fetchone()[0] == 50
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not (tmp_path / "backup" / "copy.db.partial").exists()


def test_backup_refuses_a_missing_database(tmp_path):
    with pytest.raises(DatabaseOpenError):
        backup_database(tmp_path / "absent.db", tmp_path / "copy.db")


def _append_unused_pages(path, count):
    """Damage a database the way a bad copy does: pages nothing points to (quick_check: "Page N is never used")."""
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    pages = len(data) // page_size + count
    data += bytes(page_size * count)
    data[28:32] = pages.to_bytes(4, "big")  # the header's page count, so SQLite trusts the longer file
    path.write_bytes(bytes(data))


async def test_a_damaged_database_is_refused_in_one_line_with_the_details_at_debug(tmp_path, caplog):
    path = tmp_path / "nexus.db"
    await (await Database.open(path)).close()
    _append_unused_pages(path, 13)
    damaged = path.read_bytes()
    with caplog.at_level(logging.DEBUG, logger="bot.db.sqlite.database"), pytest.raises(DatabaseOpenError) as info:
        await Database.open(path)
    message = str(info.value)
    assert "\n" not in message
    assert f"database {path} is damaged" in message
    assert "13 problems" in message
    assert len([r for r in caplog.records if "is never used" in r.getMessage() and r.levelno == logging.DEBUG]) == 13
    assert path.read_bytes() == damaged


async def test_a_new_database_is_marked_as_nexus(tmp_path):
    path = tmp_path / "nexus.db"
    await (await Database.open(path)).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == NEXUS_APPLICATION_ID
    assert NEXUS_APPLICATION_ID.to_bytes(4, "big") == b"NXUS"


async def test_a_nexus_database_from_before_the_mark_is_adopted_with_its_data(tmp_path):
    path = tmp_path / "nexus.db"
    db = await Database.open(path)
    await db.execute("INSERT INTO pair_queue (guild_id, user_id, joined_at) VALUES (1, 2, 'now')")
    await db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA application_id = 0")  # as every Nexus database was made until now
    db = await Database.open(path)
    try:
        assert (await db.fetchone("SELECT COUNT(*) FROM pair_queue"))[0] == 1
        assert (await db.fetchone("PRAGMA application_id"))[0] == NEXUS_APPLICATION_ID
    finally:
        await db.close()


def _foreign_database(path, *, application_id=0, user_version=0, tables=("invoices", "customers")):
    with sqlite3.connect(path) as conn:
        for table in tables:
            conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, note TEXT)")
            conn.execute(f"INSERT INTO {table} (note) VALUES ('keep me')")
        conn.execute(f"PRAGMA application_id = {application_id}")
        conn.execute(f"PRAGMA user_version = {user_version}")
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ({"tables": ("invoices", "customers")}, "is not a Nexus database (tables: customers, invoices"),
        ({"tables": ("invoices",), "user_version": 3}, "is not a Nexus database"),
        ({"tables": ("guild_config",), "user_version": 1}, "is not a Nexus database"),  # a look-alike
        ({"application_id": 0x4C697465}, "belongs to another program (application_id 0x4c697465"),
    ],
)
async def test_another_programs_database_is_refused_and_left_byte_for_byte(tmp_path, kind, says):
    path = tmp_path / "other.db"
    before = _foreign_database(path, **kind)
    with pytest.raises(DatabaseOpenError) as info:
        await Database.open(path)
    assert says in str(info.value)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]  # no -wal or -shm left either


def test_backup_works_from_a_folder_whose_name_looks_like_a_uri(tmp_path):
    folder = tmp_path / "nexus #1 ?v=2 50%"
    folder.mkdir()
    with sqlite3.connect(folder / "nexus.db") as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (42)")
    conn.close()
    backup_database(folder / "nexus.db", tmp_path / "copy.db")
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("SELECT x FROM t").fetchall() == [(42,)]
    copy.close()


async def test_a_second_bot_on_the_same_database_is_refused_and_maintenance_is_not(tmp_path):
    from bot.db import DatabaseInUse

    path = tmp_path / "nexus.db"
    first = await Database.open(path, only_nexus=True)
    try:
        with pytest.raises(DatabaseInUse, match=rf"another Nexus \(process {os.getpid()}\) is already running on the "
                                                rf"database {path}"):
            await Database.open(path, only_nexus=True)
        beside = await Database.open(path)  # a backup or `kb` command, beside the running bot
        await beside.close()
    finally:
        await first.close()
    again = await Database.open(path, only_nexus=True)  # released on close
    await again.close()


async def test_a_write_given_a_deadline_gives_up_by_it_its_wait_for_the_lock_included(tmp_path):
    # An interaction's write has until its answer is due (Discord's 3 s): every try, SQLite's own
    # busy wait included, must be over by then, or the member's "Nexus is busy" comes too late.
    import asyncio

    from bot.db import WRITE_DEADLINE, DatabaseBusy

    path = tmp_path / "nexus.db"
    db = await Database.open(path)
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    loop = asyncio.get_running_loop()

    async def write_with_deadline(wait):
        deadline = loop.time() + wait
        WRITE_DEADLINE.set(deadline)
        with pytest.raises(DatabaseBusy):
            await db.execute("INSERT INTO pair_queue (guild_id, user_id, joined_at) VALUES (1, 2, 'now')")
        return loop.time() - deadline

    try:
        for wait in (0.3, 0.5, 0.62, 0.9):
            overrun = await asyncio.create_task(write_with_deadline(wait))
            assert overrun <= 0.1, f"a write allowed {wait} s gave up {overrun:.3f} s after its deadline"
    finally:
        other.execute("ROLLBACK")
        other.close()
        await db.close()
