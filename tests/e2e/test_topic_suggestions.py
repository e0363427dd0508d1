"""Topic suggestions through the real bot and the local Discord stand-in: a member suggests a topic
or a fix, a moderator writes the topic in a form before it goes live (or accepts the fix, or
rejects with a reason), the member is told, and a suggested topic can be unpublished."""

import asyncio
import re

import pytest

from bot.knowledge.model import CATEGORIES

pytestmark = pytest.mark.asyncio

CHANNEL = "prodevprojectnexus"
TYPED = "When post_save receivers help,\nand when they hide logic.\n\nAlso: signals in tests."


def button_ids(message):
    return [b["custom_id"] for b in message.buttons if "custom_id" in b]


def button(message, prefix):
    return next(i for i in button_ids(message) if i.startswith(prefix))


def no_pings(message):
    mentions = message.allowed_mentions
    return mentions is not None and mentions.get("parse") == [] and not mentions.get("users") \
        and not mentions.get("roles")


async def suggest(nexus, member="ada", topic=None, **values):
    opened = await nexus.standin.invoke(member, "topic suggest", {"topic": topic} if topic else None)
    assert opened.response_type == 9 and opened.modal is not None
    assert {f.custom_id for f in opened.modal.fields} == {"title", "explanation", "links"}
    return await nexus.standin.submit_modal(member, opened.modal, values)


async def open_review(nexus, member="mentor"):
    review = await nexus.standin.invoke(member, "topic review")
    assert review.ephemeral
    return review


async def dm_from_bot(nexus, member, contains):
    """The bot's DM to `member` holding `contains` (it is sent just after the card is answered)."""
    for _ in range(200):
        found = [m for m in nexus.standin.dm_messages(member) if contains in m.text]
        if found:
            return found[-1]
        await asyncio.sleep(0.01)
    raise AssertionError(f"no DM to {member} containing {contains!r}: "
                         f"{[m.text for m in nexus.standin.dm_messages(member)]}")


async def suggest_signals(nexus):
    thanks = await suggest(nexus, title="Django signals", explanation=TYPED,
                           links="see https://docs.djangoproject.com/en/stable/topics/signals/ please")
    assert thanks.ephemeral and "waiting for a moderator" in thanks.message.text


async def approve_with(nexus, review, **values):
    form = await nexus.standin.click("mentor", review.message, button(review.message, "nexus:topic:review:approve:"))
    assert form.response_type == 9
    return form, await nexus.standin.submit_modal("mentor", form.modal, values)


MODERATOR_TOPIC = {
    "title": "Django signals: post_save and friends",
    "category": "Django",
    "summary": "Signals run receivers when models change.\nThey run in the same transaction.",
    "key_points": "- Receivers run synchronously\n- Prefer explicit calls for business logic",
}


# --- approving: the moderator writes the topic --------------------------------------------------

async def test_approve_opens_a_prefilled_form_and_publishes_the_moderators_topic(nexus):
    standin = nexus.standin
    await suggest_signals(nexus)
    review = await open_review(nexus)
    assert "Suggestion: Django signals" in review.message.text
    assert TYPED in review.message.embeds[0]["description"]  # line breaks as the member typed them
    assert f"<@{standin.guild.member('ada').id}>" in review.message.text
    assert re.fullmatch(rf"nexus:topic:review:approve:\d+:{standin.guild.member('mentor').id}",
                        button(review.message, "nexus:topic:review:approve:"))

    form = await standin.click("mentor", review.message, button(review.message, "nexus:topic:review:approve:"))
    assert form.response_type == 9
    fields = {f.custom_id: f for f in form.modal.fields}
    assert list(fields) == ["title", "category", "summary", "key_points", "links"]
    assert fields["title"].value == "Django signals"
    assert fields["summary"].value == TYPED
    assert fields["links"].value == "https://docs.djangoproject.com/en/stable/topics/signals/"
    assert not fields["key_points"].value
    assert [o["value"] for o in fields["category"].options] == list(CATEGORIES)
    assert len(fields["category"].defaults) == 1 and fields["category"].defaults[0] in CATEGORIES

    decided = await standin.submit_modal("mentor", form.modal, MODERATOR_TOPIC)
    assert decided.response_type == 7  # the card itself shows the outcome and the next suggestion
    assert "Published **Django signals: post\\_save and friends**" in review.message.text
    assert "No suggestions are waiting" in review.message.text

    found = await standin.invoke("ben", "topic query", {"query": MODERATOR_TOPIC["title"]})
    topic = found.message.embeds[0]
    assert topic["title"] == "Django signals: post_save and friends"
    assert topic["description"] == MODERATOR_TOPIC["summary"]
    assert "Django" in topic["footer"]["text"] and "suggested by a member" in topic["footer"]["text"]
    assert "• Receivers run synchronously\n• Prefer explicit calls" in found.message.text
    assert "docs.djangoproject.com/en/stable/topics/signals" in found.message.text

    told = await dm_from_bot(nexus, "ada", "approved")
    assert "**Django signals**" in told.text and "/topic query django-signals-post-save-and-friends" in told.text
    assert no_pings(told)


