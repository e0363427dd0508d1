"""What a question means beyond the words it shares with a topic: how close, 0 to 1, a question
and a topic are in a sentence model's space.

The model is static (data/meaning/README.md): one vector per word piece of all-MiniLM-L6-v2's
vocabulary, distilled from that sentence model, so a text's vector is the mean of its pieces'
vectors, a few microseconds, where running the model itself would take milliseconds a question.
A topic is near a question when one of its names (title, aliases, challenge headings, symptoms)
or its title and summary together are: `MeaningIndex.closeness` is the mean of the best of its
names and of the whole. Search uses it to turn away a topic that holds the question's words but
not what it is about ("jitter" in a game engine), and to order near ties (bot.knowledge.search).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from bot.knowledge.repository import IndexedText, KnowledgeRepository

MEANING_DIR = Path(__file__).resolve().parents[2] / "data" / "meaning"
CACHED_TOPICS = 1024  # topics whose vectors stay in memory (~36 KB each: a name is 1 KB)
READ_AT_ONCE = 500
MAX_NAMES = 64  # a topic's names weighed (title, aliases, headings, symptoms): enough for any curated one
SUMMARY_CHARS = 600  # the summary's start: what a topic is about, before the detail
WORDS_KEPT = 65_536  # words whose split into pieces is remembered


class WordPieces:
    """BERT's uncased WordPiece split, as the model's tokenizer.json describes it (the `tokenizers`
    library does the same, with a hub client besides; tests/knowledge/test_meaning.py checks the two
    agree): lower case without accents, words split at spaces and punctuation, each word into the
    longest pieces of the vocabulary from its start, a word with no such split left out."""

    def __init__(self, vocabulary: Sequence[str], max_word: int = 100) -> None:
        self._ids = {piece: index for index, piece in enumerate(vocabulary)}
        self._max_word = max_word
        # Words recur (in questions, across topics): each is split once.
        self._word_ids = functools.lru_cache(maxsize=WORDS_KEPT)(self._split_word)

    def whole_word(self, word: str) -> bool:
        """Whether the vocabulary holds `word` (lower case) as one piece: a word the model knows."""
        return word in self._ids

    def ids(self, text: str) -> list[int]:
        return list(itertools.chain.from_iterable(map(self._word_ids, _basic_words(text))))

    def _split_word(self, word: str) -> tuple[int, ...]:
        if len(word) > self._max_word:
            return ()
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                index = self._ids.get(piece)
                if index is not None:
                    ids.append(index)
                    break
                end -= 1
            else:
                return ()  # [UNK] for the whole word, which the model leaves out
            start = end
        return tuple(ids)


# An ASCII text's words and punctuation, once its control characters are gone: the common case, in C.
_ASCII_WORDS = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _basic_words(text: str) -> list[str]:
    if text.isascii():
        lowered = text.lower()
        # No control character in it (a typed question), nothing to take out: one regex, not two.
        return _ASCII_WORDS.findall(lowered if lowered.isprintable() else _ASCII_CONTROL.sub("", lowered))
    cleaned = []
    for char in unicodedata.normalize("NFD", text.lower()):
        code = ord(char)
        category = unicodedata.category(char)
        if code == 0 or code == 0xFFFD or category == "Mn" or (category.startswith("C") and char not in "\t\n\r"):
            continue
        if char.isspace():
            cleaned.append(" ")
        elif _is_punctuation(char, code, category) or _is_cjk(code):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    return "".join(cleaned).split()


def _is_punctuation(char: str, code: int, category: str) -> bool:
    return 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126 or category.startswith("P")


def _is_cjk(code: int) -> bool:
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0x2A700 <= code <= 0x2B73F or 0x2B740 <= code <= 0x2B81F or 0x2B820 <= code <= 0x2CEAF
            or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F)


@dataclass(frozen=True)
class StaticModel:
    """Word-piece vectors and the split of a text into those pieces."""

    # (pieces, dims), float32 in memory (30 MB): shipped as float16 (15 MB on disk), widened once
    # when loaded, as every sum would widen them: a question's vector takes a third of the time.
    vectors: np.ndarray
    pieces: WordPieces

    @classmethod
    @functools.cache
    def shipped(cls, folder: Path = MEANING_DIR) -> StaticModel:
        """The model in `folder`, loaded once a process."""
        vectors = np.load(folder / "vectors.npy").astype(np.float32)
        vocabulary = (folder / "vocabulary.txt").read_text(encoding="utf-8").split("\n")
        return cls(vectors, WordPieces(vocabulary[: len(vectors)]))

    def embed_one(self, text: str) -> np.ndarray:
        """One text's vector (a question's): `embed`'s, from `unscaled`. The length is a Python
        float: numpy divides by it in float32, as by its own square root, which rounds the same."""
        vector, length = self.unscaled(text)
        return vector / length

    def unscaled(self, text: str) -> tuple[np.ndarray, float]:
        """One text's vector before it is scaled to length 1, and its length: a question's, whose
        cosines are scaled instead (a few dozen floats, where scaling the vector is one more numpy
        call, and each costs a question microseconds in the bot, where its code is out of cache)."""
        ids = self.pieces.ids(text)
        if not ids:
            return np.zeros(self.vectors.shape[1], np.float32), 1.0
        vector = self.vectors.take(ids, axis=0).sum(axis=0)
        return vector, max(math.sqrt(vector @ vector), 1e-9)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Each text's vector, of length 1 (zero for a text of no known piece). The mean is left
        unscaled: only the direction counts."""
        if len(texts) == 1:
            return self.embed_one(texts[0])[np.newaxis]
        split = [self.pieces.ids(text) for text in texts]
        # Many texts (a topic's names, a batch of topics): one sparse product of each text's piece
        # counts with the rows of the pieces they use. numpy's reduceat over the pieces' rows, the
        # obvious way, took 20 times as long.
        lengths = np.fromiter(map(len, split), np.int64, len(split))
        starts = np.zeros(len(split) + 1, np.int64)
        np.cumsum(lengths, out=starts[1:])
        every_piece = np.fromiter(itertools.chain.from_iterable(split), np.int64, int(starts[-1]))
        used, column = np.unique(every_piece, return_inverse=True)
        counts = sparse.csr_matrix((np.ones(len(every_piece), np.float32), column.reshape(-1), starts),
                                   shape=(len(split), len(used)))
        out = np.asarray(counts @ self.vectors[used])
        norms = np.sqrt(np.einsum("ij,ij->i", out, out))[:, np.newaxis]
        return out / np.maximum(norms, 1e-9)


