"""The interactive console in a real terminal (a pty), keys pressed as a person presses them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from console_pty import Terminal

pytestmark = pytest.mark.asyncio

PROMPT = "mentor in #prodevprojectnexus ›"
CTRL_C = "\x03"


@pytest.fixture
async def terminal(tmp_path: Path) -> AsyncIterator[Terminal]:
    term = Terminal("-m", "bot", "sandbox", "--db", str(tmp_path / "sandbox.db"), cwd=tmp_path)
    try:
        await term.expect(PROMPT, within=120)
        await term.reading_keys()
        yield term
    finally:
        term.close()


async def test_ctrl_c_cancels_the_running_line_and_the_sandbox_keeps_its_data(terminal: Terminal) -> None:
    terminal.send("/nexus setup channel:#prodevprojectnexus timezone:Africa/Lagos\r")
    await terminal.expect("Nexus is set up")
    await terminal.expect(PROMPT)
    terminal.send("wait 600\r")
    await terminal.expect("waiting 600 s for the bot (Ctrl-C stops waiting)…")
    terminal.send(CTRL_C)
    await terminal.expect("cancelled: wait 600")
    await terminal.expect(PROMPT)
    # Same bot, same database: the set-up made before Ctrl-C is still there.
    terminal.send("/nexus status\r")
    status = await terminal.expect("Time zone: Africa/Lagos")
    assert "Channel: #prodevprojectnexus" in status
    await terminal.expect(PROMPT)
    terminal.send("quit\r")
    assert await terminal.wait_exit() == 0


async def test_ctrl_c_at_the_prompt_drops_the_line_and_twice_on_an_empty_line_leaves(terminal: Terminal) -> None:
    terminal.send("whoami")
    terminal.send(CTRL_C)  # drops the typed line: nothing runs
    await terminal.expect(PROMPT)
    await terminal.reading_keys()
    terminal.send(CTRL_C)
    await terminal.expect("(Ctrl-C again, quit or Ctrl-D to leave the sandbox)")
    await terminal.expect(PROMPT)
    terminal.send("whoami\r")  # anything typed in between starts the count again
    await terminal.expect("you are mentor (Mentor), typing in #prodevprojectnexus")
    await terminal.expect(PROMPT)
    await terminal.reading_keys()
    terminal.send(CTRL_C)
    await terminal.expect("(Ctrl-C again")
    await terminal.expect(PROMPT)  # drawn once the prompt reads keys again
    await terminal.reading_keys()
    terminal.send(CTRL_C)
    assert await terminal.wait_exit() == 0
    assert "you are mentor" not in terminal.output.split("whoami")[1]  # the dropped line never ran
