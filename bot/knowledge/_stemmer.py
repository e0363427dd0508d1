"""The Porter stemmer exactly as SQLite's FTS5 `porter` tokenizer applies it (ext/fts5/fts5_porter.c).

Search needs the stem of a query word to look up how many topics hold it (`TermStats`) without a
round trip to the database. Same input, same stem: `tests/knowledge/test_stemmer.py` checks this
against SQLite itself over the whole vocabulary of the shipped topics.

Why not a library: snowballstemmer and PyStemmer implement Snowball's Porter, which SQLite's is
not: they stem two-letter tokens ("is" -> "i") and lack the `bli`/`logi` rules, so 17 of the 3,664
words of the shipped topics got a stem SQLite never indexes (measured 2026-11-22).
"""

from __future__ import annotations

from functools import lru_cache

_MAX_TOKEN = 64  # bytes; FTS5 passes longer tokens through unstemmed, and shorter than 3
_VOWELS = frozenset("aeiou")


def _is_vowel(ch: str, y_is_vowel: bool) -> bool:
    return ch in _VOWELS or (y_is_vowel and ch == "y")


def _gobble_vc(stem: str, previous_consonant: bool) -> int:
    """Length of the leading [C]VC in `stem` (0 if none): one measure of the Porter `m`."""
    consonant = previous_consonant
    i = 0
    while i < len(stem):
        consonant = not _is_vowel(stem[i], consonant)
        if not consonant:
            break
        i += 1
    i += 1
    while i < len(stem):
        consonant = not _is_vowel(stem[i], consonant)
        if consonant:
            return i + 1
        i += 1
    return 0


def _m_gt0(stem: str) -> bool:
    return _gobble_vc(stem, False) > 0


def _m_gt1(stem: str) -> bool:
    n = _gobble_vc(stem, False)
    return bool(n) and _gobble_vc(stem[n:], True) > 0


def _m_eq1(stem: str) -> bool:
    n = _gobble_vc(stem, False)
    return bool(n) and _gobble_vc(stem[n:], True) == 0


def _o_star(stem: str) -> bool:
    """Ends consonant-vowel-consonant, the last not w, x or y."""
    if stem[-1] in "wxy":
        return False
    mask = 0
    consonant = False
    for ch in stem:
        consonant = not _is_vowel(ch, consonant)
        mask = (mask << 1) + int(consonant)
    return (mask & 0b111) == 0b101


def _has_vowel(stem: str) -> bool:
    return any(_is_vowel(ch, i > 0) for i, ch in enumerate(stem))


def _m_gt1_s_or_t(stem: str) -> bool:
    return stem[-1:] in ("s", "t") and _m_gt1(stem)


# Steps 2 to 4: for each penultimate letter, suffixes in the order SQLite tries them. The first
# that ends the word decides; it is replaced only if the rest meets the condition.
_Rule = tuple[str, str]
_STEP2: dict[str, tuple[_Rule, ...]] = {
    "a": (("ational", "ate"), ("tional", "tion")),
    "c": (("enci", "ence"), ("anci", "ance")),
    "e": (("izer", "ize"),),
    "g": (("logi", "log"),),
    "l": (("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous")),
    "o": (("ization", "ize"), ("ation", "ate"), ("ator", "ate")),
    "s": (("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous")),
    "t": (("aliti", "al"), ("iviti", "ive"), ("biliti", "ble")),
}
_STEP3: dict[str, tuple[_Rule, ...]] = {
    "a": (("ical", "ic"),),
    "s": (("ness", ""),),
    "t": (("icate", "ic"), ("iciti", "ic")),
    "u": (("ful", ""),),
    "v": (("ative", ""),),
    "z": (("alize", "al"),),
}
_STEP4: dict[str, tuple[str, ...]] = {
    "a": ("al",),
    "c": ("ance", "ence"),
    "e": ("er",),
    "i": ("ic",),
    "l": ("able", "ible"),
    "n": ("ant", "ement", "ment", "ent"),
    "o": ("ion", "ou"),
    "s": ("ism",),
    "t": ("ate", "iti"),
    "u": ("ous",),
    "v": ("ive",),
    "z": ("ize",),
}


def _replace(word: str, rules: dict[str, tuple[_Rule, ...]]) -> str:
    for suffix, replacement in rules.get(word[-2:-1], ()):
        if len(word) > len(suffix) and word.endswith(suffix):
            stem = word[: -len(suffix)]
            return stem + replacement if _m_gt0(stem) else word
    return word


def _step4(word: str) -> str:
    for suffix in _STEP4.get(word[-2:-1], ()):
        if len(word) > len(suffix) and word.endswith(suffix):
            stem = word[: -len(suffix)]
            keep = _m_gt1_s_or_t(stem) if suffix == "ion" else _m_gt1(stem)
            return stem if keep else word
    return word


def _step1a(word: str) -> str:
    if word.endswith("s"):
        if word[-2:-1] == "e":
            if (len(word) > 4 and word[-4:-2] == "ss") or (len(word) > 3 and word[-3] == "i"):
                return word[:-2]
            return word[:-1]
        if word[-2:-1] != "s":
            return word[:-1]
    return word


def _step1b(word: str) -> str:
    removed = False
    if word[-2:-1] == "e":
        if len(word) > 3 and word.endswith("eed"):
            if _m_gt0(word[:-3]):
                word = word[:-1]
        elif len(word) > 2 and word.endswith("ed") and _has_vowel(word[:-2]):
            word, removed = word[:-2], True
    elif word[-2:-1] == "n" and len(word) > 3 and word.endswith("ing") and _has_vowel(word[:-3]):
        word, removed = word[:-3], True
    if not removed:
        return word
    for suffix, replacement in (("at", "ate"), ("bl", "ble"), ("iz", "ize")):
        if len(word) > 2 and word.endswith(suffix):
            return word[:-2] + replacement
    last = word[-1]
    if not _is_vowel(last, False) and last not in "lsz" and len(word) > 1 and last == word[-2]:
        return word[:-1]
    if _m_eq1(word) and _o_star(word):
        return word + "e"
    return word


@lru_cache(maxsize=65536)
def porter_stem(token: str) -> str:
    """The term FTS5's porter tokenizer stores for `token` (already lowercased, as unicode61 gives it)."""
    size = len(token.encode("utf-8"))
    if size < 3 or size > _MAX_TOKEN:
        return token
    word = _step1b(_step1a(token))
    if word.endswith("y") and _has_vowel(word[:-1]):
        word = word[:-1] + "i"
    word = _step4(_replace(_replace(word, _STEP2), _STEP3))
    if word.endswith("e") and (_m_gt1(word[:-1]) or (_m_eq1(word[:-1]) and not _o_star(word[:-1]))):
        word = word[:-1]
    if len(word) > 1 and word.endswith("ll") and _m_gt1(word[:-1]):
        word = word[:-1]
    return word
