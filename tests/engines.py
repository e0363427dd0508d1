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
from tests.pg.session import create_database, drop_database, start_times

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


# How long the test PostgreSQL took to start, so a slow start shows in every run. Under
# pytest-xdist the workers start the servers and the main process reports: each worker's start
# times reach it in the worker's output.
_worker_times: list[tuple[float, float]] = []


def pytest_sessionfinish(session: pytest.Session) -> None:
    output = getattr(session.config, "workeroutput", None)
    if output is not None:  # an xdist worker
        output["nexus_pg_start_times"] = start_times()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    _worker_times.extend(getattr(node, "workeroutput", {}).get("nexus_pg_start_times", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for initdb, start in start_times() + _worker_times:
        terminalreporter.write_line(
            f"test PostgreSQL (pgserver): initdb {initdb:.2f} s + start {start:.2f} s = {initdb + start:.2f} s")
