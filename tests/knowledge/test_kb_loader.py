"""Syncing the topic folder into SQLite: idempotent, only what changed, removed files unpublished,
bad files reported and skipped, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import Database
from bot.knowledge.service import KnowledgeService
from bot.stores import stores_for

from ._support import Clock, topic_markdown
from .conftest import WriteTopic

SLUGS = ["api-pagination", "celery", "celery-beat", "docker-compose", "orm-query-optimization", "redis-caching"]


async def stored(db: Database) -> dict[str, tuple[str, str, int]]:
    rows = await db.fetchall("SELECT slug, content_hash, updated_at, published FROM knowledge_topics")
    return {r["slug"]: (r["content_hash"], r["updated_at"], r["published"]) for r in rows}


async def indexed(db: Database) -> int:
    row = await db.fetchone("SELECT COUNT(*) FROM knowledge_fts")
    assert row is not None
    return int(row[0])


async def test_first_sync_adds_every_file(service: KnowledgeService, small_kb: None, db: Database) -> None:
    report = await service.sync()
    assert sorted(report.added) == SLUGS
    assert report.errors == [] and report.warnings == []
    assert await indexed(db) == len(SLUGS)
    assert report.summary() == "6 added, 0 updated, 0 unchanged, 0 unpublished, 0 skipped with errors"


async def test_a_second_sync_rewrites_nothing(
    service: KnowledgeService, small_kb: None, db: Database, clock: Clock
) -> None:
    await service.sync()
    before = await stored(db)
    clock.advance(hours=1)
    report = await service.sync()
    assert sorted(report.unchanged) == SLUGS
    assert not report.changed and report.added == report.updated == report.unpublished == []
    assert await stored(db) == before  # same hashes, same updated_at: no row was written
    assert await indexed(db) == len(SLUGS)


async def test_a_changed_file_is_updated_and_searchable_at_once(
    service: KnowledgeService, small_kb: None, write_topic: WriteTopic, db: Database
) -> None:
    await service.sync()
    write_topic("redis-caching", title="Redis caching", category="Caching",
                summary="Memoize expensive lookups with a time to live; mention of flamingos.")
    report = await service.sync()
    assert report.updated == ["redis-caching"]
    assert len(report.unchanged) == len(SLUGS) - 1
    assert [h.slug for h in await service.search("memoize expensive lookups")] == ["redis-caching"]
    assert "redis-caching" not in [h.slug for h in await service.search("ttl")]  # the old text is gone
    topic = await service.get("redis-caching")
    assert topic is not None and "flamingos" in topic.summary
    assert await indexed(db) == len(SLUGS)


async def test_a_removed_file_is_unpublished_and_comes_back_with_its_file(
    service: KnowledgeService, small_kb: None, kb_dir: Path, db: Database
) -> None:
    await service.sync()
    text = (kb_dir / "celery-beat.md").read_text(encoding="utf-8")
    (kb_dir / "celery-beat.md").unlink()
    report = await service.sync()
    assert report.unpublished == ["celery-beat"]
    assert await service.get("celery-beat") is None
    assert "celery-beat" not in [h.slug for h in await service.search("periodic crontab")]
    assert "celery-beat" not in [h.slug for h in await service.autocomplete("celery b")]
    assert (await stored(db))["celery-beat"][2] == 0  # kept, unpublished: lookups that point at it stay valid

    (kb_dir / "celery-beat.md").write_text(text, encoding="utf-8")
    report = await service.sync()
    assert report.updated == ["celery-beat"]
    assert (await service.search("crontab"))[0].slug == "celery-beat"


async def test_a_malformed_file_is_reported_and_skipped_while_the_rest_load(
    service: KnowledgeService, small_kb: None, kb_dir: Path
) -> None:
    (kb_dir / "broken.md").write_text('+++\nslug = "broken\n+++\n', encoding="utf-8")
    (kb_dir / "too-long.md").write_text(topic_markdown("too-long", summary="x " * 600), encoding="utf-8")
    (kb_dir / "latin1.md").write_bytes("+++\ntitle = 'caf\xe9'\n".encode("latin-1"))
    report = await service.sync()
    assert sorted(report.added) == SLUGS
    problems = {p.file: p.problem for p in report.errors}
    assert set(problems) == {"broken.md", "too-long.md", "latin1.md"}
    assert "not valid TOML" in problems["broken.md"]
    assert "Summary" in problems["too-long.md"] and "1024" in problems["too-long.md"]
    assert problems["latin1.md"] == "is not UTF-8 text"
    assert await service.get("broken") is None


async def test_a_file_broken_after_loading_keeps_its_last_good_version(
    service: KnowledgeService, small_kb: None, kb_dir: Path
) -> None:
    await service.sync()
    (kb_dir / "celery.md").write_text("+++\nnot toml at all\n+++\n", encoding="utf-8")
    report = await service.sync()
    assert [p.file for p in report.errors] == ["celery.md"]
    assert report.unpublished == []
    assert (await service.search("celery worker"))[0].slug == "celery"


async def test_a_missing_folder_changes_nothing(db: Database, small_kb: None, kb_dir: Path, clock: Clock) -> None:
    await KnowledgeService(stores_for(db).knowledge, kb_dir, clock=clock).sync()
    report = await KnowledgeService(stores_for(db).knowledge, kb_dir.parent / "nowhere", clock=clock).sync()
    assert report.errors and "does not exist" in report.errors[0].problem
    assert report.unpublished == []
    assert await KnowledgeService(stores_for(db).knowledge, kb_dir, clock=clock).get("celery") is not None


async def test_a_folder_that_cannot_be_listed_changes_nothing(
    db: Database, small_kb: None, kb_dir: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder whose listing fails (permissions, a mount gone) is no folder of no topics: nothing is
    unpublished, and the report says why. (`Path.glob`, used before, listed such a folder as empty.)"""
    from bot.knowledge import loader

    await KnowledgeService(stores_for(db).knowledge, kb_dir, clock=clock).sync()

    def refused(path: object) -> object:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(loader.os, "scandir", refused)
    report = await KnowledgeService(stores_for(db).knowledge, kb_dir, clock=clock).sync()
    assert report.errors and "Permission denied" in report.errors[0].problem
    assert report.unpublished == []
    monkeypatch.undo()
    assert await KnowledgeService(stores_for(db).knowledge, kb_dir, clock=clock).get("celery") is not None


async def test_names_shared_across_files_and_unknown_related_are_warnings(
    service: KnowledgeService, write_topic: WriteTopic
) -> None:
    write_topic("celery", aliases=["task queue"], related=["celery-beat", "no-such-topic"])
    write_topic("rq", aliases=["Task Queue"])
    report = await service.sync()
    assert sorted(report.added) == ["celery", "rq"]
    warnings = {str(w) for w in report.warnings}
    assert "celery.md: related topic 'no-such-topic' does not exist" in warnings
    assert "celery.md: related topic 'celery-beat' does not exist" in warnings
    assert any(w.startswith("rq.md: alias 'Task Queue' is also a name of 'celery'") for w in warnings)


async def test_a_failing_database_is_reported_not_raised(
    service: KnowledgeService, small_kb: None, db: Database
) -> None:
    await db.close()  # every statement now fails
    report = await service.sync()
    assert report.errors and "sync failed" in report.errors[0].problem
    assert not report.changed
