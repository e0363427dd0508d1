"""One PostgreSQL for the whole test session (for each worker's, under pytest-xdist), and a fresh,
empty database in it for each test.

A plugin of the root conftest (`pytest_plugins`), not tests/pg's conftest: pytest imports a
conftest under a name of its own ("pg.conftest"), so the tests importing its helpers had a second
copy of it, with a session server of its own: two servers a run.

The server comes from pgserver (a dev dependency: what `make test` installs), never from a service the
machine happens to have. When it cannot start, every PostgreSQL test fails with the reason: these
tests never skip, so CI cannot pass without them.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from tests.pg._server import PostgresUnavailable, SessionPostgres

_database_names = (f"nexus_test_{n}" for n in itertools.count(1))
_started: list[SessionPostgres] = []


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[SessionPostgres]:
    server = SessionPostgres()
    try:
        server.start()
    except PostgresUnavailable as exc:
        server.stop()
        pytest.fail(f"the test PostgreSQL (pgserver) did not start: {exc}", pytrace=False)
    _started.append(server)
    yield server
    server.stop()


async def create_database(server: SessionPostgres) -> str:
    """A new, empty database on the test server; its URL."""
    name = next(_database_names)
    admin = await asyncpg.connect(server.url())
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    return server.url(name)


async def drop_database(server: SessionPostgres, url: str) -> None:
    admin = await asyncpg.connect(server.url())
    try:
        # FORCE: a test that failed half-way may have left a connection open.
        await admin.execute(f"DROP DATABASE {url.rsplit('/', 1)[1]} WITH (FORCE)")
    finally:
        await admin.close()


@pytest.fixture
async def pg_url(postgres_server: SessionPostgres) -> AsyncIterator[str]:
    """The URL of a new, empty database, dropped after the test."""
    url = await create_database(postgres_server)
    yield url
    await drop_database(postgres_server, url)


def start_times() -> list[tuple[float, float]]:
    """(initdb, start) seconds of each server this process started."""
    return [(server.times.initdb, server.times.start) for server in _started if server.times is not None]
