"""Loaded by the bot processes tests/e2e/test_process.py starts (this folder leads their PYTHONPATH).

What tests/conftest.py does in the test process, done in the child: no name lookup or connection
beyond loopback, so a test never reaches the network and an unresolvable name fails at once, also on
a machine without DNS. With NEXUS_TEST_WRITABLE set (folders, os.pathsep-separated), every write
elsewhere fails with EROFS, like a container started with --read-only and one writable volume.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import sys

_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in (None, "", "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if not _is_loopback(host):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _getaddrinfo

_WRITABLE = [os.path.realpath(p) for p in os.environ.get("NEXUS_TEST_WRITABLE", "").split(os.pathsep) if p]
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _may_write(path: object) -> bool:
    if not _WRITABLE or isinstance(path, int):
        return True
    real = os.path.realpath(os.fsdecode(path))  # type: ignore[call-overload]
    return any(real == root or real.startswith(root + os.sep) for root in _WRITABLE)


def _refuse(path: object) -> None:
    raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))  # type: ignore[call-overload]


def _audit(event: str, args: tuple) -> None:  # type: ignore[type-arg]
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and address and not _is_loopback(address[0]):
            raise ConnectionRefusedError(errno.ECONNREFUSED, f"tests may only use loopback, not {address[0]}")
    elif event == "open":
        path, _mode, flags = args
        if isinstance(flags, int) and flags & _WRITE_FLAGS and not _may_write(path):
            _refuse(path)
    elif event in ("os.mkdir", "os.remove", "os.rmdir"):
        if not _may_write(args[0]):
            _refuse(args[0])
    elif event == "os.rename":
        for path in args[:2]:
            if not _may_write(path):
                _refuse(path)


sys.addaudithook(_audit)


# Three knobs for the children of the kill -9 test (tests/pg/test_kill_mid_fan_out.py), read only when
# set, so a child can meet a due post within seconds of its start, a restart need not wait out the
# full claim lease, and a fan-out lasts long enough to be killed in its middle: NEXUS_TEST_CLOCK_AT,
# the instant (ISO 8601) the bot's one clock reads when made (or, with NEXUS_TEST_CLOCK_AT_WALL, at that
# real moment), real time passing from there;
# NEXUS_TEST_CLAIM_LEASE_S, the claim lease in seconds; NEXUS_TEST_PACED_RATE, the bot's requests a
# second (all its processes' together).
def _test_knobs() -> None:
    at = os.environ.get("NEXUS_TEST_CLOCK_AT")
    if at:
        import time
        from datetime import datetime, timedelta

        from bot import clock

        made = clock.Clock.__init__

        wall = os.environ.get("NEXUS_TEST_CLOCK_AT_WALL")

        def starts_at(self: clock.Clock) -> None:
            made(self)
            # With a wall time, the clock reads `at` at that real moment (epoch seconds), so several
            # processes started one after another share one clock (benchmarks/scale.py).
            late = time.time() - float(wall) if wall else 0.0
            self.set(datetime.fromisoformat(at) + timedelta(seconds=late))

        clock.Clock.__init__ = starts_at  # type: ignore[method-assign]
    lease = os.environ.get("NEXUS_TEST_CLAIM_LEASE_S")
    if lease:
        from datetime import timedelta

        from bot import posting
        from bot.scheduling import scheduler

        posting.CLAIM_LEASE = scheduler.CLAIM_LEASE = timedelta(seconds=float(lease))
    rate = os.environ.get("NEXUS_TEST_PACED_RATE")
    if rate:
        from bot.scheduling import pacing

        pacing.PACED_RATE = float(rate)  # before bot.services imports it


_test_knobs()