async def test_a_refused_form_says_why_and_reopens_with_what_the_moderator_wrote(nexus):
    standin = nexus.standin
    await suggest_signals(nexus)
    review = await open_review(nexus)
    written = {**MODERATOR_TOPIC, "links": "the official docs"}
    _, refused = await approve_with(nexus, review, **written)
    assert refused.response_type == 4 and refused.ephemeral
    assert "line 1, holds no http(s) link" in refused.message.text
    assert "What you wrote is kept" in refused.message.text
    mentor_id = standin.guild.member("mentor").id
    reopen = button(refused.message, "nexus:topic:form:")
    assert reopen.endswith(f":{mentor_id}")
    nothing = await standin.invoke("ben", "topic query", {"query": MODERATOR_TOPIC["title"]})
    assert "post_save and friends" not in nothing.message.text  # nothing went live

    again = await standin.click("mentor", refused.message, reopen)
    assert again.response_type == 9
    values = {f.custom_id: (f.defaults if f.component_type != 4 else f.value) for f in again.modal.fields}
    assert values == {**written, "category": ["Django"]}

    fixed = await standin.submit_modal("mentor", again.modal,
                                       {"links": "Signals https://docs.djangoproject.com/en/stable/topics/signals/"})
    assert fixed.response_type == 7 and "Published" in refused.message.text
    found = await standin.invoke("ben", "topic query", {"query": MODERATOR_TOPIC["title"]})
    assert found.message.embeds[0]["title"] == MODERATOR_TOPIC["title"]
    assert "[Signals](https://docs.djangoproject.com/en/stable/topics/signals/)" in found.message.text


async def test_reject_takes_a_reason_the_member_reads_in_a_dm(nexus):
    standin = nexus.standin
    await suggest(nexus, title="Quantum knitting patterns", explanation="Not about backend at all, really.")
    await suggest(nexus, member="ben", title="Frontend state machines",
                  explanation="XState and reducers for forms that call our APIs.")
    review = await open_review(nexus)
    assert "Quantum knitting patterns" in review.message.text and "2 pending" in review.message.text
    form = await standin.click("mentor", review.message, button(review.message, "nexus:topic:review:reject:"))
    assert form.response_type == 9 and [f.custom_id for f in form.modal.fields] == ["note"]
    await standin.submit_modal("mentor", form.modal, {"note": "Off topic for this program.\n@everyone knits."})
    assert "Rejected **Quantum knitting patterns**" in review.message.text
    assert "Frontend state machines" in review.message.text  # the next pending one, at once

    told = await dm_from_bot(nexus, "ada", "not added")
    assert "> Off topic for this program.\n> @everyone knits." in told.text
    assert no_pings(told)
    missed = await standin.invoke("ada", "topic query", {"query": "quantum knitting patterns"})
    assert "Quantum knitting" not in missed.message.text


