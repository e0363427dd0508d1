"""Turning a learner's text into words: the only reader of raw query text.

Words are runs of letters and digits, so nothing of the input's punctuation (quotes, `*`, `-`,
parentheses, `NEAR(`…) survives to reach the full-text index as syntax.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

MAX_QUERY_CHARS = 300
MAX_QUERY_WORDS = 16
# Dots and colons between names (`a.b.c`, `pkg::Name`, `module:attr`): a qualified name. From this
# many parts on, only its package and the last part are asked about (`qualified_names`).
_QUALIFIER = re.compile(r"[.:]+")
QUALIFIED_PARTS = 3
_WORD = re.compile(r"[^\W_]+")
# The same words in lowercase ASCII text, where they are letters and digits: 1.6 times as fast, and
# whole topic texts (stemmed for confidence as a question asks about them) are split with it.
_ASCII_WORD = re.compile(r"[a-z0-9]+")
# Mentions, channels, timestamps, custom emoji and @everyone/@here say nothing about a topic; left in,
# their ids would be searched as numbers.
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#)\d+>|<t:-?\d+(?::[a-zA-Z])?>|<a?:\w+:\d+>|@(?:everyone|here)\b")

# Words that say how someone asks, not what about: "how do i", "why is my", "what's the difference
# between". Dropping them keeps the ranking on the technical words of a question.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any anyone anything are as at be because been
    before being below best better between both but by can cant could did didnt difference do does
    doesnt doing dont down during each else even ever every explain few for from get gets getting go
    going got guys had has have having he hello help her here hey hi his how i id if im in into is isnt
    it its itll ive just keep keeps kind know like make makes me mean might more most much must my
    myself need needs new no nor not now of off ok okay on once only or other our out over own please
    pls plz properly proper really right same say see seems seem she should so some someone something
    still such sure than thanks that thats the their them then there these they thing things this those
    through to too try trying u under understand until up us use used uses using very versus vs want
    wants was way ways we were what whats when where whether which while who why will with without
    won wont work works would yet you your yours
    """.split()
) | frozenset(
    # Words that say a question has a problem, not what it is about ("Issue With Expires Header -
    # Possible config problem ?", "custom user model causes NoMigration exception"): rare in the
    # curated prose, so they would otherwise weigh as much as the rarest technical word.
    """
    issue issues problem problems possible possibly actually rather cause causes caused causing made
    solved solve accidentally weird strange somehow basically suddenly randomly correctly wrong
    """.split()
)


# How a question is put, not what it is about: phrases dropped before a question is weighed. Their
# words are mostly stop words already; the rest ("confirm", "possible", "question") would otherwise
# count as what the question asks about, and a topic that happens to hold them would win
# ("Confirm that logging works in production" answered with database indexing).
SCAFFOLDING = (
    "confirm that", "check that", "make sure that", "is it possible to", "is it possible", "is there a way to",
    "is there a way", "is there any way to", "what is the best way to", "what's the best way to",
    "what is the right way to", "what is the proper way to", "best way to", "how do i", "how do you",
    "how can i", "how should i", "how to", "any idea why", "any ideas", "does anyone know", "can someone explain",
    "i have a question about", "question about", "quick question", "i want to", "i need to", "ideas about",
    # How an article's headline sells it ("Mastering Django REST Pagination: Crafting Custom Classes",
    # "Lessons from the Django Atomic Block"): about the article, not the subject.
    "mastering", "explained", "understanding", "demystifying", "deep dive into", "a deep dive", "deep dive",
    "the ultimate guide to", "ultimate guide", "a complete guide to", "complete guide", "a practical guide to",
    "a beginners guide to", "a guide to", "guide to", "step by step", "step-by-step", "for beginners",
    "everything you need to know about", "everything you need to know", "tips and tricks", "lessons from",
    "lessons learned", "fix it now", "in-depth",
)


