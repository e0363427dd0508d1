"""Suggestions: a member proposes a topic or a fix; a moderator writes the topic in a form before it
goes live (searchable at once, in that server only), accepts a fix, or rejects with a reason; a
suggested topic can be unpublished; an approved topic exports as a topic file that parses back."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from bot.errors import UserError
from bot.knowledge.export import export_markdown
from bot.knowledge.model import Link, Suggestion, Topic, TopicDraft
from bot.knowledge.parsing import parse_topic
from bot.knowledge.service import DraftRefused, KnowledgeService

from ._support import SHIPPED_KNOWLEDGE
from .conftest import WriteTopic

GUILD, OTHER_GUILD = 111, 222
MEMBER, MODERATOR = 5, 9
KEY_POINTS = "Servers close idle sockets\n- Send a ping every 20 s\n2. Answer pings with pongs"


async def suggest_websockets(service: KnowledgeService, guild: int = GUILD, title: str = "WebSocket heartbeats",
                             fix_for: str | None = None) -> Suggestion:
    return await service.suggest(
        guild,
        MEMBER,
        title,
        "Why a websocket connection drops after a minute behind nginx, and how ping/pong frames keep it alive.",
        "https://websockets.readthedocs.io/en/stable/topics/keepalive.html and see "
        "https://nginx.org/en/docs/http/websocket.html.",
        fix_for=fix_for,
    )


async def approve(service: KnowledgeService, suggestion: Suggestion, guild: int | None = None,
                  **changes: str) -> Topic:
    """What a moderator does: open the form (prefilled), write key points, change what they want."""
    draft = await service.approval_draft(suggestion, MODERATOR)
    draft = replace(draft, key_points=KEY_POINTS, **changes)
    topic = (await service.approve(suggestion.id, MODERATOR, draft, guild_id=guild)).topic
    assert topic is not None
    return topic


async def test_a_suggestion_waits_for_review_in_its_server(loaded: KnowledgeService) -> None:
    suggestion = await suggest_websockets(loaded)
    assert suggestion.status == "pending" and suggestion.author_id == MEMBER and not suggestion.is_fix
    assert [s.id for s in await loaded.pending_suggestions(GUILD)] == [suggestion.id]
    assert await loaded.pending_suggestions(OTHER_GUILD) == []
    assert await loaded.search("websocket heartbeats", GUILD) == []  # not before approval


async def test_the_form_opens_prefilled_from_the_suggestion(loaded: KnowledgeService) -> None:
    suggestion = await suggest_websockets(loaded)
    draft = await loaded.approval_draft(suggestion, MODERATOR)
    assert draft.title == "WebSocket heartbeats"
    assert draft.summary == suggestion.explanation
    assert draft.key_points == ""  # the moderator writes them
    assert draft.links.split("\n") == ["https://websockets.readthedocs.io/en/stable/topics/keepalive.html",
                                       "https://nginx.org/en/docs/http/websocket.html"]
    assert draft.category in ("Async & messaging", "APIs", "DevOps", "Collaboration", "Caching", "Python")


async def test_approval_publishes_the_moderators_topic_in_that_server_only(loaded: KnowledgeService) -> None:
    suggestion = await suggest_websockets(loaded)
    topic = await approve(
        loaded, suggestion, GUILD, title="WebSocket keepalive", category="DevOps",
        summary="Proxies close idle websocket connections.\nPing/pong frames keep them open.",
        links="Keepalive in websockets https://websockets.readthedocs.io/en/stable/topics/keepalive.html\n"
              "https://nginx.org/en/docs/http/websocket.html",
    )
    assert (topic.slug, topic.title, topic.category) == ("websocket-keepalive", "WebSocket keepalive", "DevOps")
    assert topic.guild_id == GUILD and topic.source == "suggested" and topic.id is not None
    assert topic.summary == "Proxies close idle websocket connections.\nPing/pong frames keep them open."
    assert topic.key_ideas == ("Servers close idle sockets", "Send a ping every 20 s", "Answer pings with pongs")
    assert topic.further_reading == (
        Link("Keepalive in websockets", "https://websockets.readthedocs.io/en/stable/topics/keepalive.html"),
        Link("nginx.org/en/docs/http/websocket.html", "https://nginx.org/en/docs/http/websocket.html"),
    )

    assert (await loaded.search("websocket keepalive", GUILD))[0].slug == "websocket-keepalive"
    assert (await loaded.search("idle websocket connections closed", GUILD))[0].slug == "websocket-keepalive"
    assert (await loaded.autocomplete("websock", GUILD))[0].slug == "websocket-keepalive"
    assert (await loaded.get("websocket-keepalive", GUILD)) == topic
    for elsewhere in (OTHER_GUILD, None):
        assert "websocket-keepalive" not in [h.slug for h in await loaded.search("websocket keepalive", elsewhere)]
        assert await loaded.get("websocket-keepalive", elsewhere) is None
        assert "websocket-keepalive" not in [t.slug for t in await loaded.list_topics(guild_id=elsewhere)]
    assert await loaded.pending_suggestions(GUILD) == []


async def test_a_refused_form_says_every_problem_and_keeps_the_moderators_text(loaded: KnowledgeService) -> None:
    suggestion = await suggest_websockets(loaded)
    draft = TopicDraft("WS", "Websockets", "Short", "", "the nginx docs")
    with pytest.raises(DraftRefused) as refused:
        await loaded.approve(suggestion.id, MODERATOR, draft, guild_id=GUILD)
    text = str(refused.value)
    for problem in ("title needs 3 to 100", "category from the list", "summary needs 10 to 1000",
                    "at least one key point", "line 1, holds no http(s) link"):
        assert problem in text
    assert await loaded.approval_draft(suggestion, MODERATOR) == draft  # reopens with what they wrote
    assert (await loaded.approval_draft(suggestion, MODERATOR + 1)).title == "WebSocket heartbeats"
    assert [s.id for s in await loaded.pending_suggestions(GUILD)] == [suggestion.id]  # nothing published


async def test_slugs_are_made_unique(loaded: KnowledgeService) -> None:
    first = await approve(loaded, await suggest_websockets(loaded))
    second = await approve(loaded, await suggest_websockets(loaded, OTHER_GUILD))
    curated_clash = await approve(loaded, await suggest_websockets(loaded, title="Celery"))
    assert (first.slug, second.slug, curated_clash.slug) == (
        "websocket-heartbeats", "websocket-heartbeats-2", "celery-2"
    )
    odd = await approve(loaded, await suggest_websockets(loaded), title="Ünïcode & 🚀 émojis!!")
    assert odd.slug == "unicode-emojis"


async def test_a_suggestion_is_reviewed_once(loaded: KnowledgeService) -> None:
    suggestion = await suggest_websockets(loaded)
    await approve(loaded, suggestion)
    with pytest.raises(UserError, match="already approved"):
        await approve(loaded, suggestion)
    with pytest.raises(UserError, match="already approved"):
        await loaded.reject(suggestion.id, MODERATOR)


async def test_another_servers_suggestion_cannot_be_reviewed(loaded: KnowledgeService) -> None:
    suggestion = await suggest_websockets(loaded)
    with pytest.raises(UserError, match="no longer exists"):
        await approve(loaded, suggestion, OTHER_GUILD)
    with pytest.raises(UserError, match="no longer exists"):
        await loaded.reject(12345, MODERATOR)


async def test_rejection_publishes_nothing_and_keeps_the_reason(loaded: KnowledgeService) -> None:
    suggestion = await suggest_websockets(loaded)
    decision = await loaded.reject(suggestion.id, MODERATOR, "Already in the\nasync topic.", guild_id=GUILD)
    assert decision.suggestion.status == "rejected" and decision.suggestion.reviewer_id == MODERATOR
    assert decision.suggestion.decision_note == "Already in the\nasync topic."
    assert await loaded.search("websocket heartbeats", GUILD) == []
    assert await loaded.pending_suggestions(GUILD) == []


async def test_a_fix_names_its_topic_and_never_becomes_a_topic(loaded: KnowledgeService) -> None:
    with pytest.raises(UserError, match="no topic `nope`"):
        await suggest_websockets(loaded, fix_for="nope")
    fix = await suggest_websockets(loaded, title="Celery: mention acks_late", fix_for="celery")
    assert fix.is_fix
    target = await loaded.fix_target(fix)
    assert target is not None and target.slug == "celery"
    with pytest.raises(UserError, match="never makes a new topic"):
        await approve(loaded, fix)
    topics_before = await loaded.list_topics(guild_id=GUILD)

    decision = await loaded.accept_fix(fix.id, MODERATOR, "Thanks, good catch.", guild_id=GUILD)
    assert decision.suggestion.status == "approved" and decision.suggestion.topic_id is None
    assert decision.target is not None and decision.target.slug == "celery"
    assert await loaded.list_topics(guild_id=GUILD) == topics_before
    assert [(s.id, slug) for s, slug in await loaded.accepted_fixes()] == [(fix.id, "celery")]
    new_topic = await suggest_websockets(loaded)
    with pytest.raises(UserError, match="approve it with the topic form"):
        await loaded.accept_fix(new_topic.id, MODERATOR)


async def test_unpublish_takes_a_suggested_topic_out_at_once(loaded: KnowledgeService) -> None:
    topic = await approve(loaded, await suggest_websockets(loaded), GUILD)
    assert [t.slug for t in await loaded.suggested_topics(GUILD, "heart")] == [topic.slug]
    assert await loaded.suggested_topics(OTHER_GUILD) == []
    with pytest.raises(UserError, match="no topic"):
        await loaded.unpublish(topic.slug, OTHER_GUILD)
    with pytest.raises(UserError, match="curated topic"):
        await loaded.unpublish("celery", GUILD)

    await loaded.unpublish(topic.slug, GUILD)
    assert await loaded.search("websocket heartbeats", GUILD) == []
    assert await loaded.autocomplete("websock", GUILD) == []
    assert await loaded.get(topic.slug, GUILD) is None
    assert await loaded.suggested_topics(GUILD) == []
    assert (await loaded.search("celery", GUILD))[0].slug == "celery"
    assert await loaded.topic_to_export(topic.slug) is not None  # its text is kept
    with pytest.raises(UserError, match="no topic"):
        await loaded.unpublish(topic.slug, GUILD)


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


async def test_line_breaks_are_kept_from_the_form_to_the_exported_file(loaded: KnowledgeService) -> None:
    typed = "First line\r\nsecond line\n\n\n\nA new paragraph   \n# not a heading\nends with a back\\slash\\\nlast"
    suggestion = await loaded.suggest(GUILD, MEMBER, "Line breaks", typed, "")
    kept = "First line\nsecond line\n\nA new paragraph\n\\# not a heading\nends with a back\\slash\\\nlast"
    assert suggestion.explanation == kept
    topic = await approve(loaded, suggestion)
    assert topic.summary == kept
    exported = await loaded.topic_to_export(topic.slug)
    assert exported is not None
    assert parse_topic(export_markdown(exported), f"{topic.slug}.md").summary == kept


async def test_an_approved_topic_exports_as_a_complete_file_of_the_moderators_text(
    loaded: KnowledgeService,
) -> None:
    suggestion = await loaded.suggest(
        GUILD, MEMBER, 'Quotes "and" back\\slashes',
        "# Not a heading\n\n- not a bullet either\n\n\nA paragraph that\nwraps, with `code` and ünïcode.",
        "https://docs.python.org/3/library/asyncio.html",
    )
    topic = await approve(loaded, suggestion, category="Python",
                          summary="The moderator's summary,\non two lines.")
    exported = await loaded.topic_to_export(topic.slug)
    assert exported is not None
    text = export_markdown(exported)
    assert 'category = "Python"' in text and "The moderator's summary,\\\non two lines." in text
    assert "- Send a ping every 20 s" in text
    assert "- [docs.python.org/3/library/asyncio.html](https://docs.python.org/3/library/asyncio.html)" in text
    parsed = parse_topic(text, f"{topic.slug}.md")
    stored_fields = {k: v for k, v in exported.__dict__.items() if k not in ("id", "guild_id", "source")}
    assert {k: v for k, v in parsed.__dict__.items() if k in stored_fields} == stored_fields


def test_every_shipped_topic_round_trips_through_export() -> None:
    for path in SHIPPED_KNOWLEDGE.glob("*.md"):
        topic = parse_topic(path.read_text(encoding="utf-8"), path.name)
        assert parse_topic(export_markdown(topic), path.name) == topic, path.name


async def test_a_curated_file_takes_over_an_approved_topic_of_the_same_slug(
    loaded: KnowledgeService, write_topic: WriteTopic
) -> None:
    topic = await approve(loaded, await suggest_websockets(loaded))
    write_topic(topic.slug, title=topic.title, key_ideas=["Curated now."])  # a mentor finished the export
    report = await loaded.sync()
    assert report.updated == [topic.slug] and report.errors == []
    adopted = await loaded.get(topic.slug, OTHER_GUILD)  # now shared by every server
    assert adopted is not None and adopted.id == topic.id and adopted.source == "curated"
    assert adopted.key_ideas == ("Curated now.",)
    assert (await loaded.search("websocket heartbeats", OTHER_GUILD))[0].slug == topic.slug
