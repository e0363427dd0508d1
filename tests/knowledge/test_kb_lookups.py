"""The lookup log and `/topic stats`: what a server looked up, and what found nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.db import Database
from bot.knowledge.service import KnowledgeService

from ._support import Clock

GUILD, OTHER_GUILD = 111, 222


async def topic_id(service: KnowledgeService, slug: str) -> int:
    topic = await service.get(slug)
    assert topic is not None and topic.id is not None
    return topic.id


async def test_stats_count_topics_and_queries_that_found_nothing(loaded: KnowledgeService, clock: Clock) -> None:
    celery, beat = await topic_id(loaded, "celery"), await topic_id(loaded, "celery-beat")
    start = clock.now
    clock.advance(days=-30)
    await loaded.log_lookup(GUILD, "celery", celery)  # before the window
    clock.now = start
    for _ in range(3):
        await loaded.log_lookup(GUILD, "my task runs twice", celery)
    await loaded.log_lookup(GUILD, "crontab", beat)
    await loaded.log_lookup(GUILD, "Kubernetes", None)
    await loaded.log_lookup(GUILD, "kubernetes", None)
    await loaded.log_lookup(GUILD, "helm charts", None)
    await loaded.log_lookup(OTHER_GUILD, "celery", celery)
    await loaded.log_lookup(OTHER_GUILD, "terraform", None)

    stats = await loaded.stats(GUILD, start - timedelta(days=7))
    assert stats.total_lookups == 7
    assert [(t.slug, t.lookups) for t in stats.top_topics] == [("celery", 3), ("celery-beat", 1)]
    assert [(q.query.lower(), q.lookups) for q in stats.unanswered] == [("kubernetes", 2), ("helm charts", 1)]

    other = await loaded.stats(OTHER_GUILD, start - timedelta(days=7))
    assert [t.slug for t in other.top_topics] == ["celery"]
    assert [q.query for q in other.unanswered] == ["terraform"]


async def test_a_lookup_stores_the_query_and_nothing_of_the_member(loaded: KnowledgeService, db: Database) -> None:
    await loaded.log_lookup(GUILD, "  why   is\nmy celery\ttask slow " + "x" * 500, None)
    await loaded.write_lookups()
    row = await db.fetchone("SELECT * FROM topic_lookups")
    assert row is not None
    assert set(row.keys()) == {"id", "guild_id", "query", "topic_id", "looked_up_at"}
    assert row["query"].startswith("why is my celery task slow x") and len(row["query"]) == 200
    assert row["looked_up_at"] == "2026-11-02T09:00:00+00:00"


async def test_lookups_of_an_unpublished_topic_still_count(loaded: KnowledgeService, kb_dir, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    await loaded.log_lookup(GUILD, "crontab", await topic_id(loaded, "celery-beat"))
    (kb_dir / "celery-beat.md").unlink()
    await loaded.sync()
    stats = await loaded.stats(GUILD, clock.now - timedelta(days=1))
    assert [t.slug for t in stats.top_topics] == ["celery-beat"]


async def test_listing_categories_and_a_random_topic(loaded: KnowledgeService) -> None:
    assert await loaded.categories() == ["APIs", "Databases", "Async & messaging", "Caching", "DevOps"]
    listed = await loaded.list_topics("async & MESSAGING")
    assert [t.slug for t in listed] == ["celery-beat", "celery"]
    assert len(await loaded.list_topics()) == 6
    assert (await loaded.random_topic()) is not None
    celery = await loaded.get("CELERY")
    assert celery is not None
    assert [t.slug for t in await loaded.related_topics(celery)] == ["celery-beat", "redis-caching"]


async def test_lookups_not_yet_written_are_written_when_the_bot_stops(loaded: KnowledgeService, db: Database) -> None:
    await loaded.log_lookup(GUILD, "celery", None)
    await loaded.log_lookup(GUILD, "kubernetes", None)
    await loaded.close()  # what the bot does when it stops
    rows = await db.fetchall("SELECT query FROM topic_lookups ORDER BY id")
    assert [row["query"] for row in rows] == ["celery", "kubernetes"]


async def test_lookups_are_written_behind_within_a_second(loaded: KnowledgeService, db: Database) -> None:
    await loaded.log_lookup(GUILD, "celery", None)
    for _ in range(250):  # no one reads the log: the write comes on its own, WRITE_DELAY later
        if await db.fetchall("SELECT query FROM topic_lookups"):
            break
        await asyncio.sleep(0.02)
    assert [row["query"] for row in await db.fetchall("SELECT query FROM topic_lookups")] == ["celery"]
