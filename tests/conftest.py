"""Shared fixtures: no test reaches the internet, and `nexus` runs the real bot against the stand-in."""

from __future__ import annotations

import asyncio
import importlib.machinery
import ipaddress
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import CodeType
from typing import Any

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


# The session's PostgreSQL (`postgres_server`, `pg_url`), and both database engines behind one
# fixture (`engine_db`): the repository contract tests use it.
pytest_plugins = ["tests.pg.session", "tests.engines"]


def pytest_configure(config: pytest.Config) -> None:
    # Every bot of the suite opens a fresh database of the same topic files: what loading them works
    # out (~0.2 s of CPU a bot) is worked out once per process and shared, each bot holding copies
    # of its own (bot/knowledge/search.py, `share_prepared`; tests/knowledge checks it answers alike).
    from bot.knowledge.search import share_prepared

    share_prepared()
    _compile_each_source_once()


def _compile_each_source_once() -> None:
    """Compile a module's source once per process, however often it is imported again. Each bot
    loads the cogs as discord.py extensions, and closing it drops them and all their submodules
    from `sys.modules`, so the next bot imports them afresh; where no bytecode is written
    (PYTHONDONTWRITEBYTECODE, as on the test machines) that compiled all of cogs/ again for every
    bot (~0.3 s of CPU a bot). The module still runs afresh: only compiling the same bytes is kept."""
    loader = importlib.machinery.SourceFileLoader
    original = loader.source_to_code
    compiled: dict[tuple[str, bytes, int], CodeType] = {}

    def source_to_code(self: Any, data: Any, path: Any, *, _optimize: int = -1) -> CodeType:
        key = (str(path), bytes(data), _optimize)
        code = compiled.get(key)
        if code is None:
            code = compiled[key] = original(self, data, path, _optimize=_optimize)
        return code

    loader.source_to_code = source_to_code  # type: ignore[method-assign,assignment]


def _is_local(host: Any) -> bool:
    if host in (None, "localhost", ""):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


class NetworkAccessForbidden(AssertionError):
    pass


def _guard_address(address: Any) -> None:
    if isinstance(address, tuple) and address and not _is_local(address[0]):
        raise NetworkAccessForbidden(f"test tried to reach {address[0]}: tests may only use loopback")


def forbid_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now until `monkeypatch` is undone, any connection or name lookup beyond loopback fails."""

    def connect(self: socket.socket, address: Any) -> None:
        _guard_address(address)
        return _real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _guard_address(address)
        return _real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_local(host):
            raise NetworkAccessForbidden(f"test tried to resolve {host!r}: tests may only use loopback")
        return _real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any connection or name lookup beyond loopback fails the test that made it."""
    forbid_network(monkeypatch)
    yield


@pytest.fixture(scope="module")
def no_network_in_module() -> Iterator[None]:
    """The same guard for a module-scoped fixture, which starts before any test's own guard."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        forbid_network(monkeypatch)
        yield


# The tasks discord.py runs a member's interaction in: a slash command (with its error handlers), a
# listener, a button of a view or a dynamic item, a modal's submit; and what a handler leaves to
# finish after it answered (a project's badge after a pair formed).
HANDLER_TASKS = ("CommandTree-invoker", "discord.py: ", "discord-ui-view-dispatch", "discord-ui-dynamic-item",
                 "discord-ui-modal-dispatch", "nexus-follow-up")


async def wait_until_settled(bot: Any, within: float = 10.0) -> None:
    """Return once the bot has finished everything it started: every interaction handler (all it does
    after answering, too) and every tick or missed post of the scheduler. Whatever they were going to
    post has then reached the stand-in, which records a request before it answers it: a test checks
    that nothing more was posted after this, never after sleeping a guessed time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    me = asyncio.current_task()
    while True:
        busy = [task.get_name() for task in asyncio.all_tasks()
                if task is not me and not task.done() and task.get_name().startswith(HANDLER_TASKS)]
        if not busy and not bot.services.scheduler.busy():
            return
        if loop.time() > deadline:
            raise AssertionError(f"the bot was still busy after {within} s: {busy or 'the scheduler'}")
        await asyncio.sleep(0.005)


@pytest.fixture
def settled() -> Any:
    """`await settled(bot)`: see `wait_until_settled`."""
    return wait_until_settled


@dataclass
class Nexus:
    """The real bot, connected to the stand-in, with its own database file."""

    standin: Any  # sandbox.standin.StandIn
    bot: Any  # bot.app.NexusBot
    db_path: Path


@pytest.fixture
async def nexus(tmp_path: Path) -> AsyncIterator[Nexus]:
    from bot.config import load_settings
    from sandbox.run import sandbox_settings, start_bot_against, stop_bot
    from sandbox.standin import StandIn

    db_path = tmp_path / "nexus.db"
    async with StandIn() as standin:
        settings = sandbox_settings(load_settings({}, env_file=None), standin, db_path)
        bot, task = await start_bot_against(standin, settings)
        try:
            yield Nexus(standin=standin, bot=bot, db_path=db_path)
        finally:
            await stop_bot(bot, task)
