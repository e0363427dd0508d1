"""`/topic …` through the real bot and the local Discord stand-in, read as a member sees it."""

import asyncio
import re
import sqlite3

import pytest

pytestmark = pytest.mark.asyncio

CHANNEL = "prodevprojectnexus"
ORM = "orm-query-optimization"
ORM_TITLE = "ORM query optimization: select_related, prefetch_related and N+1"


def button_ids(message):
    return [b["custom_id"] for b in message.buttons if "custom_id" in b]


def embed(message, index=0):
    return message.embeds[index]


def no_pings(message):
    mentions = message.allowed_mentions
    return mentions is not None and mentions.get("parse") == [] and not mentions.get("users") \
        and not mentions.get("roles")


async def query(nexus, member="ada", **options):
    return await nexus.standin.invoke(member, "topic query", options)


# --- looking up -----------------------------------------------------------------------------

async def test_autocomplete_offers_at_most_25_choices_relevant_first(nexus):
    choices = await nexus.standin.autocomplete("ada", "topic query", {"query": "select_rel"}, focused="query")
    assert 0 < len(choices) <= 25
    assert choices[0] == {"name": ORM_TITLE, "value": ORM}

    choices = await nexus.standin.autocomplete("ada", "topic query", {"query": "dock"}, focused="query")
    assert [c["value"] for c in choices[:2]] == ["docker", "docker-compose"]

    everything = await nexus.standin.autocomplete("ada", "topic query", {"query": ""}, focused="query")
    assert len(everything) == 25
    assert all(len(c["name"]) <= 100 for c in everything)


async def test_a_question_typed_to_the_end_is_answered_from_what_its_autocomplete_found(nexus, monkeypatch):
    """Discord sends what a member types to the autocomplete before the command comes: the command
    answers from that search (nothing ranked again), with the same topic and "did you mean" as a
    search afresh."""
    from bot.knowledge import search as search_module

    typed = "my  celary task runs twice "  # as typed: a typo, spaces to spare
    choices = await nexus.standin.autocomplete("ada", "topic query", {"query": typed}, focused="query")
    ranked = []
    original = search_module.KnowledgeSearch._ranked

    async def counted(self, query, *args, **kwargs):
        ranked.append(query)
        return await original(self, query, *args, **kwargs)

    monkeypatch.setattr(search_module.KnowledgeSearch, "_ranked", counted)
    reply = await query(nexus, query=typed)
    assert ranked == []
    afresh = await nexus.bot.services.knowledge.search("my celary task runs twice", nexus.standin.guild.id, 1,
                                                       remember=False)
    assert afresh and choices[0]["value"] == afresh[0].slug
    assert embed(reply.message)["title"] == afresh[0].title
    assert "Did you mean **my celery task runs twice**?" in reply.message.content


async def test_a_picked_choice_opens_that_topic_at_the_asked_section_privately(nexus):
    reply = await query(nexus, query=ORM, section="Common challenges")
    assert reply.ephemeral
    shown = embed(reply.message)
    assert shown["title"] == f"{ORM_TITLE} · Common challenges"
    assert "**My DRF list endpoint makes hundreds of queries**" in shown["description"]
    assert "bulk_create" in shown["description"]
    # Only that section: no key ideas, no further reading.
    assert "QuerySets are lazy" not in reply.message.text
    assert "Databases" in shown["footer"]["text"]
    assert f"nexus:topic:post:{ORM}:challenges" in button_ids(reply.message)


async def test_the_whole_topic_has_every_section_and_its_related_topics_as_buttons(nexus):
    reply = await query(nexus, query="my drf endpoint makes hundreds of queries n+1")
    assert reply.ephemeral
    shown = embed(reply.message)
    assert shown["title"] == ORM_TITLE
    assert shown["description"].startswith("The N+1 problem is the most common Django performance bug")
    names = [f["name"] for f in shown["fields"]]
    assert names[0] == "Key ideas" and names[-2:] == ["Best practices", "Further reading"]
    assert any("I used prefetch_related but it still runs a query per object" in n for n in names)
    ids = button_ids(reply.message)
    assert f"nexus:topic:post:{ORM}" in ids
    assert {f"nexus:topic:open:{slug}" for slug in ("django-orm", "explain-analyze", "database-indexing",
                                                     "drf-serializers", "graphql-dataloaders")} <= set(ids)


async def test_free_text_with_a_typo_says_did_you_mean_and_answers(nexus):
    reply = await query(nexus, query="serialzer validation")
    assert reply.ephemeral
    assert "Did you mean **serializer validation**?" in reply.message.content
    assert embed(reply.message)["title"].startswith("DRF serializers")