async def test_with_closed_dms_the_member_is_told_in_the_channel_and_only_they_are_mentioned(nexus):
    standin = nexus.standin
    setup = await standin.invoke("mentor", "nexus setup", {"channel": CHANNEL})
    assert "Nexus is set up" in setup.message.text
    ada = standin.guild.member("ada")
    ada.accepts_dms = False
    await suggest(nexus, title="Quantum knitting patterns", explanation="Not about backend at all, really.")
    review = await open_review(nexus)
    form = await standin.click("mentor", review.message, button(review.message, "nexus:topic:review:reject:"))
    waiting = asyncio.create_task(standin.wait_for_message(CHANNEL, lambda m: "not added" in m.text))
    await standin.submit_modal("mentor", form.modal, {"note": "Ping @everyone and <@&1> anyway"})
    told = await waiting
    assert told.content.startswith(f"<@{ada.id}> ")
    assert told.allowed_mentions["parse"] == []
    assert [str(user) for user in told.allowed_mentions["users"]] == [str(ada.id)]
    assert not told.allowed_mentions.get("roles")
    assert standin.dm_messages("ada") == []
    assert any(r.status == 403 and "/channels/" in r.path for r in standin.requests)  # the DM was refused


async def test_when_the_member_cannot_be_told_at_all_the_decision_still_stands(nexus, caplog):
    standin = nexus.standin
    standin.guild.member("ada").accepts_dms = False  # and no channel is set up
    await suggest_signals(nexus)
    review = await open_review(nexus)
    _, decided = await approve_with(nexus, review, **MODERATOR_TOPIC)
    assert decided.response_type == 7 and "Published" in review.message.text
    for _ in range(200):
        if "they were not told" in caplog.text:
            break
        await asyncio.sleep(0.01)
    assert "they were not told" in caplog.text
    found = await standin.invoke("ben", "topic query", {"query": MODERATOR_TOPIC["title"]})
    assert found.message.embeds[0]["title"] == MODERATOR_TOPIC["title"]


# --- fixes ------------------------------------------------------------------------------------

async def test_a_fix_is_reviewed_beside_its_topic_and_never_becomes_a_topic(nexus):
    standin = nexus.standin
    choices = await standin.autocomplete("ben", "topic suggest", {"topic": "celer"}, focused="topic")
    assert choices[0]["value"] == "celery"
    unknown = await standin.invoke("ben", "topic suggest", {"topic": "no such topic"})
    assert unknown.ephemeral and unknown.modal is None and "pick the topic to fix" in unknown.message.text

    opened = await standin.invoke("ben", "topic suggest", {"topic": "celery"})
    assert opened.modal.title == "Suggest a fix"
    thanks = await standin.submit_modal("ben", opened.modal, {
        "title": "Mention acks_late", "explanation": "The retry section should say\nwhen acks_late matters."})
    assert "fix for **Celery" in thanks.message.text
    listed_before = (await standin.invoke("mentor", "topic list")).message.embeds[0]["footer"]["text"]

    review = await open_review(nexus)
    assert "Fix: Mention acks\\_late" in review.message.text or "Fix: Mention acks_late" in review.message.text
    field = next(f for f in review.message.embeds[0]["fields"] if f["name"] == "A fix for")
    assert "`celery`" in field["value"]
    opened_topic = await standin.click("mentor", review.message, "nexus:topic:open:celery")
    assert opened_topic.ephemeral and "Celery" in opened_topic.message.embeds[0]["title"]
    accept = button(review.message, "nexus:topic:review:approve:")
    assert next(b for b in review.message.buttons if b.get("custom_id") == accept)["label"] == "Accept fix"

    form = await standin.click("mentor", review.message, accept)
    assert [f.custom_id for f in form.modal.fields] == ["note"]  # a note, not a topic form
    await standin.submit_modal("mentor", form.modal, {"note": "Good catch, thanks!"})
    assert "Accepted the fix" in review.message.text
    assert (await standin.invoke("mentor", "topic list")).message.embeds[0]["footer"]["text"] == listed_before
    told = await dm_from_bot(nexus, "ben", "accepted")
    assert "**Mention acks\\_late**" in told.text and "Good catch" in told.text


# --- unpublishing ----------------------------------------------------------------------------------

