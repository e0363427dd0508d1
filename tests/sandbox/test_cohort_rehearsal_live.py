"""The cohort rehearsal (data/cohort-rehearsal.txt), run as a person runs it: twelve learners (seven
of them join the demo server) through three weeks of a cohort as its channel shows them, from the
admin's setup to week 3's prompts, and it runs to the end."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_rehearsal_live import next_monday, sandbox_script

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]
REHEARSAL = ROOT / "data" / "cohort-rehearsal.txt"


async def test_the_cohort_rehearsal_runs_three_weeks_to_the_end(tmp_path: Path) -> None:
    text = REHEARSAL.read_text(encoding="utf-8")
    assert "{next_monday}" in text
    out = await sandbox_script(tmp_path, text)  # exit 0 asserted there
    monday = next_monday()
    assert f"cohort_start:{monday.isoformat()} timezone:Africa/Lagos" in out  # the placeholder filled in
    for post in ("week one kickoff, due Monday", "week one reminder, due Thursday", "week one roundup, due Monday"):
        assert out.count(post) == 1, f"{post!r} shown {out.count(post)} times:\n{out}"
    # twelve learners: seven join, then all twelve announce (six backend, six frontend)
    for name, role in (("fola", "Backend"), ("gabe", "Frontend"), ("hana", "Backend"), ("ivan", "Frontend"),
                       ("jide", "Backend"), ("kemi", "Frontend"), ("lars", "Frontend")):
        assert f"{name} joined the server with the {role} role" in out
    assert "Week one, day 4: 12 projects announced so far (6 backend, 6 frontend)" in out
    assert "Week one roundup: 12 projects announced by the deadline (6 backend, 6 frontend)" in out
    # day 8: the round pairs the nine who waited (ada and ben are paired already), one stays waiting
    assert "automatic pairing round, due Monday" in out
    assert "🤝 Pairing round: 4 new pairs" in out  # the round's announcement in the channel
    assert "Still waiting" in out and "@esi (backend): nobody was left on the other side" in out
    # a pair formed by request (ada asked, ben accepted), and one request declined
    assert "@ben accepted your pairing request: you're paired" in out
    assert "🤝 @ada (backend) and @ben (frontend) are now a pair" in out
    assert "@diego declined your pairing request" in out
    # the leave, and the re-match by the next round
    assert "@ben ended your pair" in out
    assert "🤝 Pairing round: 2 new pairs" in out
    assert "private thread opened in #prodevprojectnexus: “Pair · esi & ben”" in out
    assert "private thread opened in #prodevprojectnexus: “Pair · ada & lars”" in out
    # the downtime, and the weekly prompts of weeks 2 and 3
    assert "caught up late on start" in out and "the bot is back" in out
    for week in (2, 3):
        assert f"Weekly prompt · program week {week}" in out
    lines = out.splitlines()
    assert not [line for line in lines if line.lstrip().startswith("✗")], out
    assert "Traceback" not in out and "failed on this line" not in out
