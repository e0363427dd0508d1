"""`/nexus setup` and `/nexus status` through the real bot and the local Discord stand-in."""

import logging
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.asyncio

CHANNEL = "prodevprojectnexus"
SHIPPED_TOPICS = len(list((Path(__file__).resolve().parents[2] / "data" / "knowledge").glob("*.md")))


async def setup_as(nexus, member, **options):
    options.setdefault("channel", CHANNEL)
    return await nexus.standin.invoke(member, "nexus setup", options)


async def test_admin_sets_up_then_sees_the_status(nexus):
    standin = nexus.standin
    guild = standin.guild
    reply = await setup_as(nexus, "mentor", backend_role="Backend", frontend_role="Frontend",
                           cohort_start="2026-12-01", timezone="Africa/Lagos")
    assert reply.ephemeral
    text = reply.message.text
    assert "Nexus is set up" in text
    assert f"<#{guild.channel(CHANNEL).id}>" in text
    assert f"<@&{guild.role('Backend').id}>" in text and f"<@&{guild.role('Frontend').id}>" in text
    assert "Africa/Lagos" in text

    # The channel is told the bot is there, and nobody is pinged by it.
    intro = await standin.wait_for_message(CHANNEL, lambda m: "Nexus is here" in m.text)
    assert intro.allowed_mentions is not None
    assert "everyone" not in intro.allowed_mentions.get("parse", [])
    assert "roles" not in intro.allowed_mentions.get("parse", [])

    status = await standin.invoke("mentor", "nexus status")
    assert status.ephemeral
    assert f"<#{guild.channel(CHANNEL).id}>" in status.message.text
    # Each feature that exists adds its own line; nothing counts tables no feature writes yet.
    assert f"Topics: **{SHIPPED_TOPICS}**" in status.message.text
    # (The cohort started in the past: week one's posts that won't be made are listed, each with the
    # command that previews it; that is not a feature's line.)
    lines = "\n".join(line for line in status.message.text.splitlines() if "`/prompts preview" not in line)
    for absent in ("Projects", "Pairs", "prompts"):
        assert absent not in lines
    assert re.search(r"Gateway latency: (\d+ ms|measuring…)", status.message.text)
    assert re.search(r"Database: \d+(\.\d)? (B|KiB|MiB)", status.message.text)
    assert "Version: " in status.message.text


async def test_setting_up_again_keeps_one_introduction(nexus):
    await setup_as(nexus, "mentor")
    await nexus.standin.wait_for_message(CHANNEL, lambda m: "Nexus is here" in m.text)
    await setup_as(nexus, "mentor", timezone="Europe/London")
    intros = [m for m in nexus.standin.messages(CHANNEL) if "Nexus is here" in m.text]
    assert len(intros) == 1


@pytest.mark.parametrize("command", ["nexus setup", "nexus status"])
async def test_a_learner_is_refused_and_nothing_changes(nexus, command):
    options = {"channel": CHANNEL} if command == "nexus setup" else {}
    reply = await nexus.standin.invoke("ada", command, options)
    assert reply.ephemeral
    assert "Manage Server" in reply.message.text
    status = await nexus.standin.invoke("mentor", "nexus status")
    assert "Not set up yet" in status.message.text
    assert not [m for m in nexus.standin.messages(CHANNEL) if "Nexus is here" in m.text]


async def test_a_channel_the_bot_cannot_post_in_is_refused_by_name(nexus):
    reply = await setup_as(nexus, "mentor", channel="announcements")
    assert reply.ephemeral
    assert "Send Messages" in reply.message.text
    assert f"<#{nexus.standin.guild.channel('announcements').id}>" in reply.message.text
    status = await nexus.standin.invoke("mentor", "nexus status")
    assert "Not set up yet" in status.message.text


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"timezone": "Mars/Olympus"}, "not a time zone"),
        ({"cohort_start": "2026-02-30"}, "not a date"),
        ({"backend_role": "Backend", "frontend_role": "Backend"}, "two different roles"),
    ],
)
async def test_bad_setup_values_get_a_clear_private_message(nexus, options, says):
    reply = await setup_as(nexus, "mentor", **options)
    assert reply.ephemeral
    assert says in reply.message.text
    status = await nexus.standin.invoke("mentor", "nexus status")
    assert "Not set up yet" in status.message.text


