"""DATABASE_URL: the setting, the factory that picks the engine, and every way start-up on PostgreSQL
can fail, told by `python -m bot run` in one line on stderr with exit code 2, never a traceback."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import asyncpg
import pytest

from bot.config import Settings, SettingsError, load_settings
from bot.db import Database
from bot.db.engines import open_database
from bot.db.postgres import PostgresDatabase
from bot.db.postgres.database import load_migrations
from tests.pg._server import SessionPostgres

ROOT = Path(__file__).resolve().parents[2]
# The e2e tests' sitecustomize: the child process may reach nothing beyond loopback.
PROCESS_SITE = ROOT / "tests" / "e2e" / "process_site"
LATEST = len(load_migrations())  # the schema version this Nexus migrates to
TOKEN = "MTA5.abcdefghijklmnop.qrstuvwxyz0123456789"


def _settings(**values: str) -> Settings:
    return load_settings(values, env_file=None)


# -- the setting -----------------------------------------------------------------------------------

def test_without_database_url_nexus_stays_on_sqlite_at_database_path():
    settings = _settings(DATABASE_PATH="/data/nexus.db")
    assert settings.database.url is None
    assert settings.database.path == Path("/data/nexus.db")


def test_a_postgresql_url_is_kept_as_a_secret():
    url = "postgresql://nexus:s3cret@db.example:5432/nexus"
    settings = _settings(DATABASE_URL=url)
    assert settings.database.url is not None and settings.database.url.reveal() == url
    assert "s3cret" not in repr(settings)
    assert settings.database.password is not None and settings.database.password.reveal() == "s3cret"
    assert _settings(DATABASE_URL="postgres://nexus@db/nexus").database.url is not None


@pytest.mark.parametrize("url", ["mysql://nexus:s3cret@db/nexus", "sqlite:///data/nexus.db", "nexus:s3cret@db/x"])
def test_another_kind_of_url_is_one_line_that_does_not_repeat_the_password(url):
    with pytest.raises(SettingsError) as info:
        _settings(DATABASE_URL=url)
    assert len(info.value.problems) == 1
    problem = info.value.problems[0]
    assert problem.startswith("DATABASE_URL: must be a postgresql:// URL")
    assert "s3cret" not in problem


def test_a_port_that_is_not_a_number_is_one_line():
    with pytest.raises(SettingsError) as info:
        _settings(DATABASE_URL="postgresql://nexus:s3cret@db:five/nexus")
    assert info.value.problems == ["DATABASE_URL: the port after the host must be a number from 0 to 65535"]


# -- the factory -----------------------------------------------------------------------------------

async def test_the_factory_opens_sqlite_without_database_url(tmp_path):
    db = await open_database(_settings(DATABASE_PATH=str(tmp_path / "nexus.db")))
    try:
        assert isinstance(db, Database)
    finally:
        await db.close()


async def test_the_factory_opens_postgresql_with_database_url(pg_url, tmp_path):
    db = await open_database(_settings(DATABASE_URL=pg_url, DATABASE_PATH=str(tmp_path / "nexus.db")))
    assert isinstance(db, PostgresDatabase)
    try:
        assert await db.schema_version() == LATEST
        assert not (tmp_path / "nexus.db").exists()
    finally:
        await db.close()


# -- start-up, as an admin runs it -----------------------------------------------------------------

def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "NEXUS_"))}
    env.update(PYTHONPATH=os.pathsep.join([str(PROCESS_SITE), str(ROOT)]), PYTHONDONTWRITEBYTECODE="1",
               LOG_LEVEL="INFO", DISCORD_TOKEN=TOKEN,
               # Nothing listens on port 9: were the database accepted, Discord could not be reached either.
               DISCORD_API_BASE_URL="http://127.0.0.1:9/api/v10", **extra)
    return env


async def _start(tmp_path: Path, url: str) -> str:
    """`python -m bot run` with DATABASE_URL=url: the one line it printed on stderr (exit code 2)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path,
        env=_env(DATABASE_URL=url, DATABASE_PATH=str(tmp_path / "nexus.db")),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail("`python -m bot run` did not stop within 60 s")
    out, err = stdout.decode(), stderr.decode()
    assert process.returncode == 2, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nexus: DATABASE_URL: "), err
    assert "Traceback" not in out + err
    assert not (tmp_path / "nexus.db").exists()  # SQLite was never touched
    return lines[0]


async def test_a_port_nobody_listens_on_is_one_line(postgres_server: SessionPostgres, tmp_path):
    line = await _start(tmp_path, postgres_server.url(port=9))
    assert "cannot reach PostgreSQL at 127.0.0.1:9: connection refused" in line


async def test_a_wrong_password_is_one_line_that_does_not_show_it(postgres_server: SessionPostgres, pg_url, tmp_path):
    line = await _start(tmp_path, postgres_server.url(pg_url.rsplit("/", 1)[1], password="not-the-password"))
    assert f"PostgreSQL at 127.0.0.1:{postgres_server.port} refused the password of user 'postgres'" in line
    assert "not-the-password" not in line and postgres_server.password not in line


async def test_a_missing_database_is_one_line_naming_it(postgres_server: SessionPostgres, tmp_path):
    line = await _start(tmp_path, postgres_server.url("no_such_database"))
    assert "has no database 'no_such_database': create it (createdb no_such_database)" in line


async def test_another_programs_database_is_one_line_and_stays_unchanged(pg_url, tmp_path):
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute("CREATE TABLE invoices (id BIGINT PRIMARY KEY)")
        line = await _start(tmp_path, pg_url)
        assert "is not a Nexus database (tables: invoices; no nexus_schema table); it was left unchanged" in line
        tables = await conn.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        assert [t[0] for t in tables] == ["invoices"]
    finally:
        await conn.close()


async def test_a_schema_newer_than_the_code_is_one_line(pg_url, tmp_path):
    db = await PostgresDatabase.open(pg_url)
    await db.execute(f"UPDATE nexus_schema SET version = {LATEST + 1}")
    await db.close()
    line = await _start(tmp_path, pg_url)
    assert f"is at schema version {LATEST + 1}, newer than this Nexus knows (up to {LATEST})" in line

