"""`/nexus status` shows the next scheduled posts and the ones that failed or were skipped, with
the reason, through the real bot and the stand-in (a test source stands in for a feature)."""

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.posting import PostFailed
from bot.scheduling import DuePost, WeeklyTime
from bot.scheduling.ledger import PostKey

pytestmark = pytest.mark.asyncio


class DailySource:
    """A post every day at 09:00 UTC in one channel of one server."""

    kind = "daily"

    def __init__(self, guild_id, channel_id):
        self.guild_id, self.channel_id = guild_id, channel_id
        self.rules = [WeeklyTime(day, time(9, 0), "UTC") for day in range(7)]

    def _post(self, at):
        return DuePost(PostKey(self.guild_id, self.kind, "daily", at), self.channel_id, "daily check-in")

    async def due_between(self, after, until):
        return sorted((self._post(at) for rule in self.rules for at in rule.fire_times(after, until)),
                      key=lambda p: p.due_at)

    async def next_due_after(self, moment):
        return min(rule.next_after(moment) for rule in self.rules)

    async def upcoming(self, guild_id, after, limit):
        posts, moment = [], after
        while len(posts) < limit:
            moment = await self.next_due_after(moment)
            posts.append(self._post(moment))
        return posts


async def test_status_lists_the_next_posts_and_the_failed_ones_with_their_reason(nexus):
    bot, standin = nexus.bot, nexus.standin
    channel = standin.guild.channel("prodevprojectnexus")
    scheduler = bot.services.scheduler
    scheduler.add_source(DailySource(standin.guild.id, channel.id))

    async def deliver(delivery):
        raise PostFailed("the channel was deleted: run /nexus setup with another channel")

    scheduler.set_delivery("daily", deliver)
    start = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    bot.clock.set(start)
    await scheduler.tick()  # nothing is due yet: the window starts from here
    await scheduler.advance_to(start + timedelta(hours=2))  # 09:00 falls due and fails

    status = (await standin.invoke("mentor", "nexus status")).message.text
    next_day = int(datetime(2026, 12, 8, 9, 0, tzinfo=UTC).timestamp())
    assert f"Next: daily check-in, <t:{next_day}:F> (<t:{next_day}:R>)" in status
    failed_at = int(datetime(2026, 12, 7, 9, 0, tzinfo=UTC).timestamp())
    assert f"Failed: daily daily due <t:{failed_at}:F>: the channel was deleted: run /nexus setup" in status

    # A week later the failure is no longer news.
    await scheduler.advance_to(start + timedelta(days=8))
    status = (await standin.invoke("mentor", "nexus status")).message.text
    assert f"<t:{failed_at}:F>" not in status


async def test_a_prompt_that_could_not_be_posted_is_shown_in_that_servers_status(nexus):
    """The channel was deleted: the Wednesday check-in is recorded as failed, and `/nexus status`
    says so with what to do."""
    bot, standin = nexus.bot, nexus.standin
    await standin.invoke("mentor", "nexus setup", {"channel": "prodevprojectnexus", "cohort_start": "2027-01-04",
                                                   "timezone": "Africa/Lagos"})
    due = datetime(2027, 1, 6, 12, 0, tzinfo=UTC)  # Wednesday 13:00 in Lagos
    bot.clock.set(due - timedelta(hours=1))
    await bot.services.scheduler.tick()
    channel = standin.guild.channel("prodevprojectnexus")
    await standin.delete_channel(channel)
    await bot.services.scheduler.advance_to(due + timedelta(minutes=1))

    status = (await standin.invoke("mentor", "nexus status", channel="general")).message.text
    assert (f"Failed: prompt wednesday-check due <t:{int(due.timestamp())}:F>: the channel <#{channel.id}> "
            "no longer exists: run `/nexus setup` with another channel") in status
    assert "Next: weekly prompt" in status  # and what comes next is still listed
