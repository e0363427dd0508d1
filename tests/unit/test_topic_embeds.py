"""The `/topic` embed builder: every shipped topic, whole or one section, fits Discord's embed limits,
and text too long for one place is continued, never cut mid-word without saying so."""

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.knowledge.model import Challenge, KnowledgeStats, Link, QueryCount, Suggestion, TopicCount
from bot.knowledge.parsing import parse_topic
from bot.knowledge.render import CONTINUED, Section, render_section
from cogs.topic._embeds import (
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    limit_problems,
    list_embed,
    no_match_embed,
    stats_embed,
    suggestion_embed,
    topic_pages,
)

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "data" / "knowledge"
TOPICS = {path.stem: parse_topic(path.read_text(encoding="utf-8"), path.name)
          for path in sorted(KNOWLEDGE_DIR.glob("*.md"))}


def embed_text(embed):
    data = embed.to_dict()
    parts = [data.get("title", ""), data.get("description", "")]
    for field in data.get("fields", []):
        parts += [field["name"], field["value"]]
    return "\n".join(parts)


def test_the_shipped_topics_are_there():
    assert len(TOPICS) >= 40


@pytest.mark.parametrize("slug", sorted(TOPICS))
def test_every_shipped_topic_renders_within_every_limit_on_one_page(slug):
    topic = TOPICS[slug]
    pages = topic_pages(topic)
    assert [limit_problems(page) for page in pages] == [[]] * len(pages)
    # Curated topics are sized to be read whole: one embed, nothing continued.
    assert len(pages) == 1
    text = embed_text(pages[0])
    assert CONTINUED not in text
    assert pages[0].title == topic.title
    assert pages[0].description == topic.summary
    for section in (Section.KEY_IDEAS, Section.BEST_PRACTICES, Section.FURTHER_READING):
        assert render_section(topic, section) in text
    for challenge in topic.challenges:
        assert challenge.challenge in text and challenge.solution in text
    assert topic.category in pages[0].footer.text


@pytest.mark.parametrize("section", list(Section))
def test_every_shipped_topic_section_renders_within_every_limit(section):
    for topic in TOPICS.values():
        pages = topic_pages(topic, section)
        assert len(pages) == 1, topic.slug
        assert limit_problems(pages[0]) == [], topic.slug
        assert pages[0].description == render_section(topic, section)
        assert section.label in pages[0].title


def _oversized(topic):
    """The topic with every section far beyond Discord's limits (as no checked file is)."""
    words = " ".join(f"word{i}" for i in range(900))
    return replace(
        topic,
        title="A title " * 60,
        summary=words,
        key_ideas=tuple(f"{words[:700]} idea {i}" for i in range(6)),
        challenges=tuple(Challenge(f"Challenge {i} " + "x" * 180, words[:1500]) for i in range(5)),
        best_practices=tuple(f"practice {i} " + words[:300] for i in range(16)),
        further_reading=tuple(Link(f"Link {i}", f"https://example.org/{'p' * 200}/{i}") for i in range(24)),
    )


@pytest.mark.parametrize("section", [None, *Section])
def test_an_oversized_topic_is_split_into_pages_within_the_limits_and_says_it_continues(section):
    topic = _oversized(next(iter(TOPICS.values())))
    pages = topic_pages(topic, section)
    assert len(pages) > 1
    for page in pages:
        assert limit_problems(page) == []
        assert len(page) <= EMBED_TOTAL_LIMIT
    assert all(f"page {n}/{len(pages)}" in page.footer.text for n, page in enumerate(pages, start=1))
    text = "\n".join(embed_text(page) for page in pages)
    assert CONTINUED in text
    if section in (None, Section.SUMMARY):
        # Every word of the summary is shown, in order, across the pages.
        assert "word0 " in text and "word899" in text


def test_a_long_section_continues_in_a_field_named_continued():
    topic = TOPICS["orm-query-optimization"]
    long_ideas = tuple(f"Idea number {i}: " + "select_related joins " * 6 for i in range(12))
    pages = topic_pages(replace(topic, key_ideas=long_ideas))
    fields = [f for page in pages for f in page.fields]
    names = [f.name for f in fields]
    assert "Key ideas" in names and f"Key ideas {CONTINUED}" in names
    first = next(f for f in fields if f.name == "Key ideas")
    assert len(first.value) <= FIELD_VALUE_LIMIT and first.value.endswith(CONTINUED)


def test_an_approved_suggestion_with_empty_sections_renders_what_it_has():
    topic = replace(TOPICS["celery"], slug="django-signals", title="Django signals", aliases=(), related=(),
                    summary="When to use post_save and when not to.", key_ideas=(), challenges=(),
                    best_practices=(), further_reading=(), source="suggested")
    [page] = topic_pages(topic)
    assert limit_problems(page) == []
    assert page.description == "When to use post_save and when not to."
    assert page.fields == []
    assert "suggested by a member" in page.footer.text
    [section_page] = topic_pages(topic, Section.KEY_IDEAS)
    assert "no key ideas yet" in section_page.description


def test_the_other_embeds_stay_within_the_limits():
    summaries = []
    from bot.knowledge.model import TopicSummary

    for i, topic in enumerate(TOPICS.values()):
        summaries.append(TopicSummary(i + 1, topic.slug, topic.title, topic.category, None))
    for page in range(7):
        assert limit_problems(list_embed(summaries, page, None)) == []
    now = datetime.now(UTC)
    stats = KnowledgeStats(now, 10_000, [TopicCount("s" * 60, "T" * 200, 9999)] * 10,
                           [QueryCount("q" * 200, 42)] * 10)
    assert limit_problems(stats_embed(stats, 365)) == []
    suggestion = Suggestion(1, 1, 2, "t" * 100, "e" * 1000, "https://x.org/" + "l" * 986, "pending", None, None,
                            None, now)
    assert limit_problems(suggestion_embed(suggestion, 3)) == []
    assert limit_problems(no_match_embed("*" * 200, "x" * 300, True)) == []
