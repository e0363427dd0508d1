"""`python -m bot sandbox --processes 2`: the guided script data/sandbox-two-processes.txt run as a
person runs it, and what they read: each server's process answering there, a pair requested in the
shard-1 server and accepted from a DM (shard 0's) forming one pair with its thread, and week one's
posts made once in each server by that server's own process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_rehearsal_live import sandbox_script

from bot.__main__ import main
from bot.shards import shard_of
from sandbox.standin.demo import build_demo_guild, build_second_demo_guild

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "data" / "sandbox-two-processes.txt"
FIRST, SECOND = "ProDev Nexus (sandbox)", "ProDev Nexus 2 (sandbox)"
ONE, TWO = "[process 1 · shard 0]", "[process 2 · shard 1]"
WEEK_ONE = ("week one kickoff", "week one reminder", "week one roundup", "weekly prompt monday-goals, due Monday, 7",
            "weekly prompt wednesday-check", "weekly prompt friday-show-and-tell")


def after(out: str, line: str) -> str:
    """What the script printed for `line` (from its echo to the next one's)."""
    start = out.index(f"» {line}\n")
    end = out.find("\n» ", start + 1)
    return out[start:end if end >= 0 else None]


@pytest.mark.asyncio
async def test_two_processes_each_answer_in_their_server_and_share_a_pair_and_week_one(tmp_path: Path) -> None:
    out = await sandbox_script(tmp_path, SCRIPT.read_text(encoding="utf-8"), "--processes", "2")
    assert "✗" not in out, out
    assert out.startswith(f"Two Nexus processes, one database, one clock: process 1 holds shard 0 of 2 ({FIRST} and "
                          f"every DM); process 2 holds shard 1 of 2 ({SECOND}).")
    # Each server's setup is answered, and its welcome posted, by the process holding its shard.
    setups = [m.start() for m in re.finditer(r"» /nexus setup ", out)]
    first, second = out[setups[0]:setups[1]], out[setups[1]:out.index("» as tunde")]
    assert f"nexus {ONE} · replied" in first and f"{FIRST} › #prodevprojectnexus · nexus {ONE}" in first
    assert f"nexus {TWO} · replied" in second and f"{SECOND} › #prodevprojectnexus · nexus {TWO}" in second
    assert TWO not in first and ONE not in second
    # The request is made in the shard-1 server: process 2 answers and sends the DM.
    assert f"nexus {TWO} · replied" in after(out, "/pair request member:tunde")
    # The accept is pressed in a DM, which reaches shard 0 only: process 1 answers it, forms the pair and
    # opens its thread in the second server; one pair, one thread, one note in the channel.
    accepted = after(out, "press Accept")
    assert f"nexus {ONE} · updated the message" in accepted and "you're paired" in accepted
    assert out.count("private thread opened") == 1
    assert (f"{ONE} private thread opened in {SECOND} › #prodevprojectnexus: “Pair · kemi & tunde” "
            "(members: nexus, kemi, tunde)") in accepted
    assert out.count("are now a pair") == 2  # the note as it is posted, then in the `channel` listing
    assert f"{SECOND} › #prodevprojectnexus · nexus {ONE} · pings @kemi, @tunde" in accepted
    assert "1 thread the bot opened" in after(out, "threads")
    # Process 2, which prepared the server's learners before, knows the pair (PostgreSQL's NOTIFY).
    found = out[out.index("» /pair find", out.index("» press Accept")):]
    assert f"nexus {TWO} · replied" in found[:400] and "You're already paired with @kemi" in found
    # Week one: each post once in each server, made by that server's process.
    moved = out[out.index("» clock "):out.index("\n» channel")]
    headers = [line for line in moved.splitlines() if line.startswith("ProDev Nexus")]
    for post in WEEK_ONE:
        made = [line for line in headers if f"· {post}" in line]
        assert len(made) == 2, (post, made)
        assert sum(line.startswith(f"{FIRST} › ") and f"nexus {ONE}" in line for line in made) == 1, made
        assert sum(line.startswith(f"{SECOND} › ") and f"nexus {TWO}" in line for line in made) == 1, made
    assert all((ONE in line) == line.startswith(f"{FIRST} ›") for line in headers), headers


def test_the_second_demo_server_is_on_shard_1_with_the_same_bot_and_its_own_people() -> None:
    first, second = build_demo_guild(), build_second_demo_guild()
    assert (shard_of(first.id, 2), shard_of(second.id, 2)) == (0, 1)
    assert first.bot_member.id == second.bot_member.id
    assert not {m.name for m in first.members if not m.bot} & {m.name for m in second.members if not m.bot}
    assert [c.name for c in first.channels] == [c.name for c in second.channels]
    assert [r.name for r in first.roles] == [r.name for r in second.roles]


@pytest.mark.parametrize(("args", "said"), [
    (["--processes", "3"], "nexus: --processes: 1 (one bot) or 2 (two bot processes on two shards), not '3'"),
    (["--processes", "two"], "nexus: --processes: 1 (one bot) or 2 (two bot processes on two shards), not 'two'"),
    (["--processes", "2", "--db", "x.db"], "nexus: --db keeps a SQLite database, which is one process's; "
                                           "--processes 2 runs both processes on a throwaway PostgreSQL: give one "
                                           "or the other"),
])
def test_a_bad_processes_argument_is_one_line_and_exit_2(args, said, capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    assert main(["sandbox", *args]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [said]
