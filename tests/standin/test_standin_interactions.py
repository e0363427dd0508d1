"""The stand-in driven by a real discord.py bot: login, sync, and every interaction kind."""

from __future__ import annotations

import discord
import pytest

from sandbox.standin import StandIn

from .conftest import MiniBot


async def test_login_ready_guild_create_and_sync(standin: StandIn, bot: MiniBot) -> None:
    assert bot.user is not None and bot.user.id == standin.bot_user_id
    assert bot.application_id == standin.application_id
    guild = bot.get_guild(standin.guild.id)
    assert guild is not None and guild.name == "ProDev Nexus (sandbox)"
    assert guild.default_role.id == guild.id
    assert {c.name for c in guild.text_channels} == {"general", "prodevprojectnexus", "announcements"}
    assert guild.get_member_named("ada") is not None and guild.chunked
    me = guild.me
    assert [r.name for r in me.roles] == ["@everyone", "Nexus"]
    announcements = discord.utils.get(guild.text_channels, name="announcements")
    assert announcements is not None
    assert not announcements.permissions_for(me).send_messages
    assert announcements.permissions_for(me).read_messages
    names = {c["name"] for c in standin.commands}
    assert {"ping", "card", "topic", "nexus"} <= names
    assert all(c["guild_id"] == str(standin.guild.id) for c in standin.commands)
    assert standin.sessions_started == 1
    assert bot.latency != float("inf")  # heartbeats are ACKed


async def test_plain_and_ephemeral_replies(standin: StandIn, bot: MiniBot) -> None:
    rec = await standin.invoke("ada", "ping")
    assert rec.response_type == 4 and not rec.ephemeral
    assert rec.message is not None and rec.message.content == "pong"
    assert rec.message.allowed_mentions == {"parse": []}
    assert rec.message.interaction_id == rec.id
    assert standin.messages("prodevprojectnexus")[-1] is rec.message

    secret = await standin.invoke("ben", "secret", channel="general")
    assert secret.ephemeral and secret.message is not None and secret.message.ephemeral
    assert secret.message.content == "only you"
    assert all(m.id != secret.message.id for m in standin.messages("general"))


async def test_embed_buttons_click_edits_message(standin: StandIn, bot: MiniBot) -> None:
    rec = await standin.invoke("ada", "card")
    message = rec.message
    assert message is not None
    assert [b.get("label") for b in message.buttons] == ["Like", "Docs"]
    assert "Card" in message.text and "backend" in message.text
    click = await standin.click("ben", message, "like")
    assert click.response_type == 7
    assert click.message is message and message.embeds[0]["description"] == "likes: 1"
    await standin.click("chioma", message, "like")
    assert message.embeds[0]["description"] == "likes: 2" and message.edited
    with pytest.raises(ValueError, match="no component"):
        await standin.click("ben", message, "nope")


async def test_select_menu(standin: StandIn, bot: MiniBot) -> None:
    rec = await standin.invoke("ada", "pick")
    assert rec.message is not None and rec.message.selects[0]["custom_id"] == "pick"
    click = await standin.click("ada", rec.message, "pick", values=["celery", "Redis"])
    assert click.data["values"] == ["celery", "redis"]
    assert rec.message.content == "picked: celery, redis" and rec.message.components == []
    with pytest.raises(ValueError, match="no component"):
        await standin.click("ada", rec.message, "pick", values=["celery"])


async def test_modal_round_trip(standin: StandIn, bot: MiniBot) -> None:
    rec = await standin.invoke("ada", "feedback")
    assert rec.response_type == 9 and rec.message is None
    modal = rec.modal
    assert modal is not None and modal.title == "Feedback"
    subject, body = modal.fields
    assert (subject.label, subject.required, subject.max_length) == ("Subject", True, 20)
    assert (body.style, body.required, body.value) == (2, False, "it works")
    with pytest.raises(ValueError, match="at most 20"):
        await standin.submit_modal("ada", modal, {subject.custom_id: "x" * 21})
    with pytest.raises(ValueError, match="opened for ada"):
        await standin.submit_modal("ben", modal, {subject.custom_id: "hi"})
    done = await standin.submit_modal("ada", modal, {subject.custom_id: "Great"})
    assert done.type == 5 and done.ephemeral
    assert done.message is not None and done.message.content == "thanks: Great / it works"


