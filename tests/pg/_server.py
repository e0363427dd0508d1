"""A PostgreSQL 16 server for the test session, from the binaries the pip package pgserver bundles.

pgserver's own `get_server` starts one that listens on a Unix socket only and trusts everyone; the
start-up tests need what a real deployment has, a TCP port and a password (a wrong password must be
refused), so the server is made here with pgserver's binaries and its helpers for running as root
(PostgreSQL refuses to run as root: pgserver makes a `pgserver` system user for it).
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pgserver
from pgserver import utils as pgserver_utils

SUPERUSER = "postgres"
START_TIMEOUT = 60  # seconds; a start that takes longer is a broken machine, told loudly
PORT_ATTEMPTS = 3


class PostgresUnavailable(RuntimeError):
    """The test PostgreSQL could not be made: the PostgreSQL tests fail (never skip) with the reason."""


@dataclass
class StartTimes:
    initdb: float  # seconds to make the data folder
    start: float  # seconds from `pg_ctl start` until it accepts connections

    @property
    def total(self) -> float:
        return self.initdb + self.start


class SessionPostgres:
    """One server in a temporary folder, on a free loopback port, with a password for its superuser."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="nexus-pg-"))
        self.data = self.folder / "data"
        self.password = secrets.token_hex(12)
        self.port = _free_port()
        self.host = "127.0.0.1"
        self._system_user: str | None = None
        self.times: StartTimes | None = None

    def url(self, database: str = "postgres", *, password: str | None = None, port: int | None = None) -> str:
        return (f"postgresql://{SUPERUSER}:{self.password if password is None else password}@{self.host}:"
                f"{self.port if port is None else port}/{database}")

    def start(self) -> StartTimes:
        run_as = self._prepare_for_root() if os.geteuid() == 0 else None
        password_file = self.folder / "password"
        password_file.write_text(self.password)
        if run_as is not None:
            shutil.chown(password_file, run_as.pw_uid, run_as.pw_gid)
        begun = time.monotonic()
        # Password (scram) over TCP, as a deployment; trust on the socket only, which no test uses.
        # --no-sync and fsync=off: a test database need not survive a power cut.
        self._run(pgserver.initdb, ["--auth-host=scram-sha-256", "--auth-local=trust", "-U", SUPERUSER,
                                    f"--pwfile={password_file}", "--encoding=UTF8", "--no-sync",
                                    "--no-instructions"])
        made = time.monotonic()
        # Stopped at exit even when the session's teardown never runs (an interrupted or crashed
        # run), so no server outlives the tests.
        atexit.register(self.stop)
        for attempt in range(1, PORT_ATTEMPTS + 1):
            options = (f"-h {self.host} -p {self.port} -k {self.folder} -c fsync=off -c synchronous_commit=off "
                       "-c full_page_writes=off")
            try:
                self._run(pgserver.pg_ctl, ["-w", "-t", str(START_TIMEOUT), "-o", options,
                                            "-l", str(self.folder / "server.log"), "start"])
                break
            except PostgresUnavailable:
                # The free port was taken between finding it and binding it (another test worker's
                # server, say): another one.
                if attempt == PORT_ATTEMPTS or "already in use" not in self.log_tail():
                    raise
                self.port = _free_port()
        self.times = StartTimes(initdb=made - begun, start=time.monotonic() - made)
        return self.times

    def stop(self) -> None:
        if not self.folder.exists():
            return  # stopped already
        try:
            # Immediate: the data is thrown away next, so nothing needs writing out.
            self._run(pgserver.pg_ctl, ["-w", "-m", "immediate", "stop"])
        except PostgresUnavailable:
            pass  # it was not running; the folder goes all the same
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        log = self.folder / "server.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"

    def _prepare_for_root(self) -> pwd.struct_passwd:
        self._system_user = "pgserver"
        with _machine_wide_lock():  # test workers (pytest-xdist) start their servers side by side
            entry = pgserver_utils.ensure_user_exists(self._system_user)
        assert entry is not None
        pgserver_utils.ensure_prefix_permissions(self.folder)
        bin_path = Path(pgserver.__file__).parent / "pginstall" / "bin"
        pgserver_utils.ensure_prefix_permissions(bin_path)
        readable = stat.S_IRGRP | stat.S_IROTH
        pgserver_utils.ensure_folder_permissions(bin_path, readable | stat.S_IXGRP | stat.S_IXOTH)
        pgserver_utils.ensure_folder_permissions(bin_path.parent / "lib", readable)
        shutil.chown(self.folder, entry.pw_uid, entry.pw_gid)
        return entry

    def _run(self, command: object, args: list[str]) -> None:
        extra = {"user": self._system_user} if self._system_user else {}
        try:
            command(args, pgdata=self.data, timeout=START_TIMEOUT, **extra)  # type: ignore[operator]
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            raise PostgresUnavailable(f"{exc}\n{self.log_tail()}") from exc


@contextlib.contextmanager
def _machine_wide_lock() -> Iterator[None]:
    """One process at a time past this point: making the `pgserver` user is no step two may take at once."""
    with open(Path(tempfile.gettempdir()) / "nexus-pg-prepare.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
