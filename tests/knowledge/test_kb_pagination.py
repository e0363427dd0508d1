"""Splitting a long section into pages for Discord: never cut inside a word without saying so."""

from __future__ import annotations

import pytest

from bot.knowledge.parsing import parse_topic
from bot.knowledge.render import CONTINUED, Section, paginate, render_section

from ._support import topic_markdown


def test_short_text_is_one_page() -> None:
    assert paginate("short text", 1024) == ["short text"]
    assert paginate("", 1024) == [""]


def test_pages_break_at_lines_then_words_and_say_more_follows() -> None:
    text = "\n".join(f"• idea number {i} with a few more words in it" for i in range(60))
    pages = paginate(text, 300)
    assert len(pages) > 1
    assert all(len(page) <= 300 for page in pages)
    assert all(page.endswith(CONTINUED) for page in pages[:-1]) and not pages[-1].endswith(CONTINUED)
    rejoined = "\n".join(p.removesuffix(CONTINUED).rstrip("\n") for p in pages)
    assert rejoined.split() == text.split()  # nothing lost, no word split


def test_one_long_line_breaks_between_words() -> None:
    text = " ".join(f"word{i}" for i in range(400))
    pages = paginate(text, 200)
    assert all(len(page) <= 200 for page in pages)
    words = " ".join(p.removesuffix(CONTINUED) for p in pages).split()
    assert words == text.split()


def test_a_word_longer_than_a_page_is_cut_with_notice() -> None:
    url = "https://example.org/" + "a" * 500
    pages = paginate(url, 100)
    assert all(len(page) <= 100 for page in pages)
    assert pages[0].endswith("… " + CONTINUED)
    assert "".join(p.removesuffix("… " + CONTINUED) for p in pages) == url


def test_a_page_too_small_for_the_marker_is_refused() -> None:
    with pytest.raises(ValueError):
        paginate("x" * 100, 20)


def test_sections_render_as_the_reader_sees_them() -> None:
    topic = parse_topic(topic_markdown("celery"), "celery.md")
    assert render_section(topic, Section.KEY_IDEAS).startswith("• One idea per bullet.\n• Another idea")
    assert render_section(topic, Section.CHALLENGES).startswith("**It does not work the first time**\nRead")
    assert render_section(topic, Section.FURTHER_READING) == (
        "• [Official documentation](https://docs.example.org/guide/)"
    )
    assert Section.BEST_PRACTICES.label == "Best practices"
