"""The Python Porter stemmer must stem exactly as SQLite's FTS5 `porter` tokenizer does: search
looks up how many topics hold a word by its stem, without asking the database."""

from __future__ import annotations

import itertools
import sqlite3

from bot.knowledge._stemmer import porter_stem

from ._support import SHIPPED_KNOWLEDGE

SUFFIXES = [
    "ational", "tional", "enci", "anci", "izer", "logi", "bli", "alli", "entli", "eli", "ousli", "ization",
    "ation", "ator", "alism", "iveness", "fulness", "ousness", "aliti", "iviti", "biliti", "icate", "ative",
    "alize", "iciti", "ical", "ful", "ness", "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement",
    "ment", "ent", "sion", "tion", "ou", "ism", "ate", "iti", "ous", "ive", "ize", "e", "ll", "eed", "ed",
    "ing", "at", "bl", "iz", "y", "s", "es", "ies", "sses", "ss", "ying", "ly",
]


def sqlite_stems(tokens: list[str]) -> list[str]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'porter unicode61 remove_diacritics 2')")
    conn.executemany("INSERT INTO t (rowid, x) VALUES (?, ?)", [(i + 1, tok) for i, tok in enumerate(tokens)])
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    by_row = dict(conn.execute("SELECT doc, term FROM v").fetchall())
    return [by_row[i + 1] for i in range(len(tokens))]


def corpus_tokens() -> list[str]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2')")
    conn.executemany("INSERT INTO t (x) VALUES (?)", [(p.read_text(encoding="utf-8"),)
                                                     for p in SHIPPED_KNOWLEDGE.glob("*.md")])
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    return [row[0] for row in conn.execute("SELECT term FROM v")]


def test_same_stems_as_sqlite_for_the_shipped_vocabulary() -> None:
    tokens = corpus_tokens()
    assert len(tokens) > 2000
    assert [porter_stem(t) for t in tokens] == sqlite_stems(tokens)


def test_same_stems_as_sqlite_for_every_suffix_rule() -> None:
    stems = ["b", "ca", "hop", "rel", "gener", "conn", "troubl", "sy", "fil", "agre", "feed", "happ"]
    tokens = sorted({s + x for s, x in itertools.product(stems, SUFFIXES)} | {"a", "is", "y", "sky", "ay" * 40})
    assert [porter_stem(t) for t in tokens] == sqlite_stems(tokens)