async def test_timezone_autocomplete_offers_at_most_25_matches(nexus):
    choices = await nexus.standin.autocomplete("mentor", "nexus setup", {"channel": CHANNEL, "timezone": "lag"},
                                               focused="timezone")
    assert 0 < len(choices) <= 25
    assert choices[0]["value"] == "Africa/Lagos"


async def test_an_unexpected_error_shows_an_id_that_is_in_the_log(nexus, monkeypatch, caplog):
    async def broken(guild_id):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(nexus.bot.services.knowledge, "status", broken)
    with caplog.at_level(logging.ERROR, logger="nexus.errors"):
        reply = await nexus.standin.invoke("mentor", "nexus status")
    assert reply.ephemeral
    match = re.search(r"Error id `([0-9a-f]{8})`", reply.message.text)
    assert match, reply.message.text
    assert "database on fire" not in reply.message.text
    record = next(r for r in caplog.records if match.group(1) in r.getMessage())
    assert record.exc_info and "database on fire" in str(record.exc_info[1])


async def test_the_bot_survives_a_dropped_gateway(nexus):
    standin = nexus.standin
    await standin.drop_gateway()
    reply = await standin.invoke("ada", "help", timeout=15)
    assert "Nexus" in reply.message.text
    assert standin.resumes >= 1
    await standin.drop_gateway(code=4000)
    reply = await standin.invoke("ben", "help", timeout=15)
    assert "/topic" in reply.message.text or "/nexus" in reply.message.text


async def test_a_429_on_posting_is_retried_and_the_message_posted_once(nexus):
    standin = nexus.standin
    standin.fail_next("POST", "/channels/{channel_id}/messages", status=429, retry_after=0.2, times=1)
    await setup_as(nexus, "mentor")
    await standin.wait_for_message(CHANNEL, lambda m: "Nexus is here" in m.text, timeout=10)
    posts = [r for r in standin.requests if r.method == "POST" and r.path.endswith(
        f"/channels/{standin.guild.channel(CHANNEL).id}/messages")]
    assert [r.status for r in posts] == [429, 200]
    assert len([m for m in standin.messages(CHANNEL) if "Nexus is here" in m.text]) == 1


async def test_help_lists_the_commands_each_member_can_see(nexus):
    learner = await nexus.standin.invoke("ada", "help")
    assert learner.ephemeral
    assert "/topic" in learner.message.text and "`query`" in learner.message.text
    # Discord hides /nexus (Manage Server by default) from a learner: so does /help.
    assert "/nexus" not in learner.message.text
    admin = await nexus.standin.invoke("mentor", "help")
    assert "/nexus" in admin.message.text and "/topic" in admin.message.text


async def test_the_health_signal_follows_the_gateway(nexus):
    assert nexus.bot.gateway_connected()
    await nexus.standin.drop_gateway()
    await nexus.standin.invoke("ada", "help", timeout=15)  # answered again: the session resumed
    assert nexus.bot.gateway_connected()
    await nexus.bot.close()
    assert not nexus.bot.gateway_connected()


@pytest.mark.parametrize("timezone", ["Africa", "America/Argentina", "Etc", "Lagos" * 60])
async def test_a_region_or_an_overlong_time_zone_gets_a_clear_private_message(nexus, timezone):
    # These used to raise IsADirectoryError / "File name too long" and answer with an error id.
    reply = await setup_as(nexus, "mentor", timezone=timezone)
    assert reply.ephemeral
    assert "Error id" not in reply.message.text
    assert "is a region, not a time zone" in reply.message.text or "not a time zone I know" in reply.message.text
    status = await nexus.standin.invoke("mentor", "nexus status")
    assert "Not set up yet" in status.message.text


async def test_setup_names_a_missing_create_private_threads_the_pairs_need(nexus):
    from discord import Permissions

    await nexus.standin.set_permission_overwrite("prodevprojectnexus", nexus.standin.bot_user_id,
                                                 deny=Permissions(create_private_threads=True).value)
    reply = await setup_as(nexus, "mentor", channel="prodevprojectnexus")
    assert reply.ephemeral and "**Create Private Threads**" in reply.message.text
