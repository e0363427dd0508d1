"""`python -m bot kb check|search|export|fixes`, called as `bot.knowledge.cli.run(argv)`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.knowledge.cli import run
from bot.knowledge.parsing import parse_topic
from bot.knowledge.search import CONFIDENT

from ._support import topic_markdown
from .conftest import WriteTopic


def test_check_passes_a_good_folder(kb_dir: Path, small_kb: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", "--dir", str(kb_dir)]) == 0
    assert capsys.readouterr().out == f"OK: 6 topics in {kb_dir}\n"


def test_check_prints_every_problem_as_file_colon_problem(
    kb_dir: Path, write_topic: WriteTopic, capsys: pytest.CaptureFixture[str]
) -> None:
    write_topic("celery", related=["celery-beat"], aliases=["tasks"])
    write_topic("rq", aliases=["Tasks"], category="Cooking")
    (kb_dir / "broken.md").write_text("no front matter\n", encoding="utf-8")
    assert run(["check", "--dir", str(kb_dir)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "broken.md: line 1: the file must start with front matter in '+++' lines" in lines
    assert "celery.md: related topic 'celery-beat' does not exist" in lines
    assert "rq.md: alias 'tasks' is already a slug or alias in celery.md" in lines
    assert any(line.startswith("rq.md: category 'Cooking' is not one of") for line in lines)


def test_check_of_a_missing_folder_fails(tmp_path: Path) -> None:
    assert run(["check", "--dir", str(tmp_path / "nowhere")]) == 1


def test_search_builds_a_fresh_database_and_prints_json_best_first(
    tmp_path: Path, kb_dir: Path, small_kb: None, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "fresh" / "kb.db"
    args = ["--json", "--limit", "3", "--db", str(db), "--dir", str(kb_dir)]
    assert run(["search", "periodic celery tasks", *args]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert db.exists()
    assert 0 < len(hits) <= 3 and set(hits[0]) == {"slug", "title", "score", "confidence"}
    assert hits[0]["slug"] == "celery-beat" and hits[0]["confidence"] == 1.0
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert all(h["confidence"] >= CONFIDENT for h in hits)


def test_search_of_something_no_topic_covers_says_so_with_the_closest_topics(
    tmp_path: Path, kb_dir: Path, small_kb: None, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--db", str(tmp_path / "kb.db"), "--dir", str(kb_dir)]
    assert run(["search", "photoshop remove the background of a photo", "--json", *args]) == 0
    assert json.loads(capsys.readouterr().out) == []
    # A misspelt name ("dockercompse") is no answer: "did you mean" it, and its topic is the closest.
    assert run(["search", "dockercompse", *args]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("No topic covers that yet (none holds enough of it, near enough in meaning). "
                        "Did you mean: Docker Compose: services, networks and healthchecks?")
    assert lines[1] == "Closest topics:"
    assert lines[2].startswith("1. docker-compose ")
    # A longer question Celery holds less of: no topic is close, and it says where to look.
    assert run(["search", "photoshop remove the background of a photo", *args]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "No topic is close to it either: see `/topic list`."


@pytest.mark.parametrize("query", ['"NEAR(celery OR', "", "🚀", "*", "-"])
def test_search_never_fails_on_odd_input(
    tmp_path: Path, kb_dir: Path, small_kb: None, query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["search", query, "--json", "--db", str(tmp_path / "kb.db"), "--dir", str(kb_dir)]) == 0
    assert isinstance(json.loads(capsys.readouterr().out), list)


def test_search_as_text_says_did_you_mean(
    tmp_path: Path, kb_dir: Path, small_kb: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["search", "dokcer compose", "--db", str(tmp_path / "kb.db"), "--dir", str(kb_dir)]) == 0
    out = capsys.readouterr().out
    assert "(showing results for: docker compose)" in out
    assert "1. docker-compose" in out


def test_search_uses_database_path_by_default(
    tmp_path: Path, kb_dir: Path, small_kb: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "from-env.db"))
    assert run(["search", "crontab", "--json", "--dir", str(kb_dir)]) == 0
    assert (tmp_path / "from-env.db").exists()
    assert json.loads(capsys.readouterr().out)[0]["slug"] == "celery-beat"


def test_export_writes_a_topic_file_that_parses(
    tmp_path: Path, kb_dir: Path, small_kb: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "celery.md"
    args = ["--db", str(tmp_path / "kb.db"), "--dir", str(kb_dir)]
    assert run(["export", "celery", "--out", str(out), *args]) == 0
    exported = parse_topic(out.read_text(encoding="utf-8"), "celery.md")
    assert exported == parse_topic((kb_dir / "celery.md").read_text(encoding="utf-8"), "celery.md")
    capsys.readouterr()
    assert run(["export", "celery", *args]) == 0
    assert capsys.readouterr().out == out.read_text(encoding="utf-8")
    assert run(["export", "no-such-topic", *args]) == 1


def test_a_bad_file_is_a_warning_for_search_not_a_failure(
    tmp_path: Path, kb_dir: Path, small_kb: None, capsys: pytest.CaptureFixture[str]
) -> None:
    (kb_dir / "broken.md").write_text(topic_markdown("broken").replace("## Summary", "## Sumary"), encoding="utf-8")
    assert run(["search", "celery", "--json", "--db", str(tmp_path / "kb.db"), "--dir", str(kb_dir)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)[0]["slug"] == "celery"
    assert "broken.md" in captured.err


async def _accept_a_fix(db_path: Path, kb_dir: Path) -> None:
    from bot.db import Database
    from bot.db.sqlite.knowledge import SqliteKnowledgeRepository
    from bot.knowledge.service import KnowledgeService

    db = await Database.open(db_path)
    try:
        service = KnowledgeService(SqliteKnowledgeRepository(db), kb_dir)
        await service.sync()
        fix = await service.suggest(1, 5, "Mention acks_late", "The retry part should say\nwhen acks_late matters.",
                                    "https://docs.celeryq.dev/en/stable/userguide/tasks.html", fix_for="celery")
        await service.suggest(1, 5, "A new topic", "Not a fix, so never listed.")
        await service.accept_fix(fix.id, 9, "Good catch")
    finally:
        await db.close()


def test_fixes_lists_the_accepted_fixes_for_the_maintainers(
    tmp_path: Path, kb_dir: Path, small_kb: None, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    args = ["--db", str(tmp_path / "kb.db"), "--dir", str(kb_dir)]
    assert run(["fixes", *args]) == 0
    assert capsys.readouterr().out == "No accepted fixes.\n"
    asyncio.run(_accept_a_fix(tmp_path / "kb.db", kb_dir))
    assert run(["fixes", *args]) == 0
    out = capsys.readouterr().out
    assert out.startswith("celery.md · fix #1 · accepted ")
    assert "  Mention acks_late\n    The retry part should say\n    when acks_late matters.\n" in out
    assert "links: https://docs.celeryq.dev/en/stable/userguide/tasks.html" in out
    assert "moderator's note: Good catch" in out and "A new topic" not in out
