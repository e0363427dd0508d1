"""`python -m bot db copy --to postgresql://…`: a SQLite database, with rows a cohort makes (the
knowledge base, a server's setup and prompts, a round and its pairs, a request the round closed),
copied into an empty PostgreSQL one: every table's rows equal, ids kept and the next ids past them;
a target that is not empty is refused in one line and left as it was."""

import asyncio
import sys
from datetime import UTC, datetime

import pytest

from bot.clock import Clock
from bot.config import load_settings
from bot.db.copy import CopyRefused, copy_to_postgres
from bot.db.postgres import PostgresDatabase
from bot.db.sqlite.database import Database
from bot.guild_setup.model import SetupRequest
from bot.services import Services
from tests.pg.test_postgres_startup import ROOT, _env

pytestmark = pytest.mark.asyncio

NOW = "2026-12-14T10:00:00+00:00"


async def a_cohorts_database(path):
    """A SQLite database as the bot leaves it: services started (topics synced), a server set up
    (its prompts copied), and a round with a pair and a request it closed (foreign keys both ways)."""
    db = await Database.open(path)
    clock = Clock()
    clock.set(datetime(2026, 12, 14, 10, tzinfo=UTC))
    services = await Services.start(db, load_settings({}, env_file=None), clock)
    await services.guild_setup.configure(SetupRequest(1, 2, 3, cohort_start="2026-12-07", timezone="Africa/Lagos"))
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO pair_rounds (id, guild_id, round_key, started_at) VALUES (7, 1, 'auto', ?)",
                           (NOW,))
        await conn.execute("INSERT INTO pair_requests (id, guild_id, requester_id, target_id, status, created_at, "
                           "expires_at, closed_by_round) VALUES (5, 1, 10, 11, 'closed', ?, ?, 7)", (NOW, NOW))
        await conn.execute("INSERT INTO pairs (id, guild_id, backend_id, frontend_id, source, request_id, round_id, "
                           "created_at) VALUES (9, 1, 10, 12, 'round', 5, 7, ?)", (NOW,))
    await db.close()


async def rows_of(url, table):
    db = await PostgresDatabase.open(url)
    try:
        return await db.fetchall(f'SELECT * FROM "{table}" ORDER BY 1')
    finally:
        await db.close()


async def test_a_cohorts_database_is_copied_whole_and_checked(pg_url, tmp_path):
    await a_cohorts_database(tmp_path / "nexus.db")
    report = await copy_to_postgres(tmp_path / "nexus.db", pg_url)
    assert report.rows["knowledge_topics"] >= 70 and report.rows["prompts"] >= 3
    assert report.rows["pairs"] == report.rows["pair_rounds"] == report.rows["pair_requests"] == 1
    assert "nexus_schema" not in report.rows
    # The search text of each topic (its symptoms live only there): SQLite's FTS5 rows into the plain table.
    assert report.rows["knowledge_fts"] == report.rows["knowledge_topics"]
    [pair] = await rows_of(pg_url, "pairs")
    assert (pair["id"], pair["request_id"], pair["round_id"]) == (9, 5, 7)  # ids kept, links intact

    db = await PostgresDatabase.open(pg_url)  # the next row PostgreSQL makes does not collide
    try:
        new_id = await db.execute("INSERT INTO pair_rounds (guild_id, round_key, started_at) VALUES ($1, $2, $3) "
                                  "RETURNING id", (1, "manual", NOW))
    finally:
        await db.close()
    assert new_id == 8


async def test_a_target_that_is_not_empty_is_refused_and_left_as_it_was(pg_url, tmp_path):
    await a_cohorts_database(tmp_path / "nexus.db")
    await copy_to_postgres(tmp_path / "nexus.db", pg_url)
    before = await rows_of(pg_url, "guild_config")
    with pytest.raises(CopyRefused, match="not empty"):
        await copy_to_postgres(tmp_path / "nexus.db", pg_url)
    assert await rows_of(pg_url, "guild_config") == before


async def test_the_command_says_what_it_copied_and_refuses_in_one_line(pg_url, tmp_path):
    await a_cohorts_database(tmp_path / "nexus.db")

    async def run(*args):
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "db", "copy", *args, cwd=ROOT,
            env=_env(DATABASE_PATH=str(tmp_path / "nexus.db")),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
        return process.returncode, out.decode(), err.decode()

    code, out, err = await run("--to", pg_url)
    assert code == 0, err
    assert "every table's rows are equal on both" in out and "password" not in out.lower()
    code, out, err = await run("--to", pg_url)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "not empty" in err and "Traceback" not in err, err
    code, out, err = await run("--to", "mysql://nexus@db/nexus")
    assert code == 2 and "give a PostgreSQL URL" in err, err
