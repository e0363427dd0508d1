"""Forms and dead ends, through the real bot and the local Discord stand-in: a form's fields stop
at the limits Nexus enforces and a refused form names every problem at once; a missing choice is
asked with a menu that carries the command on; `/help` shows a member only what they may use."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.asyncio


def field_of(message, name):
    [embed] = message.embeds
    return next(f["value"] for f in embed.get("fields", []) if f["name"] == name)


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
