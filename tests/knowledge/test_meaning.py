"""The sentence model's static vectors (bot.knowledge._meaning): the text split as the model's own
tokenizer splits it, and texts near in meaning near in its space."""

from __future__ import annotations

import numpy as np
import pytest

from bot.knowledge._meaning import StaticModel

# What the `tokenizers` library (0.22, the model's tokenizer.json) gives, [UNK] left out as the
# model leaves it: the split the vectors were distilled with, which ours must reproduce exactly.
REFERENCE_SPLITS = {
    "My Celery task runs twice!": [1029, 7295, 2920, 1103, 3711, 2219, 2810, 2],
    "django.core.exceptions.SynchronousOnlyOperation":
        [5523, 22425, 15, 3566, 15, 10793, 15, 25354, 7096, 16178, 25661, 19557, 6680, 28490],
    "Ünïcödé café — naïve": [26263, 6671, 520, 14746],
    "acks_late=True": [8356, 4708, 38, 1400, 30, 1998],
    "日本語": [867, 879, 953],
    "zzzzqqqqxxxx": [65, 12216, 1483, 3163, 3163, 3163, 3163, 19351, 19351],
}


@pytest.fixture(scope="module")
def model() -> StaticModel:
    return StaticModel.shipped()


@pytest.mark.parametrize("text", list(REFERENCE_SPLITS))
def test_a_text_is_split_into_the_pieces_the_models_tokenizer_gives(model: StaticModel, text: str) -> None:
    assert model.pieces.ids(text) == REFERENCE_SPLITS[text]


def test_a_text_of_no_known_piece_has_no_direction(model: StaticModel) -> None:
    vectors = model.embed(["", "   ", "\x00\x07"])
    assert not vectors.any()
    one = model.embed(["celery"])
    assert one.shape == (1, model.vectors.shape[1]) and np.isclose(np.linalg.norm(one), 1.0)


def test_texts_near_in_meaning_are_near_in_the_models_space(model: StaticModel) -> None:
    question, same, other = model.embed([
        "my background job runs twice", "Celery task executed more than once", "center a div with flexbox"])
    assert question @ same > question @ other + 0.1
    # One text or many at once: the same vector.
    assert np.allclose(model.embed(["my background job runs twice"])[0], question, atol=1e-6)


def test_no_closeness_passes_the_most_search_reckons_a_topic_could_reach(model: StaticModel) -> None:
    """Search spares weighing a topic that could not overtake the best found, reckoning its
    closeness at most `CLOSENESS_MAX`: a text's closeness to itself, the nearest there is, stays
    under it, float32 roundings included."""
    from bot.knowledge._meaning import TopicMeaning
    from bot.knowledge.search import CLOSENESS_MAX

    texts = ["my background job runs twice", "Celery", "select_related vs prefetch_related",
             "JWT refresh tokens", "日本語", "a"]
    for text in texts:
        vectors = model.embed([text, text])  # as a topic's one name, and its whole
        closeness = TopicMeaning(vectors).closeness(model.embed_one(text))
        assert 0.99 < closeness <= CLOSENESS_MAX
