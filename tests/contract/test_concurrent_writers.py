"""Two processes writing at once, on each engine: every write that SQLite's single write lock makes
safe must stay safe on PostgreSQL (READ COMMITTED, several connections), where the repositories use
a constraint, a single upsert or an advisory lock instead. Each test races two repositories on two
connections (two pools on PostgreSQL) to the same database, as two processes would."""

import asyncio
from datetime import UTC, datetime, time

from bot.knowledge.model import Topic
from bot.pairing.records import PlannedPair, UnmatchedEntry
from bot.projects.model import ProjectDraft
from bot.prompts.model import Prompt
from bot.stores import stores_for

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
GUILD = 1


async def two_stores(engine_db, open_engine_db):
    return stores_for(engine_db), stores_for(await open_engine_db())


async def test_two_saves_of_a_learners_project_at_once_leave_one_active_project(engine_db, open_engine_db):
    first, second = await two_stores(engine_db, open_engine_db)
    drafts = [ProjectDraft("job-board", "backend", False, f"Title {n}", "A description.", "Django") for n in (1, 2)]
    saved = await asyncio.gather(first.projects.save_active(GUILD, 7, drafts[0], NOW),
                                 second.projects.save_active(GUILD, 7, drafts[1], NOW))
    assert saved[0].id == saved[1].id  # the second updated the first's row
    assert len(await first.projects.all_active(GUILD)) == 1


async def test_two_setups_at_once_give_the_default_prompts_once(engine_db, open_engine_db):
    first, second = await two_stores(engine_db, open_engine_db)
    defaults = [Prompt(GUILD, "monday-goals", 0, time(9, 0), "Goals?")]
    given = await asyncio.gather(first.prompts.give_defaults(GUILD, defaults, NOW),
                                 second.prompts.give_defaults(GUILD, defaults, NOW))
    assert sorted(given) == [False, True]
    assert [p.key for p in await first.prompts.for_guild(GUILD)] == ["monday-goals"]


async def test_one_round_key_run_twice_at_once_forms_the_round_once(engine_db, open_engine_db):
    first, second = await two_stores(engine_db, open_engine_db)
    pairs = [PlannedPair(11, 12, "same track")]
    left = [UnmatchedEntry(13, "backend", "no-one-left")]
    stored = await asyncio.gather(first.rounds.store_round(GUILD, "2027-W01", None, NOW, pairs, left),
                                  second.rounds.store_round(GUILD, "2027-W01", None, NOW, pairs, left))
    assert sorted(s.created for s in stored) == [False, True]
    assert stored[0].round.id == stored[1].round.id
    assert len(await first.rounds.round_pairs(stored[0].round.id)) == 1
    assert [e.member_id for e in await first.rounds.round_unmatched(stored[0].round.id)] == [13]


async def test_a_learner_left_over_by_two_rounds_at_once_is_told_once(engine_db, open_engine_db):
    first, second = await two_stores(engine_db, open_engine_db)
    left = [UnmatchedEntry(13, "backend", "no-one-left")]
    stored = await asyncio.gather(first.rounds.store_round(GUILD, "a", None, NOW, [], left),
                                  second.rounds.store_round(GUILD, "b", None, NOW, [], left))
    assert sorted(s.unmatched[0].told for s in stored) == [False, True]


async def test_two_approvals_of_the_same_slug_at_once_get_different_slugs(engine_db, open_engine_db):
    first, second = await two_stores(engine_db, open_engine_db)
    topic = Topic("websockets", "WebSockets", "Collaboration", (), (), (), "Sockets that stay open.", (), (), (), ())
    suggestions = [await first.knowledge.add_suggestion(GUILD, 5, "WebSockets", "Why", "", NOW) for _ in range(2)]
    approved = await asyncio.gather(first.knowledge.approve_suggestion(suggestions[0].id, 9, topic, GUILD, NOW),
                                    second.knowledge.approve_suggestion(suggestions[1].id, 9, topic, GUILD, NOW))
    assert sorted(t.slug for t in approved if t is not None) == ["websockets", "websockets-2"]


async def test_two_moderators_deciding_one_suggestion_at_once_decide_it_once(engine_db, open_engine_db):
    first, second = await two_stores(engine_db, open_engine_db)
    topic = Topic("websockets", "WebSockets", "Collaboration", (), (), (), "Sockets that stay open.", (), (), (), ())
    suggestion = await first.knowledge.add_suggestion(GUILD, 5, "WebSockets", "Why", "", NOW)
    approved = await asyncio.gather(first.knowledge.approve_suggestion(suggestion.id, 8, topic, GUILD, NOW),
                                    second.knowledge.approve_suggestion(suggestion.id, 9, topic, GUILD, NOW))
    assert sum(t is not None for t in approved) == 1