async def test_component_defer_and_modal_from_a_button(standin: StandIn, bot: MiniBot) -> None:
    rec = await standin.invoke("ada", "menu")
    message = rec.message
    assert message is not None
    later = await standin.click("ben", message, "later")
    assert later.response_type == 6 and later.message is None
    await later.wait_done()
    assert message.content == "edited later"
    opened = await standin.click("ben", message, "rename")
    assert opened.modal is not None and opened.modal.message_id == message.id
    field_id = opened.modal.fields[0].custom_id
    with pytest.raises(ValueError, match="at least 2"):
        await standin.submit_modal("ben", opened.modal, {field_id: "x"})
    done = await standin.submit_modal("ben", opened.modal, {field_id: "Nexus"})
    assert done.response_type == 7 and message.content == "renamed: Nexus"


async def test_ephemeral_views_belong_to_their_member(standin: StandIn, bot: MiniBot) -> None:
    rec = await standin.invoke("ada", "menu", {"private": True})
    assert rec.message is not None and rec.message.ephemeral
    with pytest.raises(ValueError, match="ephemeral"):
        await standin.click("ben", rec.message, "later")
    click = await standin.click("ada", rec.message, "later")
    await click.wait_done()
    assert rec.message.content == "edited later"


async def test_autocomplete_and_subcommands(standin: StandIn, bot: MiniBot) -> None:
    choices = await standin.autocomplete("ada", "topic query", {"query": "se"}, focused="query")
    assert choices == [{"name": "Selectors", "value": "selectors"}, {"name": "Serializers", "value": "serializers"}]
    rec = await standin.invoke("ada", "topic query", {"query": "celery", "section": "summary"})
    assert rec.message is not None and rec.message.content == "topic celery summary"
    rec = await standin.invoke("mentor", "nexus config set", {"key": "Pair size", "value": "3"})
    assert rec.message is not None and rec.message.content == "set pair=3"
    with pytest.raises(ValueError, match="needs a subcommand"):
        await standin.invoke("mentor", "nexus config")
    with pytest.raises(ValueError, match="unknown command"):
        await standin.invoke("mentor", "nope")
    with pytest.raises(ValueError, match="needs option 'value'"):
        await standin.invoke("mentor", "nexus config set", {"key": "week"})
    with pytest.raises(ValueError, match="not one of the choices"):
        await standin.invoke("mentor", "nexus config set", {"key": "month", "value": 1})


async def test_resolved_options_and_permissions(standin: StandIn, bot: MiniBot) -> None:
    rec = await standin.invoke("mentor", "info", {"user": "@ada", "channel": "#general", "role": "Backend", "level": 3})
    assert rec.message is not None
    assert rec.message.content == "ada|general|Backend|3|admin=True|app_send=True|roles=Backend"
    resolved = rec.data["resolved"]
    ada = standin.guild.member("ada")
    assert set(resolved) == {"users", "members", "channels", "roles"} and str(ada.id) in resolved["members"]
    rec = await standin.invoke(
        "ben", "info", {"user": "ben", "channel": "general", "role": "Frontend"}, channel="announcements"
    )
    assert rec.message is not None and rec.message.content.endswith("admin=False|app_send=False|roles=Frontend")
    with pytest.raises(ValueError, match="at most 5"):
        await standin.invoke("ben", "info", {"user": "ben", "channel": "general", "role": "Frontend", "level": 6})


async def test_defer_then_followups(standin: StandIn, bot: MiniBot) -> None:
    rec = await standin.invoke("ada", "slow")
    assert rec.response_type == 5
    await rec.wait_done()
    assert rec.message is not None and not rec.message.loading
    assert rec.message.content == "done slowly"  # the first follow-up fills in "thinking…"
    second = await standin.wait_for_message("prodevprojectnexus", lambda m: "second" in m.content)
    assert [m.content for m in rec.followups] == ["done slowly", "and a second follow-up"]
    assert second is rec.followups[1] and second.interaction_id == rec.id

    private = await standin.invoke("ada", "slow", {"private": True})
    await private.wait_done()
    assert private.ephemeral and private.message is not None and private.message.ephemeral


