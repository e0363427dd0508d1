"""Every published topic's names (slug, title, aliases) in memory: the strongest signal a query
can carry ("select_related vs prefetch_related" names a topic outright), the vocabulary that typo
correction picks from, and the candidates of "did you mean".

Built from the database in one query and rebuilt after a sync or an approval changes a name.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.db.knowledge import NameRow
from bot.knowledge._text import STOP_WORDS, words

MAX_NAME_WORDS = 6
_TITLE_HEAD = re.compile(r"\s*(?::|\(| - | — | vs\.? )")


@dataclass(frozen=True)
class NamedTopic:
    id: int
    guild_id: int | None
    slug: str
    title: str
    category: str

    def visible_in(self, guild_id: int | None) -> bool:
        return self.guild_id is None or self.guild_id == guild_id


def fold(word: str) -> str:
    """A crude singular, so "views" in a question meets "view" in a name (both sides fold alike)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def allowed_typos(word: str) -> int:
    """Edits tolerated in a word: none in short ones, where one edit makes another word."""
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


class NameIndex:
    def __init__(self, rows: Iterable[NameRow]) -> None:
        self._topics: dict[int, NamedTopic] = {}
        self._owners: dict[tuple[str, ...], set[int]] = defaultdict(set)
        vocabulary: set[str] = set()
        self._choices: list[str] = []
        self._choice_owner: list[int] = []
        for row in rows:
            self._topics[row.id] = NamedTopic(row.id, row.guild_id, row.slug, row.title, row.category)
            head = _TITLE_HEAD.split(row.title, maxsplit=1)[0]
            for name in {row.slug, row.title, head, *row.aliases}:
                name_words = words(name)
                if not name_words:
                    continue
                vocabulary.update(name_words)
                self._choices.append(" ".join(name_words))
                self._choice_owner.append(row.id)
                if len(name_words) <= MAX_NAME_WORDS and not all(w in STOP_WORDS for w in name_words):
                    self._owners[tuple(fold(w) for w in name_words)].add(row.id)
        self.vocabulary = frozenset(vocabulary)
        self._sorted = sorted(vocabulary)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in self._sorted:
            self._by_length[len(word)].append(word)

    def topic(self, topic_id: int) -> NamedTopic | None:
        return self._topics.get(topic_id)

    def name_matches(self, query_words: list[str], guild_id: int | None) -> dict[int, int]:
        """Topics one of whose names appears in the query, with the length in words of the longest
        such name. A name inside a longer matched name counts for nothing ("celery" in "celery
        beat" is about beat)."""
        folded = [fold(w) for w in query_words]
        spans: list[tuple[int, int, set[int]]] = []
        for start in range(len(folded)):
            for end in range(min(len(folded), start + MAX_NAME_WORDS), start, -1):
                owners = self._owners.get(tuple(folded[start:end]))
                if owners:
                    spans.append((start, end, owners))
        matches: dict[int, int] = {}
        for start, end, owners in spans:
            if any(s <= start and end <= e and e - s > end - start for s, e, _ in spans):
                continue
            for topic_id in owners:
                if self._topics[topic_id].visible_in(guild_id):
                    matches[topic_id] = max(matches.get(topic_id, 0), end - start)
        return matches

    def completions(self, prefix: str, limit: int) -> list[str]:
        """Name words starting with `prefix` (shortest first): "pagina" is "pagination" unfinished."""
        start = bisect.bisect_left(self._sorted, prefix)
        found = []
        for word in self._sorted[start:]:
            if not word.startswith(prefix):
                break
            if word != prefix:
                found.append(word)
        return sorted(found, key=len)[:limit]

    def corrections(self, word: str, limit: int) -> list[str]:
        """Name words within a few edits (a swapped pair of letters is one edit), closest first."""
        allowed = allowed_typos(word)
        if allowed == 0:
            return []
        found: list[tuple[float, str]] = []
        for length in range(len(word) - allowed, len(word) + allowed + 1):
            bucket = self._by_length.get(length)
            if bucket:
                for candidate, distance, _ in process.extract(
                    word, bucket, scorer=OSA.distance, score_cutoff=allowed, limit=limit
                ):
                    # Between equally close words, prefer the one that starts the same way.
                    found.append((distance + (0.0 if candidate[0] == word[0] else 0.5), candidate))
        return [candidate for _, candidate in sorted(found)[:limit]]

    def closest(self, query: str, guild_id: int | None, limit: int, cutoff: float = 70) -> list[tuple[NamedTopic, float]]:
        """Topics whose title or an alias looks most like `query` (for "did you mean")."""
        text = " ".join(words(query))
        if not text:
            return []
        found: dict[int, float] = {}
        for _, score, index in process.extract(
            text, self._choices, scorer=fuzz.WRatio, score_cutoff=cutoff, limit=limit * 8
        ):
            topic = self._topics[self._choice_owner[index]]
            if topic.visible_in(guild_id) and score > found.get(topic.id, 0):
                found[topic.id] = score
        best = sorted(found.items(), key=lambda item: -item[1])[:limit]
        return [(self._topics[topic_id], score) for topic_id, score in best]
