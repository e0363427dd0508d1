"""The words of a text (bot.knowledge._text.words), split by its fast ASCII path, are exactly what
the general Unicode split gives: topics' texts are stemmed for confidence through it. A question's
scaffolding, matched as a tree of its phrases, is dropped as the phrases tried longest first drop it."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.knowledge._text import _SCAFFOLDING, _WORD, SCAFFOLDING, normalize, words


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_an_ascii_text_has_the_words_the_unicode_split_gives(text: str) -> None:
    assert words(text) == _WORD.findall(normalize(text))


@given(st.text())
def test_any_text_has_the_words_the_unicode_split_gives(text: str) -> None:
    assert words(text) == _WORD.findall(normalize(text))


def test_words_are_letters_and_digits_in_lower_case() -> None:
    assert words("select_related vs. prefetch_related (N+1)!") == ["select", "related", "vs", "prefetch", "related",
                                                                  "n", "1"]
    assert words("Ünïcödé café") == ["unicode", "cafe"]


_PHRASES_LONGEST_FIRST = re.compile(
    r"\b(?:" + "|".join(re.escape(p) for p in sorted(SCAFFOLDING, key=len, reverse=True)) + r")\b")
# Scaffolding's words and pieces of them, and words around them: where phrases overlap and nest.
_NEAR_SCAFFOLDING = sorted({part for phrase in SCAFFOLDING for word in phrase.split() for part in (word, word[:-1])}
                           | {"celery", "django", "why", "s", "into", "to", "way", "the", "-"})


@given(st.lists(st.sampled_from(_NEAR_SCAFFOLDING) | st.sampled_from(sorted(SCAFFOLDING)), max_size=10),
       st.sampled_from([" ", "  ", "-", ", "]))
def test_scaffolding_is_dropped_as_its_phrases_longest_first_drop_it(picked: list[str], between: str) -> None:
    text = between.join(picked)
    assert _SCAFFOLDING.sub(" ", text) == _PHRASES_LONGEST_FIRST.sub(" ", text)


def test_scaffolding_drops_the_longest_phrase_at_a_place() -> None:
    assert _SCAFFOLDING.sub(" ", "is there a way to retry a celery task") == "  retry a celery task"
    assert _SCAFFOLDING.sub(" ", "deep dive into django signals") == "  django signals"
    assert _SCAFFOLDING.sub(" ", "any idea why celery is slow, any ideas") == "  celery is slow,  "