def _tree_pattern(phrases: Iterable[str]) -> str:
    """One regular expression for the phrases, letter by letter as a tree ("how (?:do (?:i|you)|to)"),
    each phrase that goes on optional where a shorter one ends and tried first (greedy): the longest
    phrase at a place is what matches, as with the phrases longest first, but each place is tried
    once rather than once a phrase."""
    tree: dict[str, Any] = {}
    for phrase in phrases:
        node = tree
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}  # a phrase ends here

    def pattern(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(tree)


_SCAFFOLDING = re.compile(r"\b(?:" + _tree_pattern(SCAFFOLDING) + r")\b")


# Contractions, as one word: "doesn't" is the stop word "doesnt", not the phrase "doesn t" (which
# many topics hold); "django's", "i'm", "you're" are "django", "i", "you".
_NEGATION = re.compile(r"(?<=[a-z])n't\b")
_CONTRACTION = re.compile(r"(?<=[a-z])'(?:s|re|ll|ve|m|d)\b")


# A sum written with spaces ("n + 1") is the chunk written without them ("n+1"): its lone
# characters would otherwise be no terms at all.
_SPACED_PLUS = re.compile(r"\b([a-z0-9]) *\+ *(\d)\b")


def normalize(text: str) -> str:
    """Lowercase, compatibility-folded, without diacritics (as the index stores words)."""
    if text.isascii():  # nothing to fold: the common case, and whole topic texts pass here
        return text.lower()
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Every word of `text`, normalized, in order (for names: titles, aliases, slugs)."""
    if text.isascii():
        return _ASCII_WORD.findall(text.lower())
    return _WORD.findall(normalize(text))


def strip_discord_markup(text: str) -> str:
    return _DISCORD_MARKUP.sub(" ", text)


def _cleaned(text: str) -> str:
    cleaned = normalize(strip_discord_markup(text[:MAX_QUERY_CHARS])).replace("’", "'")
    if "'" in cleaned:
        cleaned = _CONTRACTION.sub("", _NEGATION.sub("nt", cleaned))
    if "+" in cleaned:
        cleaned = _SPACED_PLUS.sub(r"\1+\2", cleaned)
    return _SCAFFOLDING.sub(" ", cleaned)


def query_terms(text: str) -> list[tuple[str, ...]]:
    """The meaningful terms of a query, in order, without repeats. A chunk joined by punctuation
    (`select_related`, `n+1`, `asyncio.gather`) stays one term: a phrase of its words. A lone
    character ("a", "1") is no term, though it may be part of one ("n+1")."""
    return _terms_of(_cleaned(text), _keywords(text))


def query_terms_and_words(text: str) -> tuple[list[tuple[str, ...]], list[str]]:
    """`query_terms(text)` and `query_words(text)`, the text cleaned once for both."""
    cleaned = _cleaned(text)
    return _terms_of(cleaned, _keywords(text)), _WORD.findall(cleaned)[: MAX_QUERY_WORDS * 3]


# A stop word written in capitals in a question that is not all capitals is a keyword, as SQL's
# are written ("Rows Removed By Filter in EXPLAIN output"), not English ("can someone explain").
_CAPITALS = re.compile(r"\b[A-Z]{2,}\b")


def _keywords(text: str) -> frozenset[str]:
    capitals = _CAPITALS.findall(text)
    if not capitals or text.isupper():
        return frozenset()
    return frozenset(word.lower() for word in capitals) & STOP_WORDS


def _terms_of(cleaned: str, keywords: frozenset[str] = frozenset()) -> list[tuple[str, ...]]:
    terms: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    for chunk in cleaned.split():
        if chunk.isalnum():  # a plain word, most chunks: all of it is what `_WORD` finds
            if len(chunk) == 1 or (chunk in STOP_WORDS and chunk not in keywords):
                continue
            found: list[tuple[str, ...]] = [(chunk,)]
        else:
            found = [parts for name in qualified_names(chunk) if (parts := tuple(_WORD.findall(name)))
                     and not all(p in STOP_WORDS for p in parts) and not (len(parts) == 1 and len(parts[0]) == 1)]
        for parts in found:
            if parts not in seen:
                seen.add(parts)
                terms.append(parts)
    return terms[:MAX_QUERY_WORDS]


def qualified_names(chunk: str) -> list[str]:
    """A name qualified by its module path, as tracebacks print it, reduced to its package and the
    name itself: `django.core.exceptions.SynchronousOnlyOperation` is about what Django's
    `SynchronousOnlyOperation` is about, `aiohttp.client_exceptions.ClientConnectorError` about
    aiohttp, and no topic writes the whole path. Two parts (`asyncio.gather`, `user.is_staff`) stay
    whole: topics write those, and search splits a phrase no topic holds into its words anyway."""
    parts = [part for part in _QUALIFIER.split(chunk) if _WORD.search(part)]
    return [parts[0], parts[-1]] if len(parts) >= QUALIFIED_PARTS else [chunk]


def query_words(text: str) -> list[str]:
    """Every word of a query, stop words included (an alias may hold them: "only and defer")."""
    return _WORD.findall(_cleaned(text))[: MAX_QUERY_WORDS * 3]
