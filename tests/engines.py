"""Both database engines behind one fixture, so a repository test runs on each (the contract suite).

`engine` is "sqlite" or "postgres"; `engine_db` an open, migrated database of that engine (SQLite
in the test's folder, PostgreSQL a fresh database on the session's pgserver: never skipped);
`open_engine_db` opens the same database again, as a second process would."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.db import Database
from tests.pg.conftest import create_database, drop_database, postgres_server  # noqa: F401  (a fixture)

ENGINES = ["sqlite", "postgres"]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def engine_location(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """The SQLite file, or the URL of a fresh PostgreSQL database (dropped after the test). The
    session's PostgreSQL is asked for only by the postgres param, so SQLite alone never starts it."""
    if engine == "sqlite":
        yield str(tmp_path / "nexus.db")
        return
    server = request.getfixturevalue("postgres_server")
    url = await create_database(server)
    yield url
    await drop_database(server, url)


@pytest.fixture
async def open_engine_db(engine: str, engine_location: str) -> AsyncIterator[Callable[[], Awaitable[Any]]]:
    opened: list[Any] = []

    async def open_again() -> Any:
        if engine == "sqlite":
            db: Any = await Database.open(engine_location)
        else:
            from bot.db.postgres import PostgresDatabase

            db = await PostgresDatabase.open(engine_location)
        opened.append(db)
        return db

    yield open_again
    for db in reversed(opened):
        await db.close()


@pytest.fixture
async def engine_db(open_engine_db: Callable[[], Awaitable[Any]]) -> Any:
    return await open_engine_db()
