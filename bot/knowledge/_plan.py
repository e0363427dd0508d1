"""A question's plan: what search asks the index and weighs for it, worked out once a question.

Its words (scaffolding and stop words dropped, `_text`), each looked up as the topics hold it, or
completed when unfinished, or corrected from the names' vocabulary when misspelt; the terms worth
a full-text query (`_terms.affordable`); the terms confidence weighs (`AskedTerm`); the topics it
names; and whether it names another stack (`other_stacks`). The words and code phrases the topics
hold are planned once, when the topics are read (`know_vocabulary`): a question is mostly made of
them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

from bot.knowledge._confidence import CODE_EMPHASIS, UNKNOWN_EMPHASIS, AskedTerm
from bot.knowledge._meaning import StaticModel
from bot.knowledge._names import NameIndex, allowed_typos
from bot.knowledge._stemmer import porter_stem
from bot.knowledge._terms import TermStats, affordable
from bot.knowledge._text import STOP_WORDS, query_terms_and_words
from bot.knowledge.other_stacks import OtherStacks, paths_of_other_languages
from bot.knowledge.repository import MatchTerm

MAX_COMPLETIONS = 2
MAX_CORRECTIONS = 2
MAX_CORRECTED_WORDS = 3  # a query of many unknown words is not a typo, and each costs a fuzzy scan
NAMED_UNKNOWN_EMPHASIS = 0.75  # a word no topic holds, in a question naming one of ours
_LOWER_CAMEL = re.compile(r"\b[a-z]+[A-Z][A-Za-z0-9]*\b")  # useEffect, setState: code of another stack
# A class name of two words or more after its package's path: celery.exceptions.SoftTimeLimitExceeded
_QUALIFIED_CLASS_NAME = re.compile(
    r"\b([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*)*\.((?:[A-Z][a-z0-9]+){2,})\b")
_CLASS_NAME_WORD = re.compile(r"[A-Z][a-z0-9]+")
# A word no topic holds is corrected only when the sentence model does not know it whole (`_english`):
# before, "correct" became "connect" and "cluster" "counter". On dev3, one off-topic question more
# answered with no topic; dev and the tuned suites unchanged. Shorter words known whole are often
# pieces of longer ones ("conn", "auth").
ENGLISH_MIN_LENGTH = 5
MIN_MISSPELLING_LENGTH = 5  # shorter alias-only words ("sqli", "rbca") may be real; kept as typed
KNOWN_TERMS_KEPT = 50_000  # words and phrases whose part of a plan is kept (a few hundred bytes each)


@dataclass
class QueryPlan:
    terms: list[MatchTerm] = field(default_factory=list)
    too_common: list[tuple[str, ...]] = field(default_factory=list)  # known words, all too common to search
    corrections: dict[str, str] = field(default_factory=dict)  # typed word -> the word searched instead
    words: list[str] = field(default_factory=list)  # every word, corrected, stop words included
    asked: list[AskedTerm] = field(default_factory=list)  # the terms confidence weighs
    # The terms of words that do not name another stack, when the question names one ("terraform"):
    # a topic must hold two of them to answer (the homonym rule, `other_stacks`). None otherwise.
    generic: list[AskedTerm] | None = None
    # Whether the question names another stack and none of ours: then it is about that stack
    # unless a topic holds half of it (FOREIGN_CONFIDENT), and a one-word name it calls a topic by
    # (`named`: topic -> the name's length in words) is no evidence of the topic: another stack's
    # word too, maybe ("godot signals").
    foreign: bool = False
    named: dict[int, int] = field(default_factory=dict)
    # Topics one of whose names the question holds as typed, whatever server sees them.
    named_anywhere: dict[int, int] = field(default_factory=dict)
    # Per server (what it sees): topics one of whose names the question holds, with the name's length
    # in words (`NameIndex.name_matches`), as the last ranking worked it out.
    named_as: dict[int | None, dict[int, int]] = field(default_factory=dict)
    # Each topic's closeness in meaning to the question, once worked out: a miss searches it again
    # ("did you mean", the closest topics) with another limit.
    closeness: dict[int, float] = field(default_factory=dict)
    indexes: Indexes | None = None  # what it was planned with

    @property
    def content_words(self) -> int:
        return max(1, sum(1 for word in self.words if word not in STOP_WORDS))


@dataclass(frozen=True)
class Indexes:
    """What search keeps in memory, read from the database after every change."""

    names: NameIndex
    terms: TermStats
    # What each word or code phrase the topics hold as typed adds to a plan, the same in every
    # question (`_known`): those of the topics worked out when they are read, others as asked.
    known_terms: dict[tuple[str, ...], KnownTerm] = field(default_factory=dict)
    # Whether no topic holds a phrase (its stems), when that is known (`Confidence.held_nowhere`).
    held_nowhere: Callable[[tuple[str, ...]], bool] = lambda stems: False
    other_stacks: OtherStacks = field(default_factory=OtherStacks)


def plan_query(query: str, indexes: Indexes) -> QueryPlan:
    """The question's plan over `indexes`: its terms searched and weighed, corrections, the topics
    it names and whether it names another stack."""
    plan = QueryPlan(indexes=indexes)
    weighed: list[tuple[int, MatchTerm]] = []
    attempts = 0
    names = indexes.names
    known_terms = indexes.known_terms
    typed_terms, typed_words = query_terms_and_words(query)
    other_stack = indexes.other_stacks.named_in(typed_words) | paths_of_other_languages(query)
    # A question naming one of our topics ("RabbitMQ vs. Kafka | An architect dillema") is about
    # it: a word no topic holds there is mostly English around the name, not another field.
    foreign = bool(other_stack) and not indexes.other_stacks.ours_named_in(typed_words)
    named = names.name_matches(typed_words, None)
    plan.named_anywhere = named
    unknown_emphasis = NAMED_UNKNOWN_EMPHASIS if named else UNKNOWN_EMPHASIS
    asked_stems: set[tuple[str, ...]] = set()
    for typed in typed_terms:
        # A word asked twice in two forms ("does not exist … it actually exists") is asked once:
        # counted twice, it would double what a topic holding it earns.
        stems = tuple(map(porter_stem, typed))
        if stems in asked_stems:
            continue
        asked_stems.add(stems)
        known = known_terms.get(typed)
        if known is None and len(known_terms) < KNOWN_TERMS_KEPT:
            known = _known(typed, indexes)
            if known is not None:
                known_terms[typed] = known
        if known is not None:
            weighed.append(known[0])
            plan.asked.append(known[1])
            continue
        term = typed
        doc_freq = typed_freq = _phrase_freq(term, indexes)
        if not doc_freq and len(term) > 1 and attempts < MAX_CORRECTED_WORDS:
            # A joined chunk with a misspelt part ("prefetch_relatd"): correct the parts, keep the phrase.
            fixed = []
            for word in term:
                correction = None
                if len(word) >= 4 and word.isalpha() and not indexes.terms.doc_freq((word,)) and not _english(word):
                    attempts += 1
                    correction = next(iter(names.corrections(word, 1)), None)
                if correction is not None:
                    plan.corrections[word] = correction
                fixed.append(correction or word)
            term = tuple(fixed)
            doc_freq = _phrase_freq(term, indexes)
        elif doc_freq and len(term) == 1 and _misspelt_alias(term[0], names):
            # Only a misspelt alias holds it ("serialiser"): search the word it misspells too, as for a
            # typo. When most topics hold that word, the alias would pin a word that names nothing in
            # particular on one topic ("djnago rest framwork" is not about Django MVT): drop it.
            correction = next(iter(names.corrections(term[0], 1)), None)
            if correction is not None:
                plan.corrections[term[0]] = correction
                corrected_freq = indexes.terms.doc_freq((correction,))
                searched = [MatchTerm((correction,))]
                if corrected_freq * 2 <= indexes.terms.documents:
                    searched.insert(0, MatchTerm(term))
                weighed += [(indexes.terms.doc_freq(match.words), match) for match in searched]
                plan.asked.append(AskedTerm(doc_freq, tuple(searched), False))
                continue
        if not doc_freq and len(term) > 1:
            # No topic holds the joined chunk ("NEAR(celery", "user.is_staff"): its words stand alone.
            _words_alone(term, plan, weighed, indexes)
            continue
        if doc_freq or not term[0].isalpha() or attempts == MAX_CORRECTED_WORDS:
            searched_term = MatchTerm(term)
            weighed.append((doc_freq, searched_term))
            if doc_freq or not _has_digits(term):  # an unknown number ("2000 lines") says how much, not what
                plan.asked.append(AskedTerm(typed_freq, (searched_term,) if doc_freq else (), term != typed))
            continue
        # A word no topic holds: unfinished ("pagina") or misspelt ("celary"), unless it names
        # another stack ("rust" is no misspelt "rest").
        word = term[0]
        parts = _class_name_words(word, query, lambda package: package not in other_stack and all(
            indexes.terms.doc_freq((part,)) for part in package.split("_")))
        if any(indexes.terms.doc_freq((part,)) for part in parts):
            # A class name no topic writes whole, from a package the topics know, as a traceback
            # prints it ("celery.exceptions.SoftTimeLimitExceeded", "rest_framework.exceptions.
            # NotAuthenticated"): its words stand alone, as a joined chunk's do; a word the question
            # asks besides is asked once. A class name alone stays one unknown word: more often than
            # not another stack's ("DbContext", "StopAllCoroutines").
            _words_alone(tuple(part for part in parts if (porter_stem(part),) not in asked_stems), plan, weighed,
                         indexes)
            asked_stems.update((porter_stem(part),) for part in parts)
            continue
        joined = names.joined(word)
        if joined is not None:
            # A name of ours written without its spaces ("Create Mockserver for REST API"): its words,
            # each asked once, as a joined chunk's.
            _words_alone(tuple(part for part in joined if (porter_stem(part),) not in asked_stems), plan, weighed,
                         indexes)
            asked_stems.update((porter_stem(part),) for part in joined)
            continue
        attempts += 1
        alternatives = names.completions(word, MAX_COMPLETIONS) if len(word) >= 4 and word not in other_stack else []
        if word not in other_stack and not _english(word):
            alternatives += [w for w in names.corrections(word, MAX_CORRECTIONS) if w not in alternatives]
        weighed += [(indexes.terms.doc_freq((alt,)), MatchTerm((alt,))) for alt in alternatives]
        # In a question about another stack, a word no topic holds (its name, its talk: "kubernetes
        # cluster") is what the question is about, not English around a name of ours that it shares
        # ("nginx").
        emphasis = 1.0 if alternatives else CODE_EMPHASIS if _written_as_camel(word, query) else \
            UNKNOWN_EMPHASIS if foreign else unknown_emphasis
        plan.asked.append(AskedTerm(0, tuple(MatchTerm((alt,)) for alt in alternatives), True, emphasis))
        if alternatives:
            plan.corrections[word] = alternatives[0]
    plan.terms = affordable(weighed, indexes.terms.documents)
    if not plan.terms:
        plan.too_common = [term.words for doc_freq, term in weighed if doc_freq]
    corrections = plan.corrections
    plan.words = [corrections.get(w, w) for w in typed_words] if corrections else typed_words
    if other_stack:
        marked = {porter_stem(word) for word in other_stack}
        plan.generic = [term for term in plan.asked if term.stems.isdisjoint(marked)]
        plan.foreign = foreign
        plan.named = named
    return plan


KnownTerm = tuple[tuple[int, MatchTerm], AskedTerm]


def _known(typed: tuple[str, ...], indexes: Indexes) -> KnownTerm | None:
    """What a term adds to any plan when the topics hold it as typed and it is no misspelt alias
    with a correction: itself, searched and weighed as it is. None for any other term (`plan_query`
    works those out question by question: corrections are bounded per question)."""
    doc_freq = _phrase_freq(typed, indexes)
    if not doc_freq:
        return None
    if len(typed) == 1 and _misspelt_alias(typed[0], indexes.names) and indexes.names.corrections(typed[0], 1):
        return None
    term = MatchTerm(typed)
    return (doc_freq, term), AskedTerm(doc_freq, (term,), False)


def know_vocabulary(indexes: Indexes, topic_words: Iterable[str], phrases: Iterable[tuple[str, ...]]) -> None:
    """Work out at once what each word and code phrase of the topics adds to a plan (4,664 of them,
    ~50 ms, for the shipped knowledge base): a question is mostly made of them."""
    known_terms = indexes.known_terms
    for typed in itertools.chain(((word,) for word in topic_words if len(word) > 1 and word not in STOP_WORDS),
                                 phrases):
        if len(known_terms) >= KNOWN_TERMS_KEPT:
            return
        known = _known(typed, indexes)
        if known is not None:
            known_terms[typed] = known


def typos(plan: QueryPlan) -> dict[str, str]:
    """The plan's corrections that fix a misspelling: within `allowed_typos` edits of the word typed
    (completions of an unfinished word are searched, never offered as "did you mean")."""
    return {typed: fixed for typed, fixed in plan.corrections.items()
            if OSA.distance(typed, fixed) <= allowed_typos(typed)}


def _phrase_freq(term: tuple[str, ...], indexes: Indexes) -> int:
    """Topics holding the term, at most; 0 for a phrase whose words no topic writes one after the
    other ("django filter", "check object permissions"), so its words are searched and weighed
    one by one rather than as a phrase nothing holds."""
    doc_freq = indexes.terms.doc_freq(term)
    if doc_freq and len(term) > 1 and indexes.held_nowhere(tuple(map(porter_stem, term))):
        return 0
    return doc_freq


def _english(word: str) -> bool:
    """Whether a word no topic holds is a word of English (or of the trade) as it is: one the
    sentence model knows whole, of ENGLISH_MIN_LENGTH letters or more. Such a word is no misspelling
    of a name ("correct" is not a misspelt "connect"); a typo ("celary", "framwork") is not known."""
    return len(word) >= ENGLISH_MIN_LENGTH and StaticModel.shipped().pieces.whole_word(word)


def _words_alone(term: tuple[str, ...], plan: QueryPlan, weighed: list[tuple[int, MatchTerm]],
                 indexes: Indexes) -> None:
    """The words of `term`, which no topic holds whole, each searched and weighed on its own (stop
    words and lone characters left out; an unknown number says how much, not what)."""
    for word in term:
        if len(word) > 1 and word not in STOP_WORDS:
            freq = indexes.terms.doc_freq((word,))
            weighed.append((freq, MatchTerm((word,))))
            if freq or not _has_digits((word,)):
                plan.asked.append(AskedTerm(freq, (MatchTerm((word,)),) if freq else (), False))


def _class_name_words(word: str, query: str, ours: Callable[[str], bool]) -> list[str]:
    """The words of `word` when the question writes it as a Python class name of two words or more,
    qualified by a package that `ours` accepts (`celery.exceptions.SoftTimeLimitExceeded`: soft,
    time, limit, exceeded), else none."""
    for match in _QUALIFIED_CLASS_NAME.finditer(query):
        package, name = match.group(1).lower(), match.group(2)
        if name.lower() == word and ours(package):
            return [part.lower() for part in _CLASS_NAME_WORD.findall(name)]
    return []


def _written_as_camel(word: str, query: str) -> bool:
    return any(match.lower() == word for match in _LOWER_CAMEL.findall(query))


def _has_digits(term: tuple[str, ...]) -> bool:
    return any(ch.isdigit() for word in term for ch in word)


def _misspelt_alias(word: str, names: NameIndex) -> bool:
    return len(word) >= MIN_MISSPELLING_LENGTH and word.isalpha() and not names.spelt_right(word)


def named_in(plan: QueryPlan, names: NameIndex, guild_id: int | None) -> dict[int, int]:
    """Topics the server sees one of whose names the question holds as searched: those it holds as
    typed, when nothing was corrected (one pass over the question's words, not two)."""
    if plan.corrections:
        return names.name_matches(plan.words, guild_id)
    visible = names.visible_ids(guild_id)
    return {topic_id: length for topic_id, length in plan.named_anywhere.items() if topic_id in visible}


def exact_names(plan: QueryPlan, names: NameIndex, guild_id: int | None) -> set[int]:
    """Topics one of whose names is the whole query, give or take stop words."""
    meaningful = [w for w in plan.words if w not in STOP_WORDS] or plan.words
    return names.named_exactly(meaningful, guild_id)
