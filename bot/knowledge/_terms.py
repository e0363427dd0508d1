"""Which query words are worth sending to the full-text index, from how many topics hold each.

bm25 has to score every topic an OR query matches, so a word held by thousands of topics costs
milliseconds while telling them apart hardly at all (FTS5 gives a word in over half the topics an
idf of ~0). The rarest words are the informative ones: they go first, until the topics they touch
reach a budget that keeps a search within its time at 10,000 topics and more. With a few hundred
topics the budget never binds. When every word is that common, the topics' names are searched
instead, in memory (`NameIndex.search`): there the same words are still rare.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter

from bot.knowledge._stemmer import porter_stem
from bot.knowledge.repository import MatchTerm, TermCounts

# Topics one search may score: FTS5 reads and ranks roughly one per 1.5 microseconds.
DOC_BUDGET = 300
# The rarest word is searched even past the budget, up to this, so a query is rarely left with none.
RAREST_WORD_LIMIT = 500


class TermStats:
    def __init__(self, counts: TermCounts) -> None:
        self.documents = counts.documents
        self._doc_freq = counts.doc_freq

    def doc_freq(self, words: tuple[str, ...]) -> int:
        """Topics holding the word, or at most this many for a phrase (those holding its rarest word)."""
        if len(words) == 1:  # most terms: no generator to run
            return self._doc_freq.get(porter_stem(words[0]), 0)
        return min(self._doc_freq.get(porter_stem(word), 0) for word in words)


def affordable(weighed: Iterable[tuple[int, MatchTerm]], documents: int) -> list[MatchTerm]:
    """The terms to search, rarest first; terms no topic holds are left out. Past the budget's
    size, so are terms over the budget, and terms in over half the topics once a rarer one is in
    (FTS5 gives those no weight anyway)."""
    terms = sorted(((doc_freq, term) for doc_freq, term in weighed if doc_freq), key=itemgetter(0))
    if documents <= DOC_BUDGET:
        return list(dict.fromkeys(term for _, term in terms))
    chosen: list[MatchTerm] = []
    touched = 0
    for doc_freq, term in terms:
        if term in chosen:
            continue
        if not chosen:
            if doc_freq > RAREST_WORD_LIMIT:
                break
        elif touched + doc_freq > DOC_BUDGET or doc_freq * 2 > documents:
            continue
        chosen.append(term)
        touched += doc_freq
    return chosen
