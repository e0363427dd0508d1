"""Every published topic's names (slug, title, aliases) in memory: the strongest signal a query
can carry ("select_related vs prefetch_related" names a topic outright), autocomplete over names,
the vocabulary that typo correction picks from, and the candidates of "did you mean".

Some aliases are misspellings on purpose ("celary", "djnago"): they match what learners type, but
a correction never proposes them. The vocabulary of corrections and completions is the names'
words that are spelt right: words of a title or slug, and alias words the curated text also holds.

Built from the database in one query and rebuilt after a sync or an approval changes a topic.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.knowledge._stemmer import porter_stem
from bot.knowledge._text import STOP_WORDS, words
from bot.knowledge.repository import FtsMatch, NameRow

MAX_NAME_WORDS = 6
VISIBLE_SETS_KEPT = 64  # servers whose visible topic ids are kept
COMPLETION_KEY_CHARS = 40
COMPLETION_STARTS = 8  # a typed word is looked for at the first 8 words of each name
NAME_POSTINGS_LIMIT = 1000  # a name word in more topics than this tells them apart too little to score
COMPLETION_SCAN = 2000  # names looked at per keystroke at most, whatever the prefix: bounded time
_TITLE_HEAD = re.compile(r"\s*(?::|\(| - | — | vs\.? )")

# How a typed prefix meets a name, best first: the start of a name (title, slug, alias), or a word inside.
_NAME_START, _INNER_WORD = range(2)


@dataclass(frozen=True)
class NamedTopic:
    id: int
    guild_id: int | None
    slug: str
    title: str
    category: str

    @property
    def short_title(self) -> str:
        """The title's head, for naming the topic in a sentence ("JWT authentication", not its subtitle)."""
        return _TITLE_HEAD.split(self.title, maxsplit=1)[0].strip() or self.title

    def visible_in(self, guild_id: int | None) -> bool:
        return self.guild_id is None or self.guild_id == guild_id


def folded(words: Iterable[str]) -> list[str]:
    """Each word as a crude singular, so "views" in a question meets "view" in a name (both sides
    fold alike). Words at once: a question's are folded in one pass, not a call a word."""
    return [w[:-1] if len(w) > 3 and w[-1] == "s" and not w.endswith("ss") else w for w in words]


def allowed_typos(word: str) -> int:
    """Edits tolerated in a word: none in short ones, where one edit makes another word."""
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


