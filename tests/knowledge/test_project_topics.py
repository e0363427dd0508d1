"""The one answer to "which topics fit this project" (the thread, `/project show`, pairing's shared
topics): the knowledge base's names found in its stack and description, titles and aliases as
search matches them, the title's head as the name shown, single words left out of prose."""

import pytest

from bot.db import Database
from bot.knowledge.service import KnowledgeService
from bot.stores import stores_for

from ._support import SHIPPED_KNOWLEDGE

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def shipped(db: Database) -> KnowledgeService:
    knowledge = KnowledgeService(stores_for(db).knowledge, SHIPPED_KNOWLEDGE)  # SQLite and PostgreSQL
    await knowledge.sync()
    return knowledge


async def titles(knowledge, stack, description="", limit=None):
    return [hit.title for hit in await knowledge.project_topics(stack, description, None, limit)]


async def test_a_stack_names_its_topics_by_their_short_titles_in_its_order(shipped):
    assert await titles(shipped, "Django REST Framework, PostgreSQL, JWT") == [
        "REST API design", "PostgreSQL with Django", "JWT authentication"]


async def test_a_name_inside_a_longer_one_counts_only_as_the_longer(shipped):
    named = await titles(shipped, "Celery beat for the nightly emails")
    assert "Celery beat" in named and "Celery" not in named


async def test_prose_names_only_topics_of_two_words_or_more(shipped):
    prose = "The rest of the app caches results; Docker Compose runs it."
    assert await titles(shipped, "", prose) == ["Docker Compose"]
    assert "REST API design" in await titles(shipped, prose)  # as a stack it would count


async def test_the_stack_comes_first_and_nothing_twice(shipped):
    named = await titles(shipped, "JWT, Docker", "Login with JWT authentication, shipped with Docker Compose")
    assert named == ["JWT authentication", "Docker", "Docker Compose"]
    assert await titles(shipped, "JWT, Docker", "Docker Compose", limit=2) == ["JWT authentication", "Docker"]
