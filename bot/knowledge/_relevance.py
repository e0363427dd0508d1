"""Full-text relevance (FTS5 bm25) of the topics for a query's terms, kept in memory term by term.

bm25 of a query adds one share per term, in the query's order (`KnowledgeRepository.term_relevance`),
so each term's shares can be read from the index once and kept: a question is then ranked from
memory, bit for bit as the index would rank it. Terms are kept by their stems (FTS5 matches "tasks"
and "task" alike). When every word of the index fits in POSTINGS_KEPT (topic, share) pairs (the
shipped knowledge base: ~2,500 words, ~13,000 pairs, read in ~50 ms) they are all read when the
topics are loaded, so no question waits for the index. Past that, the words held by over
COSTLY_TERM_DOCS topics are read when the topics are loaded all the same (at 10,000 generated
topics: ~1,400 words, ~285,000 pairs): FTS5 computes bm25 at ~7 µs a topic, so a question whose one
affordable word is held by 450 topics waited 3-6 ms for it, the whole tail of search's latency.
Other terms are read as questions ask them and the least recently used are forgotten first.
Everything is forgotten when topics change.

What is read when the topics are loaded is part of the index in memory, the same for every
question; what questions read is a memory of earlier questions, which `remember=False` (the
benchmarks' "afresh") leaves aside.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice

from bot.knowledge._stemmer import porter_stem
from bot.knowledge._terms import RAREST_WORD_LIMIT
from bot.knowledge.repository import FtsMatch, KnowledgeRepository, MatchTerm

# 12 bytes a pair (`_Shares`): ~2.4 MB of pairs read as questions ask for them, at most.
POSTINGS_KEPT = 200_000
READ_AT_ONCE = 100  # terms per statement when reading the whole vocabulary
# Past POSTINGS_KEPT, a word held by more topics than this is read when the topics are loaded (see
# above): reading it for a question would cost it ~0.35 ms or more. Costliest first, up to
# PREREAD_POSTINGS pairs (~5 MB).
COSTLY_TERM_DOCS = 50
PREREAD_POSTINGS = 400_000
# Endings tried to find a word FTS5 stems to a stem that is no word itself ("agre" is "agree"), when
# the topics' words are not in memory to say: the index stems whatever it is asked, so it must be
# asked for such a word. Checked with the stemmer, so a wrong guess is never asked.
_ENDINGS = ("e", "s", "y", "ed", "ing", "es", "ion", "al", "er", "ate", "ic", "ous", "ive", "ize", "ise",
            "ence", "ance", "ent", "ant", "ment", "ness", "ful", "able", "ible", "ly", "ation", "ity")

_Key = tuple[str, ...]


class _Shares:
    """A term's (topic id, share) pairs, iterated as such, held in two arrays: 12 bytes a pair
    where a tuple of tuples takes ~100. The floats come back bit for bit."""

    __slots__ = ("_ids", "_shares")

    def __init__(self, matches: Iterable[FtsMatch] = ()) -> None:
        self._ids = array("q")
        self._shares = array("d")
        for match in matches:
            self._ids.append(match.topic_id)
            self._shares.append(match.relevance)

    def __iter__(self) -> Iterator[tuple[int, float]]:
        return zip(self._ids, self._shares, strict=True)

    def __len__(self) -> int:
        return len(self._ids)


_NONE = _Shares()  # a phrase no topic holds
# What a `TermRelevance` read, for another over the very same topics: (kept, read at load).
RelevanceSnapshot = tuple[tuple[tuple[_Key, _Shares], ...], tuple[tuple[_Key, _Shares], ...]]


def _key(term: MatchTerm) -> _Key:
    return tuple(map(porter_stem, term.words))


def _shares(matches: Sequence[FtsMatch]) -> _Shares:
    return _Shares(matches)


def _spelling(stem: str) -> str | None:
    """A word that FTS5 stems to `stem`: the stem itself, or the stem and a common ending."""
    if porter_stem(stem) == stem:
        return stem
    guesses = (stem + ending for ending in _ENDINGS)
    if stem.endswith("i"):
        guesses = (stem[:-1] + "y", *guesses)  # type: ignore[assignment]
    return next((word for word in guesses if porter_stem(word) == stem), None)


class TermRelevance:
    def __init__(self, repository: KnowledgeRepository) -> None:
        self._repository = repository
        self._read_at_load: dict[_Key, _Shares] = {}  # read when the topics were loaded (`read_vocabulary`)
        self._shares: OrderedDict[_Key, _Shares] = OrderedDict()  # read for questions, least recent first
        self._postings = 0
        self._generation = 0  # bumped by every change, so a read begun before one is not kept

    def invalidate(self) -> None:
        self._read_at_load = {}
        self._shares.clear()
        self._postings = 0
        self._generation += 1

    async def read_vocabulary(
        self, doc_freq: Mapping[str, int], spellings: Mapping[str, str] | None = None,
        phrases: Mapping[_Key, tuple[str, ...]] | None = None,
    ) -> None:
        """Read every indexed word's shares when they all fit in memory, else those of the words
        costly to read for a question (see above). `doc_freq`: topics holding each stem (the
        index's vocabulary). FTS5 stems the query too, so a stem is asked as itself where stemming
        it again gives it back, else as a word of the topics that stems to it (`spellings`: "agree"
        for "agre", about one stem in six) or, failing that, the stem and a common ending
        (`_spelling`); a stem with none is read when a question asks for it. `phrases` (stems →
        words), the topics' words joined as code (`select_related`), are read too: learners type
        them so."""
        if sum(doc_freq.values()) <= POSTINGS_KEPT:
            stems = list(doc_freq)
        else:
            # Only words a question can search (`_terms.affordable`: no more than RAREST_WORD_LIMIT
            # topics hold them, since the vocabulary is that large), costliest first.
            costly = sorted((stem for stem, docs in doc_freq.items() if COSTLY_TERM_DOCS < docs <= RAREST_WORD_LIMIT),
                            key=lambda stem: (-doc_freq[stem], stem))
            stems, postings = [], 0
            for stem in costly:
                postings += doc_freq[stem]
                if postings > PREREAD_POSTINGS:
                    break
                stems.append(stem)
            phrases = None
        generation = self._generation
        asked: dict[_Key, tuple[str, ...]] = {}  # stems -> the words to ask the index for
        for stem in stems:
            word = (spellings or {}).get(stem) if porter_stem(stem) != stem else stem
            if word is None or porter_stem(word) != stem:
                word = _spelling(stem)
            if word is not None:
                asked[(stem,)] = (word,)
        asked.update((key, found) for key, found in (phrases or {}).items() if _key(MatchTerm(found)) == key)
        keys = [key for key in asked if key not in self._read_at_load]
        for start in range(0, len(keys), READ_AT_ONCE):
            batch = keys[start:start + READ_AT_ONCE]
            found = await self._repository.term_relevance([MatchTerm(asked[key]) for key in batch])
            if generation != self._generation:
                return
            for key in batch:
                matches = found[MatchTerm(asked[key])]
                # A word asked by another spelling must find every topic holding its stem, as the
                # vocabulary counts them: else it is read when a question asks for it, as typed.
                if len(key) > 1 or asked[key] == key or len(matches) == doc_freq[key[0]]:
                    self._read_at_load[key] = _shares(matches)

    def snapshot(self) -> RelevanceSnapshot:
        """The shares kept, least recently used first, and those read at load (for `restore` in
        another `TermRelevance`). The shares never change once read: they are shared, not copied."""
        return tuple(self._shares.items()), tuple(self._read_at_load.items())

    def restore(self, snapshot: RelevanceSnapshot) -> None:
        """Keep the shares of `snapshot`, as `read_vocabulary` would have read them."""
        kept, at_load = snapshot
        self._shares = OrderedDict(kept)
        self._postings = sum(len(found) for _, found in kept)
        self._read_at_load = dict(at_load)

    async def ranked(
        self, terms: Sequence[MatchTerm], visible: Callable[[int], bool], limit: int, *, remember: bool = True,
        held_nowhere: Callable[[_Key], bool] | None = None,
    ) -> list[FtsMatch]:
        """The `limit` visible topics holding any of `terms`, best bm25 first (`totals`, `best_of`)."""
        totals = await self.totals(terms, remember=remember, held_nowhere=held_nowhere)
        return [FtsMatch(topic_id, totals[topic_id]) for topic_id in best_of(totals, visible, limit)]

    async def totals(
        self, terms: Sequence[MatchTerm], *, remember: bool = True,
        held_nowhere: Callable[[_Key], bool] | None = None,
    ) -> dict[int, float]:
        """Every topic holding any of `terms`, with its bm25 for them. `remember=False` reads every
        term not read when the topics were loaded from the index (the benchmarks' "afresh"), even
        one an earlier question read. `held_nowhere`: whether no topic holds a phrase (its stems),
        when that is known without the index: it scores none."""
        keys = [_key(term) for term in terms]
        kept, loaded = self._shares, self._read_at_load
        shares: dict[_Key, _Shares | None] = {
            key: loaded[key] if key in loaded else kept.get(key) if remember else None for key in keys}
        if held_nowhere is not None:
            for key in keys:
                if shares[key] is None and len(key) > 1 and held_nowhere(key):
                    shares[key] = _NONE
        missing = {key: term for key, term in zip(keys, terms, strict=True) if shares[key] is None}
        if missing:
            generation = self._generation
            found = await self._repository.term_relevance(list(missing.values()))
            for key, term in missing.items():
                shares[key] = _shares(found[term])
                if remember and generation == self._generation:
                    self._keep(key, _shares(found[term]))
        # In the query's order: the same additions, in the same order, as FTS5's (0.0 + x is x,
        # so the first term's shares are its totals).
        totals: dict[int, float] = dict(shares[keys[0]] or ()) if keys else {}
        get = totals.get
        for key in keys[1:]:
            for topic_id, share in shares[key] or ():
                totals[topic_id] = get(topic_id, 0.0) + share
        if remember:
            for key in keys:
                if key in kept:
                    kept.move_to_end(key)
        return totals

    def _keep(self, key: _Key, found: _Shares) -> None:
        previous = self._shares.pop(key, None)
        self._postings -= len(previous) if previous else 0
        self._shares[key] = found
        self._postings += len(found)
        while self._postings > POSTINGS_KEPT and len(self._shares) > 1:
            _, forgotten = self._shares.popitem(last=False)
            self._postings -= len(forgotten)


def best_of(totals: Mapping[int, float], visible: Callable[[int], bool], limit: int) -> list[int]:
    """The `limit` visible topics of `totals`, best first; ties by topic id (as memory keeps them)."""
    best = sorted(totals)  # by topic id, then (a stable sort) best first
    best.sort(key=totals.__getitem__, reverse=True)
    return list(islice(filter(visible, best), limit))
