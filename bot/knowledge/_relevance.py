"""Full-text relevance (FTS5 bm25) of the topics for a query's terms, kept in memory term by term.

bm25 of a query adds one share per term, in the query's order (`KnowledgeRepository.term_relevance`),
so each term's shares can be read from the index once and kept: a question is then ranked from
memory, bit for bit as the index would rank it. Terms are kept by their stems (FTS5 matches "tasks"
and "task" alike). When every word of the index fits in POSTINGS_KEPT (topic, share) pairs (the
shipped knowledge base: ~2,500 words, ~13,000 pairs, read in ~50 ms) they are all read when the
topics are loaded, so no question waits for the index; past that, terms are read as questions ask
them and the least recently used are forgotten first. Everything is forgotten when topics change.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from itertools import islice

from bot.knowledge._stemmer import porter_stem
from bot.knowledge.repository import FtsMatch, KnowledgeRepository, MatchTerm

# About 100 bytes a pair: at most ~20 MB, whatever the size of the knowledge base.
POSTINGS_KEPT = 200_000
READ_AT_ONCE = 100  # terms per statement when reading the whole vocabulary

_Key = tuple[str, ...]
_Shares = tuple[tuple[int, float], ...]  # (topic id, share)


def _key(term: MatchTerm) -> _Key:
    return tuple(map(porter_stem, term.words))


def _shares(matches: Sequence[FtsMatch]) -> _Shares:
    return tuple((match.topic_id, match.relevance) for match in matches)


class TermRelevance:
    def __init__(self, repository: KnowledgeRepository) -> None:
        self._repository = repository
        self._shares: OrderedDict[_Key, _Shares] = OrderedDict()
        self._postings = 0
        self._generation = 0  # bumped by every change, so a read begun before one is not kept

    def invalidate(self) -> None:
        self._shares.clear()
        self._postings = 0
        self._generation += 1

    async def read_vocabulary(
        self, doc_freq: Mapping[str, int], spellings: Mapping[str, str] | None = None,
        phrases: Mapping[_Key, tuple[str, ...]] | None = None,
    ) -> None:
        """Read every indexed word's shares, when they all fit in memory. `doc_freq`: topics
        holding each stem (the index's vocabulary). FTS5 stems the query too, so a stem is asked
        as itself where stemming it again gives it back, else as a word of the topics that stems
        to it (`spellings`: "agree" for "agre", about one stem in six); a stem with neither is read
        when a question asks for it. `phrases` (stems → words), the topics' words joined as code
        (`select_related`), are read too: learners type them so."""
        if sum(doc_freq.values()) > POSTINGS_KEPT:
            return
        generation = self._generation
        asked: dict[_Key, tuple[str, ...]] = {}  # stems -> the words to ask the index for
        for stem in doc_freq:
            word = stem if porter_stem(stem) == stem else (spellings or {}).get(stem)
            if word is not None and porter_stem(word) == stem:
                asked[(stem,)] = (word,)
        asked.update((key, found) for key, found in (phrases or {}).items() if _key(MatchTerm(found)) == key)
        keys = [key for key in asked if key not in self._shares]
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
                    self._keep(key, _shares(matches))

    def snapshot(self) -> tuple[tuple[_Key, _Shares], ...]:
        """The shares kept, least recently used first (for `restore` in another `TermRelevance`)."""
        return tuple(self._shares.items())

    def restore(self, snapshot: tuple[tuple[_Key, _Shares], ...]) -> None:
        """Keep the shares of `snapshot`, as `read_vocabulary` would have read them."""
        self._shares = OrderedDict(snapshot)
        self._postings = sum(len(found) for _, found in snapshot)

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
        term from the index (the benchmarks' "afresh"). `held_nowhere`: whether no topic holds a
        phrase (its stems), when that is known without the index: it scores none."""
        keys = [_key(term) for term in terms]
        kept = self._shares
        shares: dict[_Key, _Shares | None] = {key: kept.get(key) if remember else None for key in keys}
        if held_nowhere is not None:
            for key in keys:
                if shares[key] is None and len(key) > 1 and held_nowhere(key):
                    shares[key] = ()
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
