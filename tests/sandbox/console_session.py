"""The console driven line by line in a test, as the sandbox wires it, with what a person would
have read returned for each line (trailing spaces stripped)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from sandbox.console import SandboxConsole


@dataclass
class ConsoleSession:
    standin: Any
    console: SandboxConsole
    buffer: io.StringIO
    bot: Any = None  # the real bot, when the test runs one

    async def run(self, line: str) -> str:
        """Run one console line; return what a person would have read."""
        start = self.buffer.tell()
        await self.console.execute(line)
        self.buffer.seek(start)
        return "\n".join(row.rstrip() for row in self.buffer.read().splitlines())

    async def lines(self, *lines: str) -> str:
        return "\n".join([await self.run(line) for line in lines])
