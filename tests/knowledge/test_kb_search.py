"""Ranked search: names above body mentions, aliases, unfinished words, typos with "did you mean",
autocomplete, and input that is never read as FTS syntax."""

from __future__ import annotations

import pytest

from bot.knowledge.model import SearchHit
from bot.knowledge.service import KnowledgeService

from .conftest import WriteTopic

HOSTILE = [
    "",
    "   ",
    '"',
    '"celery',
    '"celery"',
    "celery*",
    "*",
    "-",
    "-celery",
    "celery - redis",
    "NEAR(celery redis)",
    "NEAR(",
    "celery OR redis",
    "celery AND NOT redis",
    "OR",
    "AND",
    "NOT",
    "((celery",
    "celery))",
    "()",
    "{title}: celery",
    "title:celery",
    "^celery",
    "celery + redis",
    "🚀",
    "🚀 celery 🐍",
    "\x00celery\x00",
    "'; DROP TABLE knowledge_topics; --",
    "%_%",
    "ｃｅｌｅｒｙ",  # full-width letters
    "célery",
    "x" * 5000,
    "celery " * 500,
    "a b c d e f g h i j k l m n o p q r s t u v w x y z",
]


def slugs(hits: list[SearchHit]) -> list[str]:
    return [hit.slug for hit in hits]


async def test_a_name_beats_a_mention_in_the_body(loaded: KnowledgeService) -> None:
    # Redis' summary and Compose's summary mention Celery; the Celery topics are about it, and come
    # first (a mention alone, far from what the word means, may not answer at all).
    hits = slugs(await loaded.search("celery"))
    assert hits[:2] == ["celery", "celery-beat"]


async def test_scores_are_best_first(loaded: KnowledgeService) -> None:
    hits = await loaded.search("celery", limit=5)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len(await loaded.search("celery", limit=2)) == 2


async def test_aliases_find_their_topic(loaded: KnowledgeService) -> None:
    assert slugs(await loaded.search("select_related vs prefetch_related"))[0] == "orm-query-optimization"
    assert slugs(await loaded.search("n+1 queries"))[0] == "orm-query-optimization"
    assert slugs(await loaded.search("crontab"))[0] == "celery-beat"
    assert slugs(await loaded.search("depends_on"))[0] == "docker-compose"


async def test_the_longest_name_in_the_question_wins(loaded: KnowledgeService) -> None:
    # "celery" names one topic, but "periodic tasks" inside the same question names the other.
    assert slugs(await loaded.search("how do i run periodic tasks with celery"))[0] == "celery-beat"


async def test_learner_phrasing_with_stop_words(loaded: KnowledgeService) -> None:
    assert slugs(await loaded.search("why is my celery task running twice?"))[0] == "celery"
    assert slugs(await loaded.search("my app starts before postgres is ready"))[0] == "docker-compose"
    assert slugs(await loaded.search("how do i return my list in pages"))[0] == "api-pagination"


async def test_an_unfinished_word_is_completed(loaded: KnowledgeService) -> None:
    assert slugs(await loaded.search("paginat"))[0] == "api-pagination"
    assert slugs(await loaded.search("optimiz"))[0] == "orm-query-optimization"


async def test_typos_are_corrected_and_offered_as_did_you_mean(loaded: KnowledgeService) -> None:
    assert slugs(await loaded.search("dokcer compose"))[0] == "docker-compose"
    assert await loaded.suggest_spelling("dokcer compose") == "docker compose"
    assert slugs(await loaded.search("celery beet"))[0] == "celery-beat"
    assert await loaded.suggest_spelling("celery beet") == "celery beat"
    assert slugs(await loaded.search("paginaton"))[0] == "api-pagination"


async def test_no_did_you_mean_when_the_query_is_fine(loaded: KnowledgeService) -> None:
    assert await loaded.suggest_spelling("celery beat") is None
    assert await loaded.suggest_spelling("") is None


async def test_nothing_found_then_the_closest_names(loaded: KnowledgeService) -> None:
    assert await loaded.search("kubernetes helm charts") == []
    closest = await loaded.closest("compose healthcheks")
    assert closest and closest[0].slug == "docker-compose"


async def test_a_question_the_topics_only_brush_gets_no_topic_but_the_closest(loaded: KnowledgeService) -> None:
    # Celery's title says "background", and nothing else of the question: not an answer.
    question = "photoshop remove the background of a photo"
    assert await loaded.search(question) == []
    # Nor is it the closest topic (search.NEAR_CLOSENESS): a photo is far from tasks and workers…
    assert await loaded.closest(question) == []
    # …and so are another language's background jobs, though Celery holds more of them (0.29): before
    # the meaning floor, Celery was offered as "the closest topic" to Elixir's.
    assert await loaded.search("background jobs in elixir") == []
    assert await loaded.closest("background jobs in elixir") == []
    # The same word in a question Celery does answer.
    assert slugs(await loaded.search("run slow work in the background with a worker"))[0] == "celery"


