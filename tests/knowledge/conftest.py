"""Fixtures for the knowledge-base tests: a topic folder in a temporary `data/`, topic files written
from a few keywords, and a `KnowledgeService` on a real SQLite file."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.db import Database
from bot.knowledge.service import KnowledgeService
from bot.stores import stores_for

from ._support import REPO, Clock, topic_markdown

WriteTopic = Callable[..., Path]


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """An empty `data/knowledge/` beside a copy of the real `data/tracks.toml`."""
    folder = tmp_path / "data" / "knowledge"
    folder.mkdir(parents=True)
    shutil.copy(REPO / "data" / "tracks.toml", folder.parent / "tracks.toml")
    return folder


@pytest.fixture
def write_topic(kb_dir: Path) -> WriteTopic:
    def write(slug: str, **fields: object) -> Path:
        path = kb_dir / f"{slug}.md"
        path.write_text(topic_markdown(slug, **fields), encoding="utf-8")  # type: ignore[arg-type]
        return path

    return write


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def db(engine_db):  # each test runs on SQLite and on PostgreSQL (tests/engines.py)
    return engine_db


@pytest.fixture
def service(db: Database, kb_dir: Path, clock: Clock) -> KnowledgeService:
    return KnowledgeService(stores_for(db).knowledge, kb_dir, clock=clock)


@pytest.fixture
def small_kb(write_topic: WriteTopic) -> None:
    """Six topics whose names and texts overlap the way real ones do."""
    write_topic(
        "celery",
        title="Celery: background tasks and workers",
        category="Async & messaging",
        aliases=["celery worker", "background tasks", "delay"],
        related=["celery-beat", "redis-caching"],
        summary="Celery runs slow work outside the request: a task is queued and a worker process runs it.",
        challenges=[
            ("My task runs twice", "With acks_late and a visibility timeout shorter than the task, the broker "
                                   "hands it out again. Make tasks idempotent."),
            ("The worker never picks up my task", "Check that the worker imports the module with the task."),
        ],
    )
    write_topic(
        "celery-beat",
        title="Celery beat: periodic tasks",
        category="Async & messaging",
        aliases=["periodic tasks", "crontab", "scheduled tasks"],
        related=["celery"],
        summary="Celery beat is the scheduler that sends tasks to the queue on a timetable.",
    )
    write_topic(
        "redis-caching",
        title="Redis caching",
        category="Caching",
        aliases=["redis cache", "cache aside"],
        summary="Redis keeps hot data in memory. It can also be the broker that Celery uses, which is a "
                "different job from caching.",
        key_ideas=["Cache-aside: read the cache, fall back to the database, write the cache.",
                   "Every key gets a TTL."],
    )
    write_topic(
        "api-pagination",
        title="API pagination",
        category="APIs",
        aliases=["cursor pagination", "paginate", "page_size"],
        summary="Return large lists in pages: page number, limit/offset or cursor based.",
    )
    write_topic(
        "orm-query-optimization",
        title="ORM query optimization",
        aliases=["select_related", "prefetch_related", "n+1 queries"],
        summary="The N+1 problem: one query for the list, then one more per row for each relation.",
    )
    write_topic(
        "docker-compose",
        title="Docker Compose: services, networks and healthchecks",
        category="DevOps",
        aliases=["compose", "depends_on"],
        related=["celery"],
        summary="Compose starts the web app, the database, Redis and a Celery worker together.",
        challenges=[
            ("The app starts before postgres is ready", "Give the db service a healthcheck and use "
                                                        "depends_on with condition: service_healthy."),
            ("Containers cannot reach each other on localhost", "Use the service name as the host name."),
        ],
    )


@pytest.fixture
async def loaded(service: KnowledgeService, small_kb: None) -> KnowledgeService:
    report = await service.sync()
    assert not report.errors, report.errors
    return service
