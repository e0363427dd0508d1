"""The one calendar's rule: no two posts with the same purpose within an hour in one channel. Pure."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.scheduling.calendar import Calendar, with_repeats
from bot.scheduling.ledger import PostKey
from bot.scheduling.sources import DuePost

NINE = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def post(kind, ref, at, purpose=None, *, guild=1, channel=10, stage=0):
    return DuePost(PostKey(guild, kind, ref, at), channel, f"{kind} {ref}", stage=stage, purpose=purpose)


def kept(posts):
    return [(e.post.key.kind, e.post.key.ref) for e in with_repeats(posts) if e.made]


def test_a_prompt_an_hour_after_the_kickoff_asking_the_same_is_left_out_and_says_which_it_repeats():
    kickoff = post("week-one", "kickoff", NINE, "announce-your-project")
    prompt = post("prompt", "announce-your-project", NINE + timedelta(hours=1), "announce-your-project", stage=1)
    goals = post("prompt", "monday-goals", NINE, "monday-goals", stage=1)
    entries = with_repeats([prompt, goals, kickoff])
    assert [(e.post.key.ref, e.repeats.key.ref if e.repeats else None) for e in entries] == [
        ("kickoff", None), ("monday-goals", None), ("announce-your-project", "kickoff")]


def test_same_purpose_further_apart_than_an_hour_or_in_another_channel_or_server_is_made():
    first = post("week-one", "kickoff", NINE, "announce")
    assert kept([first, post("prompt", "a", NINE + timedelta(hours=1, minutes=1), "announce")]) == [
        ("week-one", "kickoff"), ("prompt", "a")]
    assert len(kept([first, post("prompt", "a", NINE, "announce", channel=11)])) == 2
    assert len(kept([first, post("prompt", "a", NINE, "announce", guild=2)])) == 2
    assert len(kept([first, post("prompt", "a", NINE, None), post("prompt", "b", NINE, None)])) == 3


def test_at_the_same_moment_the_lower_stage_wins_whatever_the_order_given():
    round_ = post("pair-round", "round", NINE, "find-your-partner", stage=0)
    prompt = post("prompt", "find-your-partner", NINE, "find-your-partner", stage=1)
    assert kept([prompt, round_]) == kept([round_, prompt]) == [("pair-round", "round")]


def test_a_left_out_post_does_not_push_the_window_on():
    """Posts at 9:00, 9:50 and 10:40 with one purpose: 9:50 repeats 9:00; 10:40 is 100 minutes after
    the last post made, so it is made."""
    times = [NINE, NINE + timedelta(minutes=50), NINE + timedelta(minutes=100)]
    posts = [post("prompt", f"p{i}", at, "same") for i, at in enumerate(times)]
    assert kept(posts) == [("prompt", "p0"), ("prompt", "p2")]


class ListSource:
    def __init__(self, kind, posts):
        self.kind = kind
        self.posts = posts

    async def due_between(self, after, until):
        return [p for p in self.posts if after < p.due_at <= until]

    async def next_due_after(self, moment):
        return min((p.due_at for p in self.posts if p.due_at > moment), default=None)

    async def upcoming(self, guild_id, after, limit):
        return sorted((p for p in self.posts if p.key.guild_id == guild_id and p.due_at > after),
                      key=lambda p: p.due_at)[:limit]


@pytest.mark.asyncio
async def test_a_post_made_in_the_previous_tick_still_makes_one_due_now_a_repeat():
    kickoff = post("week-one", "kickoff", NINE, "announce")
    prompt = post("prompt", "announce", NINE + timedelta(minutes=30), "announce")
    calendar = Calendar({"week-one": ListSource("week-one", [kickoff]), "prompt": ListSource("prompt", [prompt])})
    [entry] = await calendar.due_between(NINE, NINE + timedelta(hours=1))  # the kickoff went in the tick before
    assert entry.post is prompt and entry.repeats is kickoff
    coming = await calendar.coming(1, NINE - timedelta(minutes=1), NINE + timedelta(days=7))
    assert [(e.post.key.ref, e.made) for e in coming] == [("kickoff", True), ("announce", False)]
    assert await calendar.next_posts(1, NINE - timedelta(minutes=1), 3) == [kickoff]


class NextOnlySource:
    """Like the rounds: `upcoming` gives only the next post after the moment asked."""

    kind = "pair-round"

    def __init__(self, times):
        self.times = times

    async def due_between(self, after, until):
        return [post(self.kind, "round", at, "find-your-partner") for at in self.times if after < at <= until]

    async def next_due_after(self, moment):
        return min((at for at in self.times if at > moment), default=None)

    async def upcoming(self, guild_id, after, limit):
        return [post(self.kind, "round", at, "find-your-partner") for at in self.times if at > after][:1]


@pytest.mark.asyncio
async def test_half_an_hour_after_a_round_the_coming_week_still_shows_the_next_round():
    rounds = NextOnlySource([NINE, NINE + timedelta(days=7)])
    calendar = Calendar({"pair-round": rounds})
    now = NINE + timedelta(minutes=30)
    coming = await calendar.coming(1, now, now + timedelta(days=7))
    assert [e.post.due_at for e in coming] == [NINE + timedelta(days=7)]
    assert [p.due_at for p in await calendar.next_posts(1, now, 3)] == [NINE + timedelta(days=7)]