async def test_confidence_is_the_share_of_the_question_a_topic_holds(loaded: KnowledgeService) -> None:
    whole = await loaded.search("celery worker task runs twice")
    assert whole[0].slug == "celery" and whole[0].confidence == 1.0
    # Only the summary holds "slow" and "outside": half credit for the text, none for "kubernetes".
    partial = await loaded.search("celery slow outside kubernetes")
    assert partial[0].slug == "celery" and 0.3 <= partial[0].confidence < 1.0


async def test_autocomplete_completes_names_then_falls_back_to_search(loaded: KnowledgeService) -> None:
    assert slugs(await loaded.autocomplete("celery b"))[0] == "celery-beat"
    assert slugs(await loaded.autocomplete("cel"))[:2] == ["celery", "celery-beat"]
    assert slugs(await loaded.autocomplete("dock"))[0] == "docker-compose"
    assert slugs(await loaded.autocomplete("select_rel"))[0] == "orm-query-optimization"
    # A question, not a name: the choices come from full search.
    assert slugs(await loaded.autocomplete("my task runs twice"))[0] == "celery"
    # Nothing typed: every topic, alphabetically by title, at most the limit.
    everything = await loaded.autocomplete("")
    assert [h.title for h in everything] == sorted(h.title for h in everything)
    assert len(everything) == 6
    assert len(await loaded.autocomplete("", limit=3)) == 3
    assert len(await loaded.autocomplete("c", limit=100)) <= 25


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_input_never_raises(loaded: KnowledgeService, text: str) -> None:
    hits = await loaded.search(text)
    assert isinstance(hits, list) and len(hits) <= 5
    await loaded.autocomplete(text, guild_id=1)
    await loaded.suggest_spelling(text)
    await loaded.closest(text)
    await loaded.log_lookup(1, text, None)


async def test_operators_are_plain_words(loaded: KnowledgeService) -> None:
    for text in ['"celery"', "celery*", "-celery", "NEAR(celery", "((celery", "🚀 celery 🐍", "ｃｅｌｅｒｙ",
                 "NOT celery"]:
        assert slugs(await loaded.search(text))[0] == "celery", text
    # OR is a word, not an operator: it does not widen "celery" to everything Redis.
    assert slugs(await loaded.search("celery OR redis"))[:2] != ["redis-caching"]


async def test_an_empty_knowledge_base_answers_nothing(service: KnowledgeService) -> None:
    await service.sync()
    assert await service.search("celery") == []
    assert await service.autocomplete("cel") == []
    assert await service.suggest_spelling("celery") is None


def test_discord_markup_and_lone_characters_are_not_query_terms() -> None:
    from bot.knowledge._text import query_terms

    assert query_terms("@everyone <@&123> <#456> <t:1700000000:R> celery") == [("celery",)]
    assert query_terms("zzqx 1") == [("zzqx",)]
    assert query_terms("the n+1 query") == [("n", "1"), ("query",)]  # a lone character inside a term stays


async def test_closest_offers_only_names_that_really_look_alike(loaded) -> None:
    assert await loaded.closest("kubernetes") == []
    assert await loaded.closest("zxqv blorf") == []
    assert [hit.slug for hit in await loaded.closest("dockercompse")][:1] == ["docker-compose"]


async def test_did_you_mean_never_proposes_a_misspelt_alias(write_topic: WriteTopic, service: KnowledgeService) -> None:
    write_topic("celery", title="Celery: background tasks", category="Async & messaging",
                aliases=["celary", "celery worker"], summary="Celery runs tasks in a worker process.")
    write_topic("django-mvt", title="Django MVT architecture", category="Django", aliases=["djnago", "mvt"],
                summary="How a Django project is laid out: apps, URLs, views and templates.")
    write_topic("drf-serializers", title="DRF serializers", category="APIs",
                aliases=["serializer", "django rest framework"],
                summary="In Django REST framework a serializer turns models into JSON and validates input.")
    write_topic("rest-api-design", title="REST API design", category="APIs", aliases=["rest"],
                summary="Resources, URLs and HTTP methods. Django REST framework routers map them.")
    await service.sync()
    assert await service.suggest_spelling("celry") == "celery"
    assert slugs(await service.search("celry"))[0] == "celery"
    # A misspelt alias still finds its topic, and is itself corrected.
    assert slugs(await service.search("celary"))[0] == "celery"
    assert await service.suggest_spelling("celary") == "celery"
    # "djnago" (in most topics once corrected) does not pin the question on Django MVT.
    assert await service.suggest_spelling("djnago rest framwork") == "django rest framework"
    assert slugs(await service.search("djnago rest framwork"))[0] == "drf-serializers"
    # Unfinished words complete to words spelt right only ("celar" is not "celary" unfinished).
    assert await service.suggest_spelling("celar") == "Celery: background tasks"
