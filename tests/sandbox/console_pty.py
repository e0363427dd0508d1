"""A real terminal for the console: `python -m bot sandbox` on a pseudo-terminal, driven by keys.

What a person sees is read from the bytes the program writes (escape sequences removed), so a
test can press Ctrl-C exactly as a person does: the pty turns it into SIGINT while a line runs
(cooked mode) and into a key at the prompt (prompt_toolkit's raw mode).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pty
import re
import signal
import struct
import sys
import termios
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def plain(raw: str) -> str:
    return _ESCAPES.sub("", raw).replace("\r", "")


class Terminal:
    """One program on a pty: `send` keys, `expect` text to appear, `wait_exit` for its code."""

    def __init__(self, *args: str, cwd: Path, rows: int = 40, columns: int = 120) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
        # No cursor-position requests (nobody answers them here) and no colours to strip.
        env.update(PYTHONPATH=str(ROOT), TERM="xterm", NO_COLOR="1", PROMPT_TOOLKIT_NO_CPR="1")
        argv = [sys.executable, *args]
        winsize = struct.pack("HHHH", rows, columns, 0, 0)
        pid, fd = pty.fork()
        if pid == 0:  # the child: its stdin/stdout are the pty, which is its controlling terminal
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, winsize)
                os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.output = ""
        self._read_upto = 0
        self.closed = asyncio.Event()
        self._changed = asyncio.Event()
        os.set_blocking(fd, False)
        asyncio.get_running_loop().add_reader(fd, self._on_readable)

    def _on_readable(self) -> None:
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return
        except OSError:  # EIO: the program closed the terminal
            data = b""
        if not data:
            asyncio.get_running_loop().remove_reader(self.fd)
            self.closed.set()
        self.output += data.decode("utf-8", "replace")
        self._changed.set()

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    async def expect(self, text: str, within: float = 60) -> str:
        """Wait until `text` appears after what earlier `expect`s consumed; return what led to it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            seen = plain(self.output)
            at = seen.find(text, self._read_upto)
            if at >= 0:
                before = seen[self._read_upto : at + len(text)]
                self._read_upto = at + len(text)
                return before
            if self.closed.is_set():
                raise AssertionError(f"the program ended before showing {text!r}; it showed:\n{seen[-3000:]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise AssertionError(f"{text!r} did not appear in {within:g} s; shown:\n{seen[-3000:]}") from None

    async def reading_keys(self, within: float = 30) -> None:
        """Wait until the program reads keys one by one (the prompt's raw mode, which Linux's pty shows
        on its master side too): a prompt is drawn a moment before, and a Ctrl-C sent in between
        reaches the line discipline as SIGINT instead of the prompt as a key."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while termios.tcgetattr(self.fd)[3] & termios.ICANON:
            if loop.time() > deadline:
                raise AssertionError(f"the prompt did not read keys in {within:g} s; shown:\n"
                                     f"{plain(self.output)[-3000:]}")
            await asyncio.sleep(0.02)

    async def wait_exit(self, within: float = 30) -> int:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)  # noqa: ASYNC222 (WNOHANG: never blocks)
            if pid:
                self.pid = 0
                return os.waitstatus_to_exitcode(status)
            await asyncio.sleep(0.05)
        raise AssertionError(f"the program did not exit in {within:g} s; shown:\n{plain(self.output)[-3000:]}")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            asyncio.get_running_loop().remove_reader(self.fd)
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.fd)
