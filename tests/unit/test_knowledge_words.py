"""The words of a text (bot.knowledge._text.words), split by its fast ASCII path, are exactly what
the general Unicode split gives: topics' texts are stemmed for confidence through it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.knowledge._text import _WORD, normalize, words


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
