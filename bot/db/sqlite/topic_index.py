"""Reading the topics' FTS5 index (`knowledge_fts` and its vocabularies): shared by SQLite, where the
index lives in the database file, and PostgreSQL, where each process keeps the same FTS5 index in an
in-memory SQLite built from the index's rows (`InMemoryTopicIndex`), so search ranks identically on
both engines (bm25 bit for bit). Query words reach FTS5 only as quoted strings built by
`_fts_phrase`, never as syntax, whatever a member typed."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Protocol

from bot.db.sqlite.database import load_migrations
from bot.knowledge.repository import FtsMatch, IndexedText, MatchTerm

# bm25 weights per column: a word in the title or an alias says far more than one in the body.
# Columns: title, aliases, challenges (the symptom headings), summary, body, scope.
SEARCH_WEIGHTS = (10.0, 7.0, 3.0, 2.0, 1.0, 0.0)
_BM25 = f"bm25({', '.join(str(w) for w in SEARCH_WEIGHTS)})"
_BM25_OF_ROW = f"bm25(knowledge_fts, {', '.join(str(w) for w in SEARCH_WEIGHTS)})"
_SEARCH_COLUMNS = "{title aliases challenges summary body}"
_CURATED_COLUMNS = ("title", "challenges", "summary", "body")
SUGGESTED_SCOPE = "kbsuggested"
# The index's columns, in order, after its rowid (the topic's id).
INDEX_COLUMNS = ("title", "aliases", "challenges", "summary", "body", "scope")


def scope_words(guild_id: int | None) -> str:
    """The index's `scope` column: empty for a curated topic, the owning server for a suggested one."""
    return "" if guild_id is None else f"{SUGGESTED_SCOPE} kbguild{guild_id}"


def other_servers_excluded(guild_id: int | None) -> str:
    """An FTS5 clause that drops other servers' suggested topics. Suggested topics are few, so this
    costs their short lists only, where requiring a mark on every curated topic would walk them all."""
    if guild_id is None:
        return f'NOT (scope : "{SUGGESTED_SCOPE}")'
    return f'NOT (scope : ("{SUGGESTED_SCOPE}" NOT "kbguild{int(guild_id)}"))'


def _fts_phrase(term: MatchTerm) -> str:
    """One quoted FTS5 string: whatever is inside is a word to find, never an operator."""
    return '"' + " ".join(term.words).replace('"', '""') + '"'


class IndexReader(Protocol):
    """What reading the index needs of a SQLite connection: the bot's `Database`, or `InMemoryTopicIndex`."""

    async def fetchall(self, sql: str, params: Any = ()) -> list[Any]:
        ...


class Fts5TopicIndex:
    """The full-text queries `KnowledgeRepository` answers, on a SQLite holding `knowledge_fts`."""

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader

    async def search(self, terms: Sequence[MatchTerm], guild_id: int | None, limit: int) -> list[FtsMatch]:
        """Topics holding any of `terms`, best bm25 first (ids only: the caller holds the names)."""
        if not terms:
            return []
        either = " OR ".join(_fts_phrase(t) for t in terms)
        match = f"({_SEARCH_COLUMNS} : ({either})) {other_servers_excluded(guild_id)}"
        rows = await self._reader.fetchall(
            "SELECT rowid, rank FROM knowledge_fts WHERE knowledge_fts MATCH ? AND rank MATCH ? ORDER BY rank LIMIT ?",
            [match, _BM25, limit],
        )
        return [FtsMatch(r[0], -float(r[1])) for r in rows]

    async def term_relevance(self, terms: Sequence[MatchTerm]) -> dict[MatchTerm, list[FtsMatch]]:
        """For each term, every topic holding it with the term's share of bm25 (see
        `KnowledgeRepository.term_relevance`)."""
        if not terms:
            return {}
        one_term = f"SELECT ?, rowid, {_BM25_OF_ROW} FROM knowledge_fts WHERE knowledge_fts MATCH ?"
        params: list[object] = []
        for number, term in enumerate(terms):
            params += [number, f"{_SEARCH_COLUMNS} : {_fts_phrase(term)}"]
        rows = await self._reader.fetchall(" UNION ALL ".join([one_term] * len(terms)), params)
        found: dict[MatchTerm, list[FtsMatch]] = {term: [] for term in terms}
        for number, topic_id, rank in rows:
            found[terms[number]].append(FtsMatch(topic_id, -float(rank)))
        return found

    async def doc_freq(self) -> dict[str, int]:
        """How many indexed topics hold each stemmed term."""
        rows = await self._reader.fetchall("SELECT term, doc FROM knowledge_fts_terms")
        return {r[0]: r[1] for r in rows}

    async def curated_terms(self) -> frozenset[str]:
        """Every stemmed term of the indexed topics' titles and texts: aliases left out, since
        some aliases are deliberate misspellings ("celary") kept for matching only."""
        marks = ", ".join("?" for _ in _CURATED_COLUMNS)
        rows = await self._reader.fetchall(
            f"SELECT DISTINCT term FROM knowledge_fts_columns WHERE col IN ({marks})", list(_CURATED_COLUMNS)
        )
        return frozenset(r[0] for r in rows)

    async def indexed_texts(self, topic_ids: Sequence[int]) -> list[IndexedText]:
        """What the full-text index holds of these topics, as the index has it (for search's confidence)."""
        if not topic_ids:
            return []
        marks = ", ".join("?" for _ in topic_ids)
        rows = await self._reader.fetchall(
            f"SELECT rowid, title, aliases, challenges, summary, body FROM knowledge_fts WHERE rowid IN ({marks})",
            list(topic_ids),
        )
        return [IndexedText(r[0], "\n".join(r[1:4]), "\n".join(r[4:6])) for r in rows]


class InMemoryTopicIndex:
    """SQLite's FTS5 index of the topics, in this process's memory, filled from rows kept elsewhere
    (PostgreSQL's `knowledge_fts` table): the same tables SQLite's migrations make, so its queries
    and bm25 are SQLite's own. Read synchronously on the event loop: it is in memory and small (one
    row per published topic), so a query takes well under a millisecond and needs no thread."""

    def __init__(self, rows: Sequence[Sequence[Any]]) -> None:
        """`rows`: (topic id, *INDEX_COLUMNS) of every published topic."""
        self._conn = sqlite3.connect(":memory:")
        for migration in load_migrations():  # the index's tables exactly as the SQLite database has them
            self._conn.executescript(migration.sql)
        with self._conn:
            self._conn.executemany(
                f"INSERT INTO knowledge_fts (rowid, {', '.join(INDEX_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [tuple(row) for row in rows],
            )
        self.documents = len(rows)

    async def fetchall(self, sql: str, params: Any = ()) -> list[Any]:
        return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self._conn.close()