async def test_a_moderator_unpublishes_a_suggested_topic_but_not_a_curated_one(nexus):
    standin = nexus.standin
    await suggest_signals(nexus)
    review = await open_review(nexus)
    await approve_with(nexus, review, **MODERATOR_TOPIC)
    slug = "django-signals-post-save-and-friends"

    offered = await standin.autocomplete("mentor", "topic unpublish", {"topic": "signals"}, focused="topic")
    assert [c["value"] for c in offered] == [slug]
    assert await standin.autocomplete("ada", "topic unpublish", {"topic": ""}, focused="topic") == []
    refused = await standin.invoke("ada", "topic unpublish", {"topic": slug})
    assert refused.ephemeral and "Manage Messages" in refused.message.text
    curated = await standin.invoke("mentor", "topic unpublish", {"topic": "celery"})
    assert curated.ephemeral and "curated topic" in curated.message.text

    done = await standin.invoke("mentor", "topic unpublish", {"topic": slug})
    assert done.ephemeral and "Unpublished **Django signals" in done.message.text
    gone = await standin.invoke("ben", "topic query", {"query": MODERATOR_TOPIC["title"]})
    assert MODERATOR_TOPIC["title"] not in gone.message.text
    assert await standin.autocomplete("mentor", "topic unpublish", {"topic": ""}, focused="topic") == []
    assert (await standin.invoke("ben", "topic query", {"query": "celery"})).message.embeds[0]["title"]


# --- who may act ----------------------------------------------------------------------------------

async def test_manage_messages_is_checked_again_on_every_click_and_form(nexus):
    standin = nexus.standin
    await suggest_signals(nexus)
    review = await open_review(nexus)
    form = await standin.click("mentor", review.message, button(review.message, "nexus:topic:review:approve:"))
    mentor = standin.guild.member("mentor")
    roles, mentor.roles = mentor.roles, []  # the Mentor role was taken away meanwhile

    submitted = await standin.submit_modal("mentor", form.modal, MODERATOR_TOPIC)
    assert submitted.ephemeral and "Manage Messages" in submitted.message.text
    clicked = await standin.click("mentor", review.message, button(review.message, "nexus:topic:review:reject:"))
    assert clicked.ephemeral and "Manage Messages" in clicked.message.text
    nothing = await standin.invoke("ben", "topic query", {"query": MODERATOR_TOPIC["title"]})
    assert MODERATOR_TOPIC["title"] not in nothing.message.text

    mentor.roles = roles
    again = await open_review(nexus)
    assert "Suggestion: Django signals" in again.message.text  # still waiting


async def test_bad_suggestion_input_gets_a_clear_private_message(nexus):
    reply = await suggest(nexus, title="Django signals", explanation="Receivers and when to avoid them.",
                          links="see the django docs")
    assert reply.ephemeral
    assert "no http(s) link" in reply.message.text
    review = await open_review(nexus)
    assert "No suggestions are waiting" in review.message.text


async def test_a_refused_suggestion_reopens_with_what_the_member_typed(nexus):
    standin = nexus.standin
    typed = {"title": "      ", "explanation": "How do signals fire when a model\nis saved in bulk?",
             "links": "see the docs"}
    refused = await suggest(nexus, **typed)
    assert refused.ephemeral and "title" in refused.message.text and "Nothing you typed is lost" in refused.message.text
    [edit] = [b for b in refused.message.buttons if b.get("label") == "Edit your suggestion"]
    with pytest.raises(ValueError, match="ephemeral"):  # only its member sees a private answer, as on Discord
        await standin.click("ben", refused.message, edit["custom_id"])
    again = await standin.click("ada", refused.message, edit["custom_id"])
    assert again.modal is not None
    assert again.modal.field("explanation").value == typed["explanation"]  # line break kept
    assert again.modal.field("links").value == "see the docs"
    fixed = await standin.submit_modal("ada", again.modal, {"title": "Django signals and bulk updates",
                                                            "links": ""})
    assert "waiting for a moderator's review" in fixed.message.text
    assert [s.title for s in await nexus.bot.services.knowledge.pending_suggestions(standin.guild.id)] == [
        "Django signals and bulk updates"]