@dataclass(frozen=True)
class TopicMeaning:
    # Each name's vector, then the whole's (the title with the summary's start): one product with a
    # question gives all its cosines. float32, as numpy multiplies float16 without BLAS, slowly.
    vectors: np.ndarray

    @classmethod
    def of_many(cls, model: StaticModel, topics: Sequence[IndexedText]) -> list[TopicMeaning]:
        """Each topic's vectors, all worked out in one product."""
        texts = [_texts_weighed(indexed) for indexed in topics]
        vectors = model.embed([text for weighed in texts for text in weighed])
        ends = itertools.accumulate(map(len, texts))
        return [cls(vectors[end - len(weighed):end]) for weighed, end in zip(texts, ends, strict=True)]

    def closeness(self, asked: np.ndarray, length: float = 1.0) -> float:
        """The mean of the nearest name's cosine with `asked` and the whole's; `length`: `asked`'s,
        when it is not 1 (`StaticModel.unscaled`)."""
        cosines = (self.vectors @ asked).tolist()  # a few dozen: Python's max beats numpy's call
        whole = cosines.pop()
        return ((max(cosines) if cosines else 0.0) + whole) / (2 * length)


def _texts_weighed(indexed: IndexedText) -> list[str]:
    """A topic's names (title, aliases, headings, symptoms: the index's naming lines), then its
    whole: the title with the summary's start."""
    names = [line for line in indexed.naming.split("\n") if line.strip()][:MAX_NAMES]
    title = names[0] if names else ""
    summary = indexed.text.split("\n", 1)[0][:SUMMARY_CHARS]
    return [*names, f"{title}. {summary}"]


MeaningSnapshot = tuple[tuple[int, "TopicMeaning"], ...]


class MeaningIndex:
    """The topics' vectors, read when the topics are (`read_topics`) or when first asked about."""

    def __init__(self, repository: KnowledgeRepository, model: StaticModel | None = None) -> None:
        self._repository = repository
        self._model = model or StaticModel.shipped()
        self._topics: OrderedDict[int, TopicMeaning] = OrderedDict()
        # The latest question's vector: search weighs its topics one by one for a first answer.
        self._asked: tuple[str, np.ndarray, float] | None = None

    def invalidate(self) -> None:
        self._topics = OrderedDict()

    async def read_topics(self, topic_ids: Sequence[int]) -> None:
        """Work out every topic's vectors now when they all fit in memory, so no question waits."""
        if len(topic_ids) > CACHED_TOPICS:
            return
        for start in range(0, len(topic_ids), READ_AT_ONCE):
            await self._read(topic_ids[start:start + READ_AT_ONCE])

    async def _read(self, topic_ids: Sequence[int]) -> None:
        texts = await self._repository.indexed_texts(topic_ids)
        for indexed, meaning in zip(texts, TopicMeaning.of_many(self._model, texts), strict=True):
            self._topics[indexed.topic_id] = meaning
        while len(self._topics) > CACHED_TOPICS:
            self._topics.popitem(last=False)

    def snapshot(self) -> MeaningSnapshot:
        """What `read_topics` worked out, for another index over the same topics (`restore`)."""
        return tuple(self._topics.items())

    def restore(self, snapshot: MeaningSnapshot) -> None:
        self._topics = OrderedDict(snapshot)

    async def closeness(self, query: str, topic_ids: Sequence[int]) -> dict[int, float]:
        """How near each topic is to what `query` means: the mean of its nearest name's cosine and
        its whole's. A topic unpublished since it was ranked is left out."""
        if not topic_ids:
            return {}
        missing = [topic_id for topic_id in topic_ids if topic_id not in self._topics]
        if missing:
            await self._read(missing)
        if self._asked is None or self._asked[0] != query:
            self._asked = (query, *self._model.unscaled(query))
        _, asked, length = self._asked
        found = {}
        for topic_id in topic_ids:
            topic = self._topics.get(topic_id)
            if topic is None:
                continue
            self._topics.move_to_end(topic_id)
            found[topic_id] = topic.closeness(asked, length)
        return found