async def test_a_misspelt_part_of_a_name_is_corrected_and_said(nexus):
    reply = await query(nexus, query="prefetch_relatd")
    assert embed(reply.message)["title"] == ORM_TITLE
    assert "Did you mean **prefetch related**?" in reply.message.content


async def test_a_question_with_mentions_searches_only_its_words(nexus):
    reply = await query(nexus, query="@everyone <@&1325750707814400001> zzqx")
    assert "No topic covers that yet" in reply.message.text
    assert no_pings(reply.message)


async def test_no_match_offers_the_closest_topics_and_points_to_suggest(nexus):
    reply = await query(nexus, query="prefetchrelatd", public=True)
    assert reply.ephemeral  # a miss is never posted, even when asked to post
    assert "No topic covers that yet" in reply.message.text
    assert "Did you mean **" + ORM_TITLE.replace("_", "\\_") + "**?" in reply.message.text  # markdown escaped
    assert "/topic suggest" in reply.message.text
    assert button_ids(reply.message)[0] == f"nexus:topic:open:{ORM}"

    opened = await nexus.standin.click("ada", reply.message, f"nexus:topic:open:{ORM}")
    assert opened.ephemeral and embed(opened.message)["title"] == ORM_TITLE

    nothing = await query(nexus, query="kubernetes helm charts")
    assert "No topic covers that yet" in nothing.message.text and "/topic suggest" in nothing.message.text
    assert "“kubernetes helm charts”" in nothing.message.text


async def test_an_off_topic_question_gets_no_topic_and_the_list_and_is_logged_unanswered(nexus):
    reply = await query(nexus, query="stripe payments integration", public=True)
    assert reply.ephemeral  # never posted, even when asked to post
    shown = embed(reply.message)
    assert shown["title"] == "No topic covers that yet"
    assert "“stripe payments integration”" in shown["description"] and "/topic suggest" in shown["description"]
    assert "Did you mean" not in reply.message.text  # a question about something else is no typo
    # CI/CD holds "integration" and nothing more (0.22): below the closest topics' floor, so the
    # answer offers no topic that merely shares a word and points to the list instead.
    assert button_ids(reply.message) == []
    assert "/topic list" in shown["description"]

    stats = await nexus.standin.invoke("mentor", "topic stats", {"days": 7})
    assert "“stripe payments integration” — **1**" in stats.message.text


async def test_a_misspelling_is_corrected_to_a_word_spelt_right(nexus):
    reply = await query(nexus, query="celry")
    assert "Did you mean **celery**?" in reply.message.content
    assert embed(reply.message)["title"].startswith("Celery:")

    drf = await query(nexus, query="djnago rest framwork")
    assert "Did you mean **django rest framework**?" in drf.message.content
    assert embed(drf.message)["title"].startswith("DRF ")


async def test_member_text_in_a_miss_is_escaped_and_pings_nobody(nexus):
    reply = await query(nexus, query="**kubernetes** helm")
    assert "No topic covers that yet" in reply.message.text
    assert no_pings(reply.message)
    assert "“\\*\\*kubernetes\\*\\* helm”" in reply.message.text
    assert reply.message.buttons == []  # nothing close enough to offer


async def test_a_related_topic_button_opens_the_related_topic_for_whoever_pressed(nexus):
    reply = await query(nexus, query=ORM, public=True)
    related = await nexus.standin.click("ben", reply.message, "nexus:topic:open:django-orm")
    assert related.member_id == nexus.standin.guild.member("ben").id
    assert related.ephemeral
    assert embed(related.message)["title"].startswith("Django ORM")
    assert "nexus:topic:post:django-orm" in button_ids(related.message)
    # The public answer is unchanged by the click.
    assert embed(reply.message)["title"] == ORM_TITLE


async def test_post_in_channel_shares_the_topic_publicly_without_pings(nexus):
    standin = nexus.standin
    ada = standin.guild.member("ada")
    reply = await query(nexus, query="celery")
    assert reply.ephemeral
    assert not [m for m in standin.messages(CHANNEL) if m.embeds]

    posted = await standin.click("ada", reply.message, "nexus:topic:post:celery")
    assert posted.ephemeral and "Posted in the channel" in posted.message.text
    [shared] = [m for m in standin.messages(CHANNEL) if m.embeds]
    assert not shared.ephemeral
    assert shared.content == f"Shared by <@{ada.id}>"
    assert embed(shared)["title"] == embed(reply.message)["title"]
    assert no_pings(shared)
    # Others can open its related topics (privately); nobody can post it again from there.
    ids = button_ids(shared)
    assert not any(i.startswith("nexus:topic:post:") for i in ids)
    assert "nexus:topic:open:celery-beat" in ids
    opened = await standin.click("chioma", shared, "nexus:topic:open:celery-beat")
    assert opened.ephemeral


