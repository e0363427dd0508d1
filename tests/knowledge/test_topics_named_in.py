"""The knowledge base's names found in a project's text (pairing's shared topics): titles and aliases
as search matches them, the title's head as the name shown, and single words left out of prose."""

import pytest

from bot.db import Database
from bot.knowledge.service import KnowledgeService

from ._support import SHIPPED_KNOWLEDGE

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def shipped(db: Database) -> KnowledgeService:
    knowledge = KnowledgeService(db, SHIPPED_KNOWLEDGE)
    await knowledge.sync()
    return knowledge


async def test_a_stack_names_its_topics_by_their_short_titles(shipped):
    named = set((await shipped.topics_named_in("Django REST Framework, PostgreSQL, JWT")).values())
    assert named == {"REST API design", "PostgreSQL with Django", "JWT authentication"}


async def test_a_name_inside_a_longer_one_counts_only_as_the_longer(shipped):
    named = set((await shipped.topics_named_in("Celery beat for the nightly emails")).values())
    assert "Celery beat" in named and "Celery" not in named


async def test_prose_names_only_topics_of_two_words_or_more(shipped):
    prose = "The rest of the app caches results; Docker Compose runs it."
    assert set((await shipped.topics_named_in(prose, min_words=2)).values()) == {"Docker Compose"}
    assert "REST API design" in (await shipped.topics_named_in(prose)).values()  # as a stack it would count
