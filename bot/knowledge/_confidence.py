"""How sure search is that a topic answers a question: the share of what the question says that
the topic holds.

Each term of the question weighs its informativeness, idf = ln(1 + topics / topics holding it); a
word no topic holds weighs as much as the rarest ("photoshop", "kubectl": what the question is
about, and the knowledge base does not know it). A topic earns a term's full weight when its title,
aliases or challenge headings hold it, TEXT_ONLY_CREDIT of it when only its summary or body do, and
CORRECTED_CREDIT of that again when the term had to be corrected or completed to match. Confidence
is the share earned, 0 to 1.

Which words a topic holds is read from the index's own text of it (the columns FTS5 indexes),
stemmed as FTS5 stems, and kept for the topics last looked at: a handful of rows by rowid per
search, where asking the index term by term costs a query per term.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from bot.knowledge._stemmer import porter_stem
from bot.knowledge._text import normalize, words
from bot.knowledge.repository import IndexedText, KnowledgeRepository, MatchTerm

TEXT_ONLY_CREDIT = 0.5
# A word no topic holds, that is no typo of one either, is what the question is about and the
# knowledge base does not know ("photoshop"): it weighs more than the rarest known word. More
# still when it is written as code in lowerCamelCase ("useEffect", "setState"): Python and its
# frameworks name things in snake_case or PascalCase, so that is another stack's code.
UNKNOWN_EMPHASIS = 1.5
CODE_EMPHASIS = 4.0
CORRECTED_CREDIT = 0.5
CACHED_TOPICS = 2048  # topics whose stemmed words stay in memory (13–16 KB each, measured: mostly the sets)
READ_AT_ONCE = 500  # topics per statement when reading them all
# Up to this many topics, the pairs of words that follow each other in them are kept too (~1,500
# a topic), so a phrase no topic holds is known without asking the index, and so are the phrases
# they write as one chunk (`select_related`, `pre-commit`: ~20 a topic), for search to read at once.
PAIRS_KEPT_TOPICS = 256


@dataclass(frozen=True)
class AskedTerm:
    """One term of the question as typed: how many topics hold it, and what was searched for it
    (itself, or its completions or corrections, any of which counts). Never changed once made, so
    search keeps the terms of known words to plan the next question with."""

    doc_freq: int
    searched: tuple[MatchTerm, ...]
    corrected: bool
    emphasis: float = 1.0  # UNKNOWN_EMPHASIS or CODE_EMPHASIS for a word no topic holds
    # What a topic must hold for it, stemmed as the index stems: any of these words, or any of
    # these phrases (" stem1 stem2 ", framed as `_TopicWords` frames its text).
    stems: frozenset[str] = field(init=False)
    phrases: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        keys = [_key(match) for match in self.searched]
        object.__setattr__(self, "stems", frozenset(key[0] for key in keys if len(key) == 1))
        object.__setattr__(self, "phrases", tuple(_framed(key) for key in keys if len(key) > 1))


@dataclass(frozen=True)
class _TopicWords:
    """A topic's indexed words as stems, space-separated and space-framed, so a term (a word or
    a phrase) is held when " stem1 stem2 " occurs; and as sets, so a one-word term is one lookup."""

    naming: str  # title, slug and aliases, challenge headings
    text: str  # summary and body
    naming_stems: frozenset[str]
    text_stems: frozenset[str]

    @classmethod
    def of(
        cls, indexed: IndexedText, spelt: dict[str, str] | None = None, seen: set[str] | None = None
    ) -> _TopicWords:
        naming, text = _stems(indexed.naming, spelt, seen), _stems(indexed.text, spelt, seen)
        return cls(_framed(naming), _framed(text), frozenset(naming), frozenset(text))


def _framed(stems: Sequence[str]) -> str:
    """Stems space-separated and space-framed: a phrase is held by a text when its framed stems
    occur in the text's."""
    return " " + " ".join(stems) + " "


