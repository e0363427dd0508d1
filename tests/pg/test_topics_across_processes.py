"""Two processes' knowledge bases on one PostgreSQL: each keeps its search in memory, and a topic
one approves, unpublishes or syncs from the files is searchable (or gone) in the other within a
second, told through LISTEN/NOTIFY, without a restart."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import replace
from pathlib import Path

import asyncpg
import pytest

from bot.db.postgres import PostgresDatabase
from bot.knowledge.service import KnowledgeService
from bot.stores import stores_for
from tests.knowledge._support import REPO, Clock, topic_markdown

pytestmark = pytest.mark.asyncio

GUILD, MEMBER, MODERATOR = 111, 5, 9
WITHIN = 1.0  # seconds: "within a second"


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "knowledge"
    folder.mkdir(parents=True)
    shutil.copy(REPO / "data" / "tracks.toml", folder.parent / "tracks.toml")
    (folder / "celery.md").write_text(topic_markdown("celery", title="Celery: background tasks and workers"),
                                      encoding="utf-8")
    return folder


@pytest.fixture
async def two_processes(pg_url, kb_dir):
    """Two knowledge services, each on its own pool (two processes), both started as the bot starts
    them: synced, prepared, watching."""
    services, dbs = [], []
    for _ in range(2):
        db = await PostgresDatabase.open(pg_url)
        dbs.append(db)
        service = KnowledgeService(stores_for(db).knowledge, kb_dir, clock=Clock())
        await service.sync()
        await service.prepare()
        await service.watch()
        services.append(service)
    yield services
    for service, db in zip(services, dbs, strict=True):
        await service.close()
        await db.close()


async def soon(check, within: float = WITHIN) -> float:
    """How long until `check()` holds (an async predicate); fails past `within` seconds."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not await check():
        if loop.time() - started > within:
            pytest.fail(f"not seen by the other process within {within} s")
        await asyncio.sleep(0.02)
    return loop.time() - started


async def slugs(service: KnowledgeService, query: str) -> list[str]:
    return [hit.slug for hit in await service.search(query, GUILD, remember=False)]


async def test_an_approval_in_one_process_is_searchable_in_the_other_within_a_second(two_processes):
    first, second = two_processes
    assert "websocket-keepalive" not in await slugs(second, "websocket keepalive")
    suggestion = await first.suggest(
        GUILD, MEMBER, "WebSocket keepalive",
        "Why a websocket connection drops after a minute behind nginx, and how ping/pong frames keep it alive.",
        "https://websockets.readthedocs.io/en/stable/topics/keepalive.html")
    draft = replace(await first.approval_draft(suggestion, MODERATOR), key_points="Send a ping every 20 s")
    topic = (await first.approve(suggestion.id, MODERATOR, draft, guild_id=GUILD)).topic
    assert topic is not None and topic.slug == "websocket-keepalive"

    async def found() -> bool:
        return "websocket-keepalive" in await slugs(second, "websocket keepalive")
    await soon(found)
    assert (await second.get("websocket-keepalive", GUILD)) is not None

    await first.unpublish("websocket-keepalive", GUILD)

    async def gone() -> bool:
        return "websocket-keepalive" not in await slugs(second, "websocket keepalive")
    await soon(gone)
    assert await second.get("websocket-keepalive", GUILD) is None  # not kept in memory either


async def test_a_sync_of_a_changed_file_in_one_process_is_searchable_in_the_other(two_processes, kb_dir):
    first, second = two_processes
    (kb_dir / "redis.md").write_text(topic_markdown("redis", title="Redis caching and expiry"), encoding="utf-8")
    report = await first.sync()
    assert report.changed

    async def found() -> bool:
        return "redis" in await slugs(second, "redis caching")
    await soon(found)


async def test_a_process_does_not_read_again_what_it_changed_itself(two_processes):
    """Its own notification is ignored: it already read the change where it made it."""
    first, second = two_processes
    prepared = {id(first): 0, id(second): 0}

    def counter(service):
        async def count() -> None:
            prepared[id(service)] += 1
        return count
    first.on_prepared(counter(first))
    second.on_prepared(counter(second))
    suggestion = await first.suggest(GUILD, MEMBER, "WebSocket keepalive",
                                     "Why a websocket drops after a minute behind nginx, and ping/pong frames.",
                                     "https://websockets.readthedocs.io/en/stable/topics/keepalive.html")
    draft = replace(await first.approval_draft(suggestion, MODERATOR), key_points="Send a ping every 20 s")
    await first.approve(suggestion.id, MODERATOR, draft, guild_id=GUILD)

    async def second_read_again() -> bool:
        return prepared[id(second)] == 1
    await soon(second_read_again)
    await asyncio.sleep(0.2)  # time for a notification of its own to arrive, were it not ignored
    assert prepared == {id(first): 1, id(second): 1}


async def test_after_its_listening_connection_was_lost_a_process_reads_the_topics_again(two_processes, pg_url):
    """A notification sent while the connection was down is lost: once connected again the process
    reads the topics anyway, so the change made meanwhile is searchable."""
    first, second = two_processes
    admin = await asyncpg.connect(pg_url)
    try:
        # Both processes' listeners: the first's does not matter here, and it makes the loss sure.
        ended = await admin.fetch("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE application_name = 'nexus-listen' AND datname = current_database()")
        assert len(ended) == 2
    finally:
        await admin.close()
    suggestion = await first.suggest(GUILD, MEMBER, "WebSocket keepalive",
                                     "Why a websocket drops after a minute behind nginx, and ping/pong frames.",
                                     "https://websockets.readthedocs.io/en/stable/topics/keepalive.html")
    draft = replace(await first.approval_draft(suggestion, MODERATOR), key_points="Send a ping every 20 s")
    await first.approve(suggestion.id, MODERATOR, draft, guild_id=GUILD)

    async def found() -> bool:
        return "websocket-keepalive" in await slugs(second, "websocket keepalive")
    await soon(found, within=5.0)  # the first retry comes after LISTEN_RETRY_SECONDS
