"""The scheduler's view of the prompts (`PostSource`, kind "prompt"): what falls due when, read
from the database every time it is asked, rendered with the numbers of the moment it is posted."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.cohort import date_in_words
from bot.discord_limits import THREAD_NAME_LIMIT
from bot.learners.model import CohortCounts
from bot.learners.service import LearnerService
from bot.prompts.model import Prompt, PromptPost, ScheduledPrompt, ServerSchedule
from bot.prompts.repository import PromptRepository
from bot.prompts.schedule import FireTime, fire_times_after, fire_times_between, next_fire_time
from bot.prompts.template import TemplateValues, render
from bot.scheduling.ledger import PostKey
from bot.scheduling.sources import DuePost
from bot.shards import ShardPlan

PROMPT_KIND = "prompt"
MANUAL_KIND = "prompt-manual"  # `/prompts post`: made at once, recorded in the ledger as such


def label(key: str) -> str:
    return f"weekly prompt {key}"


def prompt_post(prompt: Prompt, server: ServerSchedule, fire: FireTime, counts: CohortCounts) -> PromptPost:
    """The prompt as posted on `fire.day`: its text with the placeholders filled in."""
    values = TemplateValues(week=fire.week, cohort_start=server.cohort_start, projects=counts.projects,
                            pairs=counts.pairs, channel_id=server.channel_id)
    thread = f"{prompt.title} · {date_in_words(fire.day)}"[:THREAD_NAME_LIMIT]
    return PromptPost(key=prompt.key, title=prompt.title, text=render(prompt.text, values), week=fire.week,
                      open_thread=prompt.open_thread, thread_name=thread)


# What a prompt's fire times depend on (`fire_times_after`): its weekday, time and weeks, and its
# server's time zone and cohort start. The servers of one program mostly share all of them, so a
# fan-out to thousands of servers works each out once.
_Timing = tuple[int, object, tuple[int, ...], str, object]


def _timing(item: ScheduledPrompt) -> _Timing:
    prompt, server = item.prompt, item.server
    return prompt.weekday, prompt.at, prompt.weeks, server.timezone, server.cohort_start


class PromptSource:
    kind = PROMPT_KIND

    def __init__(self, prompts: PromptRepository, learners: LearnerService, program_weeks: int,
                 shards: ShardPlan | None = None) -> None:
        self._prompts = prompts
        self._learners = learners
        self._program_weeks = program_weeks
        self._shards = shards  # a sharded process's: only its servers' prompts are read

    async def _scheduled(self) -> list[ScheduledPrompt]:
        return await self._prompts.scheduled(shards=self._shards)

    async def due_between(self, after: datetime, until: datetime) -> list[DuePost]:
        found: dict[_Timing, list[FireTime]] = {}  # servers alike share their fire times: worked out once
        due = []
        for item in await self._scheduled():
            fires = found.get(timing := _timing(item))
            if fires is None:
                fires = found[timing] = fire_times_between(item.prompt, item.server, after, until,
                                                            self._program_weeks)
            due += [(item, fire) for fire in fires]
        if not due:
            return []
        due = await self._once_a_day(due)
        counts = await self._learners.counts({item.server.guild_id for item, _ in due})
        return [self._due_post(item, fire, counts[item.server.guild_id]) for item, fire in due]

    async def _once_a_day(self, due: list[tuple[ScheduledPrompt, FireTime]]) -> list[tuple[ScheduledPrompt, FireTime]]:
        """Leave out a prompt already made that local day at another time: an admin who moves
        today's 09:00 prompt to 11:00 after it was posted means next week's, not a second post.
        (A post due at the same time is the same post: the ledger decides about it.)"""
        made = await self._prompts.made_since(PROMPT_KIND, min(fire.at for _, fire in due) - timedelta(days=2))
        zones = {item.server.guild_id: ZoneInfo(item.server.timezone) for item, _ in due}
        made_days = {(guild_id, key, at.astimezone(zones[guild_id]).date())
                     for guild_id, key, at in made if guild_id in zones}
        return [(item, fire) for item, fire in due
                if (item.server.guild_id, item.prompt.key, fire.at) in made
                or (item.server.guild_id, item.prompt.key, fire.day) not in made_days]

    async def next_due_after(self, moment: datetime) -> datetime | None:
        firsts = {_timing(item): item for item in await self._scheduled()}  # servers alike: once
        times = [fire.at for item in firsts.values()
                 if (fire := next_fire_time(item.prompt, item.server, moment, self._program_weeks)) is not None]
        return min(times, default=None)

    async def upcoming(self, guild_id: int, after: datetime, limit: int) -> list[DuePost]:
        posts: list[DuePost] = []
        if limit <= 0:
            return posts
        for item in await self._prompts.scheduled(guild_id):
            for fire in fire_times_after(item.prompt, item.server, after, self._program_weeks):
                if len(posts) >= limit and fire.at >= max(p.due_at for p in posts):
                    break
                posts.append(self._due_post(item, fire, None))
                posts = sorted(posts, key=lambda p: p.due_at)[:limit]
        return posts

    def _due_post(self, item: ScheduledPrompt, fire: FireTime, counts: CohortCounts | None) -> DuePost:
        prompt, server = item.prompt, item.server
        assert server.channel_id is not None  # `scheduled` gives only servers with a channel
        payload = None if counts is None else prompt_post(prompt, server, fire, counts)
        return DuePost(
            key=PostKey(server.guild_id, PROMPT_KIND, prompt.key, fire.at),
            channel_id=server.channel_id,
            label=label(prompt.key),
            payload=payload,
            requests=2 if prompt.open_thread else 1,  # the post, and the thread opened on it
            stage=1,  # after week one's post or a round due at the same time ("week one starts" before "goals")
            purpose=prompt.key,  # an admin's prompt asks what its key says
        )