class NameIndex:
    def __init__(self, rows: Iterable[NameRow], curated_terms: frozenset[str]) -> None:
        """`curated_terms`: the stemmed words of the topics' titles and texts, aliases left out."""
        self._curated_terms = curated_terms
        self._title_words: set[str] = set()
        self._topics: dict[int, NamedTopic] = {}
        self._visible_ids: dict[int | None, frozenset[int]] = {}
        self._owners: dict[tuple[str, ...], set[int]] = defaultdict(set)
        self._choices: list[str] = []
        self._compact_choices: list[str] = []  # the same without spaces: "dockercompse" is "docker compose"
        # Names of several words written as one ("mockserver", "celerybeat"): their words.
        self._joined: dict[str, tuple[str, ...]] = {}
        self._choice_owner: list[int] = []
        completions: list[set[tuple[str, int]]] = [set(), set()]  # per rank: (key, topic id)
        # Stemmed name word -> {topic id: 2 for a title word, 1 for another name's}.
        self._word_topics: dict[str, dict[int, int]] = defaultdict(dict)
        vocabulary: set[str] = set()
        for row in rows:
            self._topics[row.id] = NamedTopic(row.id, row.guild_id, row.slug, row.title, row.category)
            title_words = words(row.title)
            self._title_words.update(title_words, words(row.slug))
            head = _TITLE_HEAD.split(row.title, maxsplit=1)[0]
            for name in dict.fromkeys((row.title, head, row.slug, *row.aliases)):
                name_words = title_words if name == row.title else words(name)
                if not name_words:
                    continue
                vocabulary.update(name_words)
                self._choices.append(" ".join(name_words))
                self._compact_choices.append("".join(name_words))
                self._choice_owner.append(row.id)
                if len(name_words) <= MAX_NAME_WORDS and not all(w in STOP_WORDS for w in name_words):
                    self._owners[tuple(folded(name_words))].add(row.id)
                    if len(name_words) > 1 and all(w.isalpha() for w in name_words):
                        self._joined.setdefault("".join(name_words), tuple(name_words))
                for word in name_words:
                    topics = self._word_topics[porter_stem(word)]
                    topics[row.id] = max(topics.get(row.id, 0), 2 if name == row.title else 1)
                for start in range(min(len(name_words), COMPLETION_STARTS)):
                    key = " ".join(name_words[start:])[:COMPLETION_KEY_CHARS]
                    completions[_NAME_START if start == 0 else _INNER_WORD].add((key, row.id))
        # The names (folded) as a tree of their words, each node a dict of the words that go on
        # from it and, under None, the topics whose name ends there: a question is matched word by
        # word and stops where no name goes on.
        self._name_tree: dict[str | None, Any] = {}
        for name, owners in self._owners.items():
            node = self._name_tree
            for word in name:
                node = node.setdefault(word, {})
            node[None] = owners
        self._longest_compact = max(map(len, self._compact_choices), default=0)
        self._completions: list[tuple[list[str], list[int]]] = []  # per rank: sorted keys, their topics
        for entries in completions:
            ordered = sorted(entries)
            self._completions.append(([key for key, _ in ordered], [topic_id for _, topic_id in ordered]))
        self._by_title = sorted(self._topics.values(), key=lambda t: (t.title.casefold(), t.id))
        self._sorted_words = sorted(word for word in vocabulary if self.spelt_right(word))
        # Correction candidates by (length, first letter): a typo rarely hits the first letter, and
        # the buckets keep the fuzzy scan to a few hundred words at 10,000 topics.
        self._buckets: dict[tuple[int, str], list[str]] = defaultdict(list)
        for word in self._sorted_words:
            if word not in STOP_WORDS and not word.isdigit():
                self._buckets[len(word), word[0]].append(word)

    def copy(self) -> NameIndex:
        """The same index, sharing everything built from the names (never changed once built), with
        caches of its own."""
        other = object.__new__(NameIndex)
        other.__dict__.update(self.__dict__)
        other._visible_ids = {}
        return other

    def spelt_right(self, word: str) -> bool:
        """A word of a title or slug, or one the curated text holds (in some form: "indexes", "indexing")."""
        return word in self._title_words or porter_stem(word) in self._curated_terms

    def topic(self, topic_id: int) -> NamedTopic | None:
        return self._topics.get(topic_id)

    @property
    def topics(self) -> Mapping[int, NamedTopic]:
        """Every topic by id (what `topic` reads, for loops over many)."""
        return self._topics

    def visible_ids(self, guild_id: int | None) -> frozenset[int]:
        """The ids of the topics this server sees (kept for the latest few servers)."""
        seen = self._visible_ids.get(guild_id)
        if seen is None:
            seen = frozenset(t.id for t in self._topics.values() if t.visible_in(guild_id))
            if len(self._visible_ids) >= VISIBLE_SETS_KEPT:
                self._visible_ids.pop(next(iter(self._visible_ids)))
            self._visible_ids[guild_id] = seen
        return seen

    def name_matches(self, query_words: list[str], guild_id: int | None) -> dict[int, int]:
        """Topics one of whose names appears in the query, with the length in words of the longest
        such name. A name inside a longer matched name counts for nothing ("celery" in "celery
        beat" is about beat)."""
        singular = folded(query_words)
        spans: list[tuple[int, int, set[int]]] = []
        tree, length = self._name_tree, len(singular)
        for start, word in enumerate(singular):
            node = tree.get(word)
            if node is None:  # no name begins here (most words)
                continue
            # Names from here, longest first: grown word by word while some name goes on so.
            found: list[tuple[int, int, set[int]]] = []
            end = start + 1
            while True:
                owners = node.get(None)
                if owners:
                    found.append((start, end, owners))
                if end == length or (node := node.get(singular[end])) is None:
                    break
                end += 1
            spans += reversed(found)
        matches: dict[int, int] = {}
        if not spans:
            return matches
        visible = self.visible_ids(guild_id)
        for start, end, owners in spans:
            if len(spans) > 1 and any(s <= start and end <= e and e - s > end - start for s, e, _ in spans):
                continue
            for topic_id in owners:
                if topic_id in visible:
                    matches[topic_id] = max(matches.get(topic_id, 0), end - start)
        return matches

    def named_exactly(self, query_words: list[str], guild_id: int | None) -> set[int]:
        """Topics one of whose names is all of `query_words`: those `name_matches` finds with a
        name as long as the query, looked up at once."""
        if len(query_words) > MAX_NAME_WORDS:  # longer than any name (most real questions)
            return set()
        owners = self._owners.get(tuple(folded(query_words)), ())
        visible = self.visible_ids(guild_id)
        return {topic_id for topic_id in owners if topic_id in visible}

    def search(self, terms: list[tuple[str, ...]], guild_id: int | None, limit: int) -> list[FtsMatch]:
        """Topics whose names hold the terms, scored like a tiny bm25 (rarer words and title words
        weigh more): for queries whose every word is too common to rank in the full text."""
        scores: dict[int, float] = defaultdict(float)
        for term in terms:
            postings = [self._word_topics.get(porter_stem(word), {}) for word in term]
            holders = postings[0] if len(postings) == 1 else \
                {t: min(p[t] for p in postings) for t in set(postings[0]).intersection(*postings[1:])}
            if not holders or len(holders) > NAME_POSTINGS_LIMIT:
                continue
            idf = math.log(1 + len(self._topics) / (1 + len(holders)))
            for topic_id, weight in holders.items():
                scores[topic_id] += idf * weight
        ranked = heapq.nlargest(limit * 2, scores.items(), key=lambda item: item[1])
        visible = [(t, s) for t, s in ranked if self._topics[t].visible_in(guild_id)]
        return [FtsMatch(topic_id, score) for topic_id, score in visible[:limit]]

    def complete(self, typed: str, guild_id: int | None, limit: int) -> list[NamedTopic]:
        """Topics with a name starting with `typed`, the shortest such name first ("cel" offers
        "celery" before "celery beat"), then topics with a word inside a name starting with it;
        alphabetical by title with no text typed."""
        key = " ".join(words(typed))[:COMPLETION_KEY_CHARS]
        if not key:
            return list(itertools.islice((t for t in self._by_title if t.visible_in(guild_id)), limit))
        found: dict[int, tuple[int, int]] = {}  # topic id -> (rank, length of the name it matched)
        wanted = limit * 2  # a few more than shown, so the shorter names can come first
        for rank, (keys, owners) in enumerate(self._completions):
            index = bisect.bisect_left(keys, key)
            end = min(len(keys), index + COMPLETION_SCAN)
            while index < end and len(found) < wanted and keys[index].startswith(key):
                topic_id = owners[index]
                if topic_id not in found and self._topics[topic_id].visible_in(guild_id):
                    found[topic_id] = (rank, len(keys[index]))
                index += 1
        ordered = sorted(found, key=lambda t: (found[t], len(self._topics[t].title), self._topics[t].title))
        return [self._topics[t] for t in ordered[:limit]]

    def joined(self, word: str) -> tuple[str, ...] | None:
        """The words of the name of several words that `word` writes without its spaces
        ("mockserver" is "mock server"), if it is one."""
        return self._joined.get(word)

    def completions(self, prefix: str, limit: int) -> list[str]:
        """Name words spelt right starting with `prefix` (shortest first): "pagina" is "pagination" unfinished."""
        start = bisect.bisect_left(self._sorted_words, prefix)
        found = []
        for word in self._sorted_words[start : start + COMPLETION_SCAN]:
            if not word.startswith(prefix):
                break
            if word != prefix and word not in STOP_WORDS:
                found.append(word)
        return sorted(found, key=len)[:limit]

    def corrections(self, word: str, limit: int) -> list[str]:
        """Name words spelt right within a few edits (a swapped pair of letters is one edit), closest first."""
        allowed = allowed_typos(word)
        if allowed == 0:
            return []
        found: list[tuple[float, str]] = []
        for length in range(len(word) - allowed, len(word) + allowed + 1):
            bucket = self._buckets.get((length, word[0]))
            if bucket:
                found += [
                    (distance, candidate)
                    for candidate, distance, _ in process.extract(
                        word, bucket, scorer=OSA.distance, score_cutoff=allowed, limit=limit
                    )
                ]
        return [candidate for _, candidate in sorted(found)[:limit]]

    def spelt_like(self, query: str, guild_id: int | None, limit: int) -> list[tuple[NamedTopic, str]]:
        """Topics one of whose names is the whole query misspelt: within `allowed_typos` edits of
        it, spaces left out ("dockercompse", "prefetchrelatd"), closest first, with the name it
        misspells. A query that merely shares letters with a name ("center a div", "Docker") is no
        misspelling of it."""
        compact = "".join(words(query))
        allowed = allowed_typos(compact)
        if not allowed or len(compact) > self._longest_compact + allowed:  # a sentence misspells no name
            return []
        found: dict[int, tuple[float, str]] = {}
        for _, distance, index in process.extract(
            compact, self._compact_choices, scorer=OSA.distance, score_cutoff=allowed, limit=limit * 8
        ):
            topic = self._topics[self._choice_owner[index]]
            if topic.visible_in(guild_id) and distance < found.get(topic.id, (allowed + 1, ""))[0]:
                found[topic.id] = (distance, self._choices[index])
        best = sorted(found.items(), key=lambda item: item[1][0])[:limit]
        return [(self._topics[topic_id], name) for topic_id, (_, name) in best]