async def test_post_in_a_channel_the_bot_cannot_post_in_says_so(nexus):
    standin = nexus.standin
    reply = await standin.invoke("ada", "topic query", {"query": "docker"}, channel="announcements")
    assert reply.ephemeral
    refused = await standin.click("ada", reply.message, "nexus:topic:post:docker")
    assert refused.ephemeral and "Send Messages" in refused.message.text
    assert not [m for m in standin.messages("announcements") if m.embeds]


async def test_public_true_posts_the_answer_directly(nexus):
    reply = await query(nexus, query="jwt refresh tokens", public=True)
    assert not reply.ephemeral
    assert reply.message in nexus.standin.messages(CHANNEL)
    assert embed(reply.message)["title"].startswith("JWT")
    assert not any(i.startswith("nexus:topic:post:") for i in button_ids(reply.message))
    assert no_pings(reply.message)


async def test_hostile_queries_get_answers_not_errors(nexus):
    for text in ['"unbalanced', "NEAR(", "select_related OR", "-docker*", "🐍🐍", "((("]:
        reply = await query(nexus, query=text)
        assert reply.ephemeral, text
        assert "Something went wrong" not in reply.message.text, text


# --- browsing -------------------------------------------------------------------------------

async def test_list_pages_only_for_the_member_who_asked(nexus):
    standin = nexus.standin
    ada = standin.guild.member("ada")
    reply = await standin.invoke("ada", "topic list", {"public": True})
    assert not reply.ephemeral
    footer = embed(reply.message)["footer"]["text"]
    pages = int(re.search(r"Page 1/(\d+)", footer).group(1))
    assert pages >= 5
    first_page = embed(reply.message)["description"]
    next_id = f"nexus:topic:list:{ada.id}:1"
    assert next_id in button_ids(reply.message)

    turned = await standin.click("ada", reply.message, next_id)
    assert turned.response_type == 7
    assert f"Page 2/{pages}" in embed(reply.message)["footer"]["text"]
    assert embed(reply.message)["description"] != first_page

    refused = await standin.click("ben", reply.message, f"nexus:topic:list:{ada.id}:2")
    assert refused.ephemeral and "not yours" in refused.message.text
    assert f"Page 2/{pages}" in embed(reply.message)["footer"]["text"]

    # Anyone can open a topic of the page from its menu, privately.
    pick = reply.message.selects[0]
    slug = pick["options"][0]["value"]
    opened = await standin.click("ben", reply.message, "nexus:topic:pick", values=[slug])
    assert opened.ephemeral and embed(opened.message)["title"] == pick["options"][0]["label"]


async def test_list_of_one_category_and_a_wrong_category(nexus):
    choices = await nexus.standin.autocomplete("ada", "topic list", {"category": "graph"}, focused="category")
    assert [c["value"] for c in choices] == ["GraphQL"]
    reply = await nexus.standin.invoke("ada", "topic list", {"category": "graphql"})
    assert reply.ephemeral
    assert embed(reply.message)["title"] == "Knowledge base: GraphQL"
    assert "`graphql-dataloaders`" in reply.message.text and "`docker`" not in reply.message.text
    assert not any(i.startswith("nexus:topic:list:") for i in button_ids(reply.message))

    wrong = await nexus.standin.invoke("ada", "topic list", {"category": "Cooking"})
    assert wrong.ephemeral and "no category `Cooking`" in wrong.message.text


async def test_random_gives_a_topic_privately_that_can_be_posted(nexus):
    reply = await nexus.standin.invoke("ada", "topic random")
    assert reply.ephemeral
    assert reply.message.embeds and embed(reply.message)["title"]
    assert any(i.startswith("nexus:topic:post:") for i in button_ids(reply.message))


# --- moderators (suggestions and review: test_topic_suggestions.py) ---------------------------

@pytest.mark.parametrize("command", ["topic review", "topic stats"])
async def test_moderator_commands_are_refused_for_a_learner(nexus, command):
    reply = await nexus.standin.invoke("ada", command)
    assert reply.ephemeral
    assert "Manage Messages" in reply.message.text


# --- stats and the lookup log ---------------------------------------------------------------

async def test_stats_show_top_topics_and_unanswered_queries_to_a_moderator(nexus):
    for _ in range(2):
        await query(nexus, query=ORM)
    await query(nexus, member="ben", query="celery")
    await query(nexus, query="kubernetes helm charts")
    reply = await nexus.standin.invoke("mentor", "topic stats", {"days": 7})
    assert reply.ephemeral
    text = reply.message.text
    assert "last 7 days" in text and "**4** lookups" in text
    top = embed(reply.message)["fields"][0]["value"].split("\n")
    assert top[0].startswith("1. ORM query optimization") and top[0].endswith("**2**")
    assert "“kubernetes helm charts” — **1**" in text
    assert re.search(r"<t:\d+:D>", text)