def _stems(text: str, spelt: dict[str, str] | None = None, seen: set[str] | None = None) -> list[str]:
    found = words(text)
    if seen is not None:
        seen.update(found)
    stems = list(map(porter_stem, found))
    if spelt is not None:
        for word, stem in zip(found, stems, strict=True):
            if stem != word:
                spelt.setdefault(stem, word)
    return stems


def _chunked_phrases(text: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Every chunk of `text` that is a phrase of words joined by punctuation, as `query_terms`
    splits a question: stems → words."""
    phrases = {}
    for chunk in normalize(text).split():
        found = words(chunk)
        if len(found) > 1:
            phrases[tuple(map(porter_stem, found))] = tuple(found)
    return phrases


def _key(term: MatchTerm) -> tuple[str, ...]:
    return tuple(map(porter_stem, term.words))


@dataclass(frozen=True)
class ConfidenceSnapshot:
    """What a `Confidence` read of the topics (`Confidence.snapshot`); never changed."""

    topics: tuple[tuple[int, _TopicWords], ...]
    spelt: dict[str, str]
    pairs: set[tuple[str, str]] | None
    phrases: dict[tuple[str, ...], tuple[str, ...]]
    words: set[str]


class Confidence:
    def __init__(self, repository: KnowledgeRepository) -> None:
        self._repository = repository
        self._topics: OrderedDict[int, _TopicWords] = OrderedDict()
        self._spelt: dict[str, str] = {}
        self._pairs: set[tuple[str, str]] | None = None
        self._phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._words: set[str] = set()

    def invalidate(self) -> None:
        self._topics.clear()
        self._spelt = {}
        self._pairs = None
        self._phrases = {}
        self._words = set()

    def phrases(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """The phrases the topics read by `read_topics` write as one chunk (`select_related`), as
        stems → words: what learners type as code, for search to read before they ask."""
        return self._phrases

    def held_nowhere(self, key: tuple[str, ...]) -> bool:
        """Whether no topic holds the phrase `key` (stems): two of its words follow each other in
        none of them, or no one topic holds them all in a row ("dataloader+batch_load_fn" joins two
        names of one topic that no topic writes together). False when unsure (the topics' pairs are
        not kept, nor then all their words)."""
        pairs = self._pairs
        if pairs is None:
            return False
        if any(pair not in pairs for pair in pairwise(key)):
            return True
        phrase = _framed(key)
        return not any(phrase in topic.naming or phrase in topic.text for topic in self._topics.values())

    def words(self) -> set[str]:
        """Every word of the topics read by `read_topics` as written (when their pairs are kept too)."""
        return self._words

    def spellings(self) -> dict[str, str]:
        """A word of the topics read by `read_topics` for each stem that is not itself a word of
        them ("agree" for "agre"), so the index can be asked for that stem (it stems what it is asked)."""
        return self._spelt

    async def read_topics(self, topic_ids: Sequence[int]) -> None:
        """Read the words of all these topics now, when they all fit in memory (the shipped
        knowledge base: 63 topics, ~10 ms), so that no question waits for them."""
        if len(topic_ids) > CACHED_TOPICS:
            return
        pairs: set[tuple[str, str]] = set()
        seen = self._words if len(topic_ids) <= PAIRS_KEPT_TOPICS else None
        for start in range(0, len(topic_ids), READ_AT_ONCE):
            for indexed in await self._repository.indexed_texts(topic_ids[start:start + READ_AT_ONCE]):
                topic = self._topics[indexed.topic_id] = _TopicWords.of(indexed, self._spelt, seen)
                if len(topic_ids) <= PAIRS_KEPT_TOPICS:
                    # Columns run on into each other here: a pair too many, never one missing.
                    for stems in (topic.naming.split(), topic.text.split()):
                        pairs.update(pairwise(stems))
                    for text in (indexed.naming, indexed.text):
                        self._phrases.update(_chunked_phrases(text))
        self._pairs = pairs if len(topic_ids) <= PAIRS_KEPT_TOPICS else None

    def snapshot(self) -> ConfidenceSnapshot:
        """What `read_topics` read, to give another `Confidence` over the same topics (`restore`).
        The spellings, pairs, phrases and words are shared, not copied: only `read_topics` fills
        them, into containers `invalidate` made new, so once read they never change."""
        return ConfidenceSnapshot(tuple(self._topics.items()), self._spelt, self._pairs, self._phrases, self._words)

    def restore(self, snapshot: ConfidenceSnapshot) -> None:
        """Hold what `snapshot` holds, as `read_topics` would have read it (the topics' words in an
        order of its own, which `of` changes)."""
        self._topics = OrderedDict(snapshot.topics)
        self._spelt = snapshot.spelt
        self._pairs = snapshot.pairs
        self._phrases = snapshot.phrases
        self._words = snapshot.words

    def terms_held(self, asked: Sequence[AskedTerm], topic_id: int) -> float:
        """How many of `asked` a topic holds, for a topic `of` just weighed (else 0)."""
        topic = self._topics.get(topic_id)
        return terms_held(asked, topic) if topic is not None else 0

    async def of(
        self, asked: Sequence[AskedTerm], topic_ids: Sequence[int], documents: int, *, enough: int = 0,
        at_least: float = 0.0,
    ) -> dict[int, float]:
        """Confidence of each topic for a question made of `asked` terms, weighed in order. With
        `enough`, the weighing stops once that many topics reach `at_least`: those after are left out."""
        missing = [topic_id for topic_id in topic_ids if topic_id not in self._topics]
        for indexed in await self._repository.indexed_texts(missing) if missing else []:
            self._topics[indexed.topic_id] = _TopicWords.of(indexed)
        while len(self._topics) > CACHED_TOPICS:
            self._topics.popitem(last=False)
        weights = [_weight(term, documents) for term in asked]  # the same for every topic
        found = {}
        reached = 0
        for topic_id in topic_ids:
            topic = self._topics.get(topic_id)
            if topic is not None:  # None for a topic unpublished since it was ranked
                self._topics.move_to_end(topic_id)
                share = found[topic_id] = _share(asked, weights, topic)
                reached += share >= at_least
                if enough and reached >= enough:
                    break
        return found


def terms_held(asked: Sequence[AskedTerm], topic: _TopicWords) -> float:
    """How many of the question's terms the topic holds: one for each its names or challenge
    headings hold, TEXT_ONLY_CREDIT for each only its text holds."""
    return sum(_credits(asked, topic))


def _credits(asked: Sequence[AskedTerm], topic: _TopicWords) -> list[float]:
    """Each term's credit in the topic: 1 when its names or challenge headings hold any of what the
    term searched (a stem, or a phrase in its framed text), TEXT_ONLY_CREDIT when only its text
    does, else 0. One loop with the lookups written out: every question weighs several topics term
    by term, and a call a term cost more than the set lookups it makes."""
    naming, naming_stems, text, text_stems = topic.naming, topic.naming_stems, topic.text, topic.text_stems
    credits = []
    for term in asked:
        stems, phrases = term.stems, term.phrases
        if not stems.isdisjoint(naming_stems) or (phrases and any(phrase in naming for phrase in phrases)):
            credits.append(1.0)
        elif not stems.isdisjoint(text_stems) or (phrases and any(phrase in text for phrase in phrases)):
            credits.append(TEXT_ONLY_CREDIT)
        else:
            credits.append(0.0)
    return credits


def _weight(term: AskedTerm, documents: int) -> float:
    return math.log(1 + documents / max(term.doc_freq, 1)) * term.emphasis


def _share(asked: Sequence[AskedTerm], weights: list[float], topic: _TopicWords) -> float:
    total = earned = 0.0
    for term, weight, credit in zip(asked, weights, _credits(asked, topic), strict=True):
        total += weight
        if credit:
            earned += weight * credit * (CORRECTED_CREDIT if term.corrected else 1.0)
    return earned / total if total else 0.0
