"""Suggestions: a member proposes, a moderator approves (searchable at once, in that server only)
or rejects; an approved topic exports as a topic file that parses back to it."""

from __future__ import annotations

import re

import pytest

from bot.errors import UserError
from bot.knowledge.export import export_markdown
from bot.knowledge.model import Link
from bot.knowledge.parsing import parse_topic
from bot.knowledge.service import KnowledgeService

from ._support import SHIPPED_KNOWLEDGE
from .conftest import WriteTopic

GUILD, OTHER_GUILD = 111, 222
MEMBER, MODERATOR = 5, 9


async def suggest_websockets(service: KnowledgeService, guild: int = GUILD, title: str = "WebSocket heartbeats"):  # type: ignore[no-untyped-def]
    return await service.suggest(
        guild,
        MEMBER,
        title,
        "Why a websocket connection drops after a minute behind nginx, and how ping/pong frames keep it alive.",
        "https://websockets.readthedocs.io/en/stable/topics/keepalive.html and see "
        "https://nginx.org/en/docs/http/websocket.html.",
    )


async def test_a_suggestion_waits_for_review_in_its_server(loaded: KnowledgeService) -> None:
    suggestion = await suggest_websockets(loaded)
    assert suggestion.status == "pending" and suggestion.author_id == MEMBER
    assert [s.id for s in await loaded.pending_suggestions(GUILD)] == [suggestion.id]
    assert await loaded.pending_suggestions(OTHER_GUILD) == []
    assert await loaded.search("websocket heartbeats", GUILD) == []  # not before approval


async def test_approval_makes_it_searchable_at_once_in_that_server_only(loaded: KnowledgeService) -> None:
    suggestion = await suggest_websockets(loaded)
    topic = await loaded.approve(suggestion.id, MODERATOR, guild_id=GUILD)
    assert topic.slug == "websocket-heartbeats"
    assert topic.guild_id == GUILD and topic.source == "suggested" and topic.id is not None
    assert topic.summary.startswith("Why a websocket connection drops")
    assert topic.further_reading == (
        Link("websockets.readthedocs.io/en/stable/topics/keepalive.html",
             "https://websockets.readthedocs.io/en/stable/topics/keepalive.html"),
        Link("nginx.org/en/docs/http/websocket.html", "https://nginx.org/en/docs/http/websocket.html"),
    )

    assert (await loaded.search("websocket heartbeats", GUILD))[0].slug == "websocket-heartbeats"
    assert (await loaded.search("ping pong frames", GUILD))[0].slug == "websocket-heartbeats"
    assert (await loaded.autocomplete("websock", GUILD))[0].slug == "websocket-heartbeats"
    assert (await loaded.get("websocket-heartbeats", GUILD)) == topic

    for elsewhere in (OTHER_GUILD, None):
        assert "websocket-heartbeats" not in [h.slug for h in await loaded.search("websocket heartbeats", elsewhere)]
        assert "websocket-heartbeats" not in [h.slug for h in await loaded.autocomplete("websock", elsewhere)]
        assert await loaded.get("websocket-heartbeats", elsewhere) is None
        assert "websocket-heartbeats" not in [t.slug for t in await loaded.list_topics(guild_id=elsewhere)]
    assert await loaded.pending_suggestions(GUILD) == []


async def test_curated_topics_stay_visible_everywhere(loaded: KnowledgeService) -> None:
    for guild in (GUILD, OTHER_GUILD, None):
        assert (await loaded.search("celery", guild))[0].slug == "celery"


async def test_slugs_are_made_unique(loaded: KnowledgeService) -> None:
    first = await loaded.approve((await suggest_websockets(loaded)).id, MODERATOR)
    second = await loaded.approve((await suggest_websockets(loaded, OTHER_GUILD)).id, MODERATOR)
    curated_clash = await loaded.approve((await suggest_websockets(loaded, title="Celery")).id, MODERATOR)
    assert (first.slug, second.slug, curated_clash.slug) == (
        "websocket-heartbeats", "websocket-heartbeats-2", "celery-2"
    )
    odd = await loaded.approve((await suggest_websockets(loaded, title="Ünïcode & 🚀 émojis!!")).id, MODERATOR)
    assert odd.slug == "unicode-emojis"