async def test_lookups_are_logged_without_who_asked(nexus):
    standin = nexus.standin
    reply = await query(nexus, query=ORM)
    await standin.click("ada", reply.message, "nexus:topic:open:django-orm")
    await query(nexus, query="kubernetes helm charts")
    member_ids = {str(m.id) for m in standin.guild.members}
    for _ in range(250):  # the lookup is written just after the answer is sent
        with sqlite3.connect(nexus.db_path) as db:
            columns = [row[1] for row in db.execute("PRAGMA table_info(topic_lookups)")]
            rows = db.execute("SELECT * FROM topic_lookups ORDER BY id").fetchall()
        if len(rows) >= 3:
            break
        await asyncio.sleep(0.02)
    assert set(columns) == {"id", "guild_id", "query", "topic_id", "looked_up_at"}
    assert [(r[columns.index("query")], r[columns.index("topic_id")] is not None) for r in rows] == [
        (ORM, True), ("django-orm", True), ("kubernetes helm charts", False)]
    assert all(str(r[columns.index("guild_id")]) == str(standin.guild.id) for r in rows)
    assert not {str(value) for row in rows for value in row} & member_ids


async def test_private_answers_leave_nothing_running_behind_them(nexus):
    # discord.py keeps a view sent with a private answer for 15 minutes, a timer task each, unless
    # the view is finished: the answers' buttons are dispatched by their custom ids instead.
    slugs = ["docker", "docker-compose", "celery", "graphql-dataloaders", ORM, "jwt-authentication"]
    await query(nexus, query=slugs[0])
    before = len(asyncio.all_tasks())
    for slug in slugs * 3:
        reply = await query(nexus, query=slug)
        assert reply.ephemeral and reply.message.buttons
    assert len(asyncio.all_tasks()) <= before + 1  # the lookups' write-behind, at most
    opened = await nexus.standin.click("ada", reply.message, button_ids(reply.message)[-1])
    assert opened.ephemeral and opened.message.embeds


async def test_buttons_keep_working_after_a_restart(nexus):
    from sandbox.run import start_bot_against, stop_bot

    standin = nexus.standin
    reply = await query(nexus, query=ORM)
    await nexus.bot.close()  # the fixture stops it again at the end, which is harmless
    bot, task = await start_bot_against(standin, nexus.bot.settings)
    try:
        opened = await standin.click("ada", reply.message, "nexus:topic:open:graphql-dataloaders", timeout=10)
        assert opened.ephemeral and "dataloader" in embed(opened.message)["title"].lower()
    finally:
        await stop_bot(bot, task)


async def test_a_topic_too_long_for_one_embed_turns_pages(nexus, monkeypatch):
    # No shipped topic needs two pages (kb check keeps them within one embed), so make one that does.
    from dataclasses import replace

    knowledge = nexus.bot.services.knowledge
    real_get = knowledge.get

    async def long_get(slug, guild_id=None):
        topic = await real_get(slug, guild_id)
        if topic is None or topic.slug != ORM:
            return topic
        ideas = tuple(f"Idea {i}: " + "select_related joins the author in the same query " * 15 for i in range(10))
        return replace(topic, key_ideas=ideas)

    monkeypatch.setattr(knowledge, "get", long_get)
    # The topic changed, as after an edit: what answers kept of it is built again.
    monkeypatch.setattr(knowledge, "topics_version", knowledge.topics_version + 1)
    standin = nexus.standin
    reply = await query(nexus, query=ORM)
    assert "page 1/2" in embed(reply.message)["footer"]["text"]
    next_id = f"nexus:topic:page:all:1:{ORM}"
    assert [b.get("disabled", False) for b in reply.message.buttons[:2]] == [True, False]
    await standin.click("ada", reply.message, next_id)
    assert "page 2/2" in embed(reply.message)["footer"]["text"]
    assert "Key ideas (continued)" in reply.message.text

    # On a public answer, someone else's Next shows them the page privately and leaves the post alone.
    public = await query(nexus, query=ORM, public=True)
    private_copy = await standin.click("ben", public.message, next_id)
    assert private_copy.ephemeral and "page 2/2" in embed(private_copy.message)["footer"]["text"]
    assert "page 1/2" in embed(public.message)["footer"]["text"]
    await standin.click("ada", public.message, next_id)
    assert "page 2/2" in embed(public.message)["footer"]["text"]