async def test_public_thread_on_reply(standin: StandIn, bot: MiniBot) -> None:
    rec = await standin.invoke("ada", "discuss", {"topic": "Redis caching"})
    first = await standin.wait_for_message("Redis caching")
    assert first.content == "Talk about Redis caching here"
    thread = standin.threads[-1]
    assert rec.message is not None and thread.id == rec.message.id == thread.message_id
    assert not thread.private and thread.type == 11 and thread.name == "Redis caching"
    assert standin.messages(thread.id) == [first]
    assert "create:Redis caching" in bot.thread_events


async def test_private_thread_with_members(standin: StandIn, bot: MiniBot) -> None:
    rec = await standin.invoke("mentor", "pairup", {"first": "ada", "second": "ben"})
    assert rec.message is not None and rec.message.ephemeral
    thread = standin.threads[-1]
    ada, ben = standin.guild.member("ada"), standin.guild.member("ben")
    assert thread.private and thread.type == 12 and thread.name == "pair-ada-ben"
    assert thread.member_ids == [standin.bot_user_id, ada.id, ben.id]
    (intro,) = standin.messages(thread.id)
    assert intro.content == f"<@{ada.id}> meet <@{ben.id}>"
    assert intro.allowed_mentions is not None and intro.allowed_mentions["parse"] == ["users"]
    assert f"join:{ada.id}" in bot.thread_events
    # a member outside a private thread cannot act in it
    with pytest.raises(ValueError, match="cannot see"):
        await standin.invoke("chioma", "ping", channel=thread.id)


async def test_dm(standin: StandIn, bot: MiniBot) -> None:
    rec = await standin.invoke("mentor", "dm", {"member": "esi"})
    assert rec.message is not None and rec.message.content == "sent"
    (dm,) = standin.dm_messages("esi")
    assert dm.content == "hello esi" and dm.guild_id is None
    assert standin.dm_messages("ada") == []


async def test_a_member_with_closed_dms_cannot_be_sent_a_dm(standin: StandIn, bot: MiniBot) -> None:
    standin.guild.member("esi").accepts_dms = False
    rec = await standin.invoke("mentor", "dm", {"member": "esi"})
    assert rec.message is not None and rec.message.content == "forbidden 50007"  # as Discord answers
    assert standin.dm_messages("esi") == []


async def test_a_select_in_a_modal_starts_at_its_default_and_offers_only_its_options(
    standin: StandIn, bot: MiniBot
) -> None:
    opened = await standin.invoke("ada", "level")
    assert opened.modal is not None
    (field,) = opened.modal.fields
    assert field.component_type == 3 and field.defaults == ["middle"]
    assert [o["value"] for o in field.options] == ["low", "middle", "high"]
    with pytest.raises(ValueError, match="has no option 'top'"):
        await standin.submit_modal("ada", opened.modal, {"level": "top"})
    with pytest.raises(ValueError, match="takes 1 to 1 choices"):
        await standin.submit_modal("ada", opened.modal, {"level": ["low", "high"]})
    kept = await standin.submit_modal("ada", opened.modal)
    assert kept.message is not None and kept.message.content == "level: middle"
    again = await standin.invoke("ada", "level")
    assert again.modal is not None
    picked = await standin.submit_modal("ada", again.modal, {"level": "High"})  # by its label, as seen
    assert picked.message is not None and picked.message.content == "level: high"


async def test_announcements_is_read_only_for_the_bot(standin: StandIn, bot: MiniBot) -> None:
    rec = await standin.invoke("lead", "announce", channel="general")
    assert rec.message is not None and rec.message.content == "forbidden 50013"
    (post,) = [r for r in standin.requests if r.method == "POST" and r.route == "/channels/{channel_id}/messages"]
    assert post.status == 403
    assert standin.messages("announcements") == []


async def test_string_options_stop_at_discords_6000_characters(standin: StandIn, bot: MiniBot) -> None:
    # `discuss topic` and `topic query query` set no max_length: Discord's own cap of 6000 applies.
    longest = "a" * 6000
    with pytest.raises(ValueError, match="at most 6000 characters"):
        await standin.invoke("ada", "topic query", {"query": longest + "a"})
    with pytest.raises(ValueError, match="at most 6000 characters"):
        await standin.autocomplete("ada", "topic query", {"query": longest + "a"}, focused="query")
    assert await standin.autocomplete("ada", "topic query", {"query": longest}, focused="query") == []
