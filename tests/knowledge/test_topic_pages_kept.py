"""A topic's pages and buttons are built once and sent as often as it is asked for, until the topics
change: then the new text is what a member reads."""

from __future__ import annotations

from bot.knowledge.render import Section
from bot.knowledge.service import KnowledgeService
from cogs.topic._views import topic_answer

from .conftest import WriteTopic

GUILD = 1


async def test_a_topic_asked_again_is_sent_as_built_the_first_time(
    write_topic: WriteTopic, service: KnowledgeService
) -> None:
    write_topic("celery", title="Celery", summary="Background jobs with a message broker.")
    await service.sync()
    topic = await service.get("celery", GUILD)
    assert topic is not None
    first = await topic_answer(service, topic, GUILD, shareable=True)
    again = await topic_answer(service, topic, GUILD, shareable=False)
    assert again.embed is first.embed  # the same embed, not built anew
    assert again.view is not first.view  # a private answer offers "Post in channel", a posted one not
    # The same answer again: the same buttons, stopped, so discord.py sends them without keeping them
    # (it would hold each private answer's view for 15 minutes, and set its timeout on the way).
    repeated = await topic_answer(service, topic, GUILD, shareable=True)
    assert repeated.view is first.view and first.view.is_finished() and first.view.timeout is None
    section = await topic_answer(service, topic, GUILD, section=Section.SUMMARY, shareable=True)
    assert section.embed is not first.embed and section.embed.title == "Celery · Summary"


async def test_a_changed_topic_is_shown_with_its_new_text(write_topic: WriteTopic, service: KnowledgeService) -> None:
    write_topic("celery", title="Celery", summary="Background jobs with a message broker.")
    await service.sync()
    topic = await service.get("celery", GUILD)
    assert topic is not None
    assert (await topic_answer(service, topic, GUILD, shareable=True)).embed.description == (
        "Background jobs with a message broker.")
    write_topic("celery", title="Celery", summary="Background jobs with a zebrafish broker.")
    await service.sync()
    changed = await service.get("celery", GUILD)
    assert changed is not None and changed.id == topic.id
    assert (await topic_answer(service, changed, GUILD, shareable=True)).embed.description == (
        "Background jobs with a zebrafish broker.")