async def test_a_suggestion_is_reviewed_once(loaded: KnowledgeService) -> None:
    suggestion = await suggest_websockets(loaded)
    await loaded.approve(suggestion.id, MODERATOR)
    with pytest.raises(UserError, match="already approved"):
        await loaded.approve(suggestion.id, MODERATOR)
    with pytest.raises(UserError, match="already approved"):
        await loaded.reject(suggestion.id, MODERATOR)


async def test_another_servers_suggestion_cannot_be_reviewed(loaded: KnowledgeService) -> None:
    suggestion = await suggest_websockets(loaded)
    with pytest.raises(UserError, match="no longer exists"):
        await loaded.approve(suggestion.id, MODERATOR, guild_id=OTHER_GUILD)
    with pytest.raises(UserError, match="no longer exists"):
        await loaded.reject(12345, MODERATOR)


async def test_rejection_publishes_nothing(loaded: KnowledgeService) -> None:
    suggestion = await suggest_websockets(loaded)
    rejected = await loaded.reject(suggestion.id, MODERATOR, guild_id=GUILD)
    assert rejected.status == "rejected" and rejected.reviewer_id == MODERATOR
    assert await loaded.search("websocket heartbeats", GUILD) == []
    assert await loaded.pending_suggestions(GUILD) == []


@pytest.mark.parametrize(
    ("title", "explanation", "links", "message"),
    [
        ("ab", "A long enough explanation.", "", "title needs 3 to 100"),
        ("T" * 101, "A long enough explanation.", "", "title needs 3 to 100"),
        ("Websockets", "short", "", "10 to 1000"),
        ("Websockets", "x" * 1001, "", "10 to 1000"),
        ("Websockets", "A long enough explanation.", "see the docs", "no http(s) link"),
        ("Websockets", "A long enough explanation.", "https://a.example/" + "x" * 1000, "at most 1000"),
    ],
)
async def test_a_suggestion_is_checked(
    loaded: KnowledgeService, title: str, explanation: str, links: str, message: str
) -> None:
    with pytest.raises(UserError, match=re.escape(message)):
        await loaded.suggest(GUILD, MEMBER, title, explanation, links)


async def test_an_approved_topic_exports_as_a_file_that_parses_back(loaded: KnowledgeService) -> None:
    suggestion = await loaded.suggest(
        GUILD, MEMBER, 'Quotes "and" back\\slashes',
        "# Not a heading\n\n- not a bullet either\n\n\nA paragraph that\nwraps, with `code` and ünïcode.",
        "https://docs.python.org/3/library/asyncio.html",
    )
    topic = await loaded.approve(suggestion.id, MODERATOR)
    exported = await loaded.topic_to_export(topic.slug)
    assert exported is not None
    parsed = parse_topic(export_markdown(exported), f"{topic.slug}.md")
    stored_fields = {k: v for k, v in exported.__dict__.items() if k not in ("id", "guild_id", "source")}
    assert {k: v for k, v in parsed.__dict__.items() if k in stored_fields} == stored_fields
    assert parsed.category in ("Python", "Async & messaging", "Collaboration", "Caching", "APIs", "DevOps",
                               "Databases")


def test_every_shipped_topic_round_trips_through_export() -> None:
    for path in SHIPPED_KNOWLEDGE.glob("*.md"):
        topic = parse_topic(path.read_text(encoding="utf-8"), path.name)
        assert parse_topic(export_markdown(topic), path.name) == topic, path.name


async def test_a_curated_file_takes_over_an_approved_topic_of_the_same_slug(
    loaded: KnowledgeService, write_topic: WriteTopic
) -> None:
    topic = await loaded.approve((await suggest_websockets(loaded)).id, MODERATOR)
    write_topic(topic.slug, title=topic.title, key_ideas=["Curated now."])  # a mentor finished the export
    report = await loaded.sync()
    assert report.updated == [topic.slug] and report.errors == []
    adopted = await loaded.get(topic.slug, OTHER_GUILD)  # now shared by every server
    assert adopted is not None and adopted.id == topic.id and adopted.source == "curated"
    assert adopted.key_ideas == ("Curated now.",)
    assert (await loaded.search("websocket heartbeats", OTHER_GUILD))[0].slug == topic.slug
