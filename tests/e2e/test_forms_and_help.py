"""Forms and dead ends, through the real bot and the local Discord stand-in: a form's fields stop
at the limits Nexus enforces and a refused form names every problem at once; a missing choice is
asked with a menu that carries the command on; `/help` shows a member only what they may use."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from _server import JOB_BOARD, project_posts, set_up
from _server import embed_field as field_of

from bot.projects.model import ProjectDraft

pytestmark = pytest.mark.asyncio

NOW = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
async def server(nexus):
    nexus.bot.clock.set(NOW)
    await set_up(nexus.standin)
    return nexus


# --- /help ------------------------------------------------------------------------------------

async def test_help_shows_a_learner_no_admin_subcommand_and_an_admin_all_of_them(nexus):
    learner = await nexus.standin.invoke("ben", "help")
    pair, topic = field_of(learner.message, "/pair"), field_of(learner.message, "/topic")
    for admin_only in ("`round`", "`schedule`"):
        assert admin_only not in pair, pair
    for moderator_only in ("`review`", "`unpublish`", "`stats`"):
        assert moderator_only not in topic, topic
    assert "`find`" in pair and "`queue join`" in pair and "`query`" in topic and "`suggest`" in topic
    assert "/nexus" not in learner.message.text and "/prompts" not in learner.message.text

    admin = await nexus.standin.invoke("mentor", "help")
    pair, topic = field_of(admin.message, "/pair"), field_of(admin.message, "/topic")
    assert "`round`" in pair and "`schedule`" in pair and "`find`" in pair
    assert "`review`" in topic and "`unpublish`" in topic and "`stats`" in topic
    assert "/nexus" in admin.message.text and "/prompts" in admin.message.text


async def test_an_admin_subcommand_hidden_from_help_is_still_refused_by_the_bot(nexus):
    for command in ("pair round", "pair schedule", "topic stats", "topic review"):
        refused = await nexus.standin.invoke("ben", command)
        assert refused.ephemeral and "You need the **Manage" in refused.message.text, (command, refused.message.text)


# --- forms: the limits Discord shows are the ones Nexus keeps; every problem at once -----------

async def test_the_project_form_stops_each_field_at_the_limit_nexus_keeps(server):
    standin = server.standin
    opened = await standin.invoke("ada", "project announce", {"track": "job-board"})
    limits = {f.custom_id: f.max_length for f in opened.modal.fields}
    assert limits == {"title": 100, "description": 1000, "stack": 200, "repo_url": 300}
    described = {c["component"]["custom_id"]: c.get("description") for c in opened.modal.raw["components"]}
    assert described["title"] == "Up to 100 characters" and described["description"] == "Up to 1,000 characters"
    assert described["stack"] == "Up to 200 characters"
    # Discord's client stops the typing at max_length: the 101st character is never sent.
    with pytest.raises(ValueError, match="takes at most 100 characters"):
        await standin.submit_modal("ada", opened.modal, dict(JOB_BOARD, title="x" * 101))
    with pytest.raises(ValueError, match="takes at most 1000 characters"):
        await standin.submit_modal("ada", opened.modal, dict(JOB_BOARD, description="y" * 1001))
    # At the limit, the form is taken.
    at_limit = dict(JOB_BOARD, title="x" * 100, description="y" * 1000, stack="z" * 200)
    done = await (await standin.submit_modal("ada", opened.modal, at_limit)).wait_done()
    assert "Your project is announced" in "\n".join(m.text for m in [done.message, *done.followups] if m)
    [post] = project_posts(server)
    assert post.embeds[0]["title"] == "x" * 100


async def test_a_project_form_with_several_problems_names_them_all_in_one_answer(server):
    standin = server.standin
    typed = dict(JOB_BOARD, title="   ", stack=" \n ", repo_url="github.com/ada/job-board")
    opened = await standin.invoke("ada", "project announce", {"track": "job-board"})
    refused = await standin.submit_modal("ada", opened.modal, typed)
    said = refused.message.text
    assert refused.ephemeral and "Error id" not in said
    assert "**Title** is empty" in said and "**Stack** is empty" in said and "**Repository link** must be" in said
    assert "What it does" not in said  # the field that is fine is not named
    assert len([r for r in standin.interactions if r.id == refused.id]) == 1 and not refused.followups
    assert project_posts(server) == []

    [button] = refused.message.buttons
    reopened = await standin.click("ada", refused.message, button["custom_id"])
    for name, value in typed.items():  # nothing typed is lost
        assert reopened.modal.field(name).value == value
    fixed = await (await standin.submit_modal("ada", reopened.modal, JOB_BOARD)).wait_done()
    assert "Your project is announced" in "\n".join(m.text for m in [fixed.message, *fixed.followups] if m)


async def test_a_draft_kept_from_before_the_limits_opens_whole_and_is_refused_naming_the_limit(server):
    """A refused form kept when the fields still took more text than Nexus keeps: nothing of it is
    cut, Discord is not asked to prefill more than the field takes, and the limit is named."""
    standin = server.standin
    guild_id = standin.guilds[0].id
    ada = standin.guilds[0].member("ada").id
    old = ProjectDraft(track="job-board", discipline="backend", looking_for_partner=False, title="t" * 150,
                       description=JOB_BOARD["description"], stack=JOB_BOARD["stack"])
    await server.bot.services.projects.keep_draft(guild_id, ada, old)
    opened = await standin.invoke("ada", "project announce")
    assert opened.modal is not None, opened.message and opened.message.text
    assert opened.modal.field("title").value == "t" * 150 and opened.modal.field("title").max_length == 150
    assert opened.modal.field("stack").max_length == 200
    refused = await standin.submit_modal("ada", opened.modal, {})
    assert "**Title** is 150 characters long; the limit is 100." in refused.message.text


async def test_a_topic_suggestion_with_several_problems_names_them_all(server):
    standin = server.standin
    opened = await standin.invoke("ben", "topic suggest")
    typed = {"title": "   ", "explanation": " \n" * 6, "links": "the django docs"}
    refused = await standin.submit_modal("ben", opened.modal, typed)
    said = refused.message.text
    assert refused.ephemeral and "Error id" not in said
    assert "The title needs 3 to 100 characters" in said and "Say what the topic should explain" in said
    assert "holds no http(s) link" in said and "Nothing you typed is lost" in said
    [button] = refused.message.buttons
    reopened = await standin.click("ben", refused.message, button["custom_id"])
    assert reopened.modal.field("links").value == "the django docs"


async def test_a_prompt_form_with_a_bad_key_and_a_bad_text_names_both(server):
    standin = server.standin
    opened = await standin.invoke("mentor", "prompts add",
                                  {"key": "tuesday-tips", "weekday": "tuesday", "time": "10:00"})
    refused = await standin.submit_modal("mentor", opened.modal, {"key": "Tuesday tips!", "text": "Week {wek}"})
    said = refused.message.text
    assert refused.ephemeral and "I can't save this prompt yet" in said and "Error id" not in said
    assert "`{wek}` is not a placeholder" in said and "`Tuesday tips!`" in said, said
    reopened = await standin.click("mentor", refused.message, refused.message.buttons[0]["custom_id"])
    assert reopened.modal.field("key").value == "Tuesday tips!" and reopened.modal.field("text").value == "Week {wek}"


# --- a missing choice is a menu that carries the command on ------------------------------------

def answer_text(reply):
    return "\n".join(m.text for m in [reply.message, *reply.followups] if m is not None)


def field_value(post, name):
    return next(f["value"] for f in post.embeds[0].get("fields", []) if f["name"] == name)


async def test_announce_without_a_track_offers_the_tracks_and_the_pick_opens_the_form(server):
    standin = server.standin
    asked = await standin.invoke("ada", "project announce", {"looking_for_partner": True})
    assert asked.ephemeral and asked.modal is None and "Pick your project's track" in asked.message.text
    [menu] = asked.message.selects
    assert [o["value"] for o in menu["options"]][:2] == ["e-commerce-catalog", "job-board"]
    assert {o["label"] for o in menu["options"]} >= {"Job board platform", "Other"}

    # Only the member who ran the command may pick (a replayed custom id is refused by the bot).
    stranger = await standin.click("ben", dataclasses.replace(asked.message, flags=0), menu["custom_id"],
                                   ["job-board"])
    assert stranger.modal is None and "someone else's" in stranger.message.text

    opened = await standin.click("ada", asked.message, menu["custom_id"], ["job-board"])
    assert opened.modal is not None and opened.modal.title == "Announce your project"
    await (await standin.submit_modal("ada", opened.modal, JOB_BOARD)).wait_done()
    [post] = project_posts(server)
    assert field_value(post, "Track") == "Job board platform" and field_value(post, "Discipline") == "Backend"
    assert field_value(post, "Partner") == "🤝 Looking for a partner"  # the command's option carried on


async def test_a_learner_with_neither_role_picks_track_then_discipline_and_gets_the_form(server):
    standin = server.standin
    asked = await standin.invoke("femi", "project announce")
    [tracks] = asked.message.selects
    discipline_asked = await standin.click("femi", asked.message, tracks["custom_id"], ["online-poll"])
    assert discipline_asked.response_type == 7 and discipline_asked.modal is None  # the same message, now asking
    assert "Pick your discipline" in discipline_asked.original.text
    [disciplines] = discipline_asked.original.selects
    assert [o["value"] for o in disciplines["options"]] == ["backend", "frontend"]
    opened = await standin.click("femi", discipline_asked.original, disciplines["custom_id"], ["frontend"])
    assert opened.modal is not None
    await (await standin.submit_modal("femi", opened.modal, JOB_BOARD)).wait_done()
    [post] = project_posts(server)
    assert field_value(post, "Track") == "Online poll system" and field_value(post, "Discipline") == "Frontend"


async def test_a_track_given_but_no_discipline_asks_only_the_discipline_also_for_edit(server):
    standin = server.standin
    asked = await standin.invoke("femi", "project announce", {"track": "job-board"})
    assert asked.modal is None and "Pick your discipline" in asked.message.text
    [menu] = asked.message.selects
    opened = await standin.click("femi", asked.message, menu["custom_id"], ["backend"])
    await (await standin.submit_modal("femi", opened.modal, JOB_BOARD)).wait_done()
    # The project now says femi's discipline: edit opens the form at once, filled in.
    edit = await standin.invoke("femi", "project edit")
    assert edit.modal is not None and edit.modal.title == "Edit your project"
    assert edit.modal.field("title").value == JOB_BOARD["title"]


async def test_pair_find_without_a_discipline_asks_with_a_menu_and_the_pick_shows_the_partners(server):
    standin = server.standin
    await standin.invoke("ben", "pair queue join")  # a frontend learner pairing knows of
    asked = await standin.invoke("femi", "pair find")
    assert asked.ephemeral and "backend or a frontend learner" in asked.message.text
    [menu] = asked.message.selects
    stranger = await standin.click("ben", dataclasses.replace(asked.message, flags=0), menu["custom_id"], ["backend"])
    assert "someone else's" in stranger.message.text
    found = await standin.click("femi", asked.message, menu["custom_id"], ["backend"])
    assert found.response_type == 7
    shown = found.original  # the menu's message, now /pair find's answer
    ben = standin.guilds[0].member("ben").id
    assert shown.embeds and not shown.selects and f"<@{ben}>" in shown.text
    assert [b["custom_id"] for b in shown.buttons] == [f"nexus:pair:ask:{standin.guilds[0].member('femi').id}:{ben}"]
    again = await standin.invoke("femi", "pair find")  # the pick was saved in femi's profile
    assert again.message.embeds and not again.message.selects


async def test_pair_queue_join_without_a_discipline_joins_after_the_pick(server):
    standin = server.standin
    asked = await standin.invoke("femi", "pair queue join")
    [menu] = asked.message.selects
    joined = await standin.click("femi", asked.message, menu["custom_id"], ["frontend"])
    assert "You're in the queue." in joined.original.text and not joined.original.selects
    again = await standin.invoke("femi", "pair queue join")  # the pick was saved: no menu this time
    assert "already in the queue" in again.message.text and not again.message.selects


async def test_pair_request_without_a_discipline_sends_the_request_with_its_note_after_the_pick(server):
    standin = server.standin
    asked = await standin.invoke("femi", "pair request", {"member": "ben", "note": "Fancy building a poll app?"})
    [menu] = asked.message.selects
    sent = await standin.click("femi", asked.message, menu["custom_id"], ["backend"])
    await sent.wait_done()
    assert "Request sent to <@" in answer_text(sent)
    [request] = [m for m in standin.dm_messages("ben") if m.buttons]
    assert "Fancy building a poll app?" in request.text


async def test_a_request_note_forgotten_by_a_restart_is_never_sent_without_it(server):
    from cogs.pair import _choice

    standin = server.standin
    asked = await standin.invoke("femi", "pair request", {"member": "ben", "note": "My words"})
    _choice._notes.clear()  # what a restart of the bot does to the note waiting for the pick
    told = await standin.click("femi", asked.message, asked.message.selects[0]["custom_id"], ["backend"])
    assert "Saved: you're a backend learner" in told.message.text and "run `/pair request` again" in told.message.text
    assert not [m for m in standin.dm_messages("ben") if m.buttons]
