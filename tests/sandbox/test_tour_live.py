"""The guided tour (data/sandbox-demo.txt), run as a person runs it: its cohort starts relative to
the day it runs, so the tour always shows the whole of week one, whatever today is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console
from test_rehearsal_live import sandbox_script

from sandbox.console import SandboxConsole
from sandbox.standin import StandIn

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "data" / "sandbox-demo.txt"


async def test_the_tour_starts_its_cohort_next_monday_and_shows_all_of_week_one(tmp_path: Path) -> None:
    text = TOUR.read_text(encoding="utf-8")
    assert "2026-12-01" not in text and "{next_monday}" in text
    out = await sandbox_script(tmp_path, text)
    today = datetime.now(UTC).date()
    monday = today + timedelta(days=7 - today.weekday())
    assert f"cohort_start:{monday.isoformat()} timezone:Africa/Lagos" in out  # the line as run, dates filled in
    assert f"» clock {(monday + timedelta(days=7)).isoformat()}T12:00" in out
    moved = out[out.index("» clock 2"):]
    for post in ("week one kickoff, due Monday", "week one reminder, due Thursday", "week one roundup, due Monday",
                 "automatic pairing round, due Monday"):
        assert moved.count(post) == 1, f"{post!r} shown {moved.count(post)} times:\n{moved}"
    assert "Week one starts today" in moved


async def test_an_unknown_placeholder_is_one_error_line(tmp_path: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text("clock {next_friday}\n", encoding="utf-8")
    async with StandIn() as standin:
        console = SandboxConsole(standin, output=Console(file=StringIO()))
        assert await console.run_script(script) == 1
    assert console.errors == ["s.txt:1: unknown placeholder {next_friday}; scripts know {next_monday} and "
                              "{next_monday+N} (N days later)"]
