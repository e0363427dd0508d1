"""The whole cohort, told as one program: twelve learners (the demo's five with a discipline role and
seven who join the server) through three weeks of the clock against the stand-in, and the channel's
transcript read for what the cohort would see contradict itself:

- a learner who is paired, shown anywhere as looking for a partner (the project post's badge, the
  roundup's "still looking", `/project list looking:true`, `/pair status`);
- two posts with the same purpose within one hour (two calls to announce, two pairing-round posts,
  one prompt twice, one project posted twice);
- a count in a post that is not what `/project list` and `/pair status` say at that moment;
- a date or a time in UTC where the server's zone was meant: the cohort lives in Pacific/Auckland
  (UTC+13 in December), so 09:00 there is 20:00 UTC the day before and every morning post has a
  local date other than its UTC one;
- a ping of anyone not named in the message, or of @everyone, @here or a role.

The clock moves an hour at a time through the bot's scheduler (as the sandbox's `clock` does), and
the stand-in stamps every message with the bot's clock, so each post's time is the cohort's time.
After every hour that brought a post, and after every learner's step, everything is checked afresh:
"at that moment" is the moment the cohort reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from _server import CHANNEL, set_up

pytestmark = pytest.mark.asyncio

ZONE = ZoneInfo("Pacific/Auckland")
COHORT_START = date(2026, 12, 7)  # a Monday
DEMO_LEARNERS = ("ada", "ben", "chioma", "diego", "esi")  # the demo's learners with a discipline role
JOINERS = (("fola", "Backend"), ("gabe", "Frontend"), ("hana", "Backend"), ("ivan", "Frontend"),
           ("jide", "Backend"), ("kemi", "Frontend"), ("lars", "Frontend"))
LEARNERS = DEMO_LEARNERS + tuple(name for name, _ in JOINERS)
LOOKING_BADGE = "🤝 Looking for a partner"
MENTION = re.compile(r"<@!?(\d+)>")
TIMESTAMP = re.compile(r"<t:(\d+)(?::([tTdDfFR]))?>")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
DATE_IN_WORDS = re.compile(rf"\b({'|'.join(WEEKDAYS)}),? (\d{{1,2}}) ({'|'.join(MONTHS)})(?: (\d{{4}}))?")
# A prompt's title (its embed's title) -> its weekday and local time, as data/prompts.toml has them:
# the cohort reads "Monday goals" on a Monday morning of its own calendar.
PROMPT_TIMES = {"Monday goals": (0, time(9)), "Wednesday check": (2, time(13)),
                "Friday show and tell": (4, time(16))}


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """Day `day` of the cohort (day 1 is the start) at hour:minute in the server's zone, as an instant."""
    return datetime.combine(COHORT_START + timedelta(days=day - 1), time(hour, minute), ZONE).astimezone(UTC)


def local_date(moment: datetime) -> date:
    return moment.astimezone(ZONE).date()


def program_week(moment: datetime) -> int:
    return (local_date(moment) - COHORT_START).days // 7 + 1


def mentioned(text: str) -> list[int]:
    return [int(i) for i in MENTION.findall(text)]


@dataclass
class Moment:
    """What the commands say about the cohort right now, as a member or an admin would ask."""

    projects: dict[int, str]  # owner -> discipline, from `/project list`
    listed_as_looking: set[int]  # `/project list looking:true`
    partner: dict[int, int]  # learner -> partner, from `/pair status`
    paired_since: dict[int, str]  # learner -> the "since …" of `/pair status`
    status_says_looking: set[int]  # `/pair status` says "yes"
    badge_on_post: set[int]  # project posts showing the 🤝 badge

    @property
    def pairs(self) -> int:
        return len(self.partner) // 2


@dataclass
class Cohort:
    nexus: object
    settled: object
    ids: dict[str, int] = field(default_factory=dict)
    checked: set[int] = field(default_factory=set)  # posts whose counts were checked when they appeared
    checks: int = 0
    counted: set[str] = field(default_factory=set)  # the kinds of count seen in a post and checked

    @property
    def standin(self):
        return self.nexus.standin

    @property
    def bot(self):
        return self.nexus.bot

    def name_of(self, user_id: int) -> str:
        return next((name for name, i in self.ids.items() if i == user_id), str(user_id))

    # -- the learners' steps -----------------------------------------------------------------------
    async def announce(self, member: str, track: str, looking: bool, title: str, description: str) -> None:
        opened = await self.standin.invoke(member, "project announce", {"track": track,
                                                                        "looking_for_partner": looking})
        assert opened.modal is not None, opened.message and opened.message.text
        done = await (await self.standin.submit_modal(member, opened.modal, {
            "title": title, "description": description, "stack": "Django, PostgreSQL, React, JWT"})).wait_done()
        assert "announced" in done.original.text.lower(), done.original.text
        await self.settled(self.bot)

    async def request(self, member: str, target: str, note: str) -> None:
        await (await self.standin.invoke(member, "pair request", {"member": target, "note": note})).wait_done()
        await self.settled(self.bot)

    async def answer(self, member: str, button: str) -> str:
        """Press Accept or Decline on the newest pairing request in `member`'s DMs; the bot's answer."""
        [asked, *_] = [m for m in reversed(self.standin.dm_messages(member))
                       if any(b["custom_id"].startswith(f"nexus:pair:{button}:") for b in m.buttons)]
        custom_id = next(b["custom_id"] for b in asked.buttons if b["custom_id"].startswith(f"nexus:pair:{button}:"))
        pressed = await (await self.standin.click(member, asked, custom_id)).wait_done()
        await self.settled(self.bot)
        return pressed.original.text

    async def command(self, member: str, command: str, options: dict | None = None) -> str:
        reply = await (await self.standin.invoke(member, command, options or {})).wait_done()
        await self.settled(self.bot)
        return reply.message.text

    # -- the clock -----------------------------------------------------------------------------------
    async def live_until(self, moment: datetime) -> None:
        """Move the bot's clock an hour at a time to `moment`, checking the transcript after every
        hour that brought a post, before anything else can change what it counted."""
        scheduler = self.bot.services.scheduler
        now = self.bot.clock.now()
        while now < moment:
            now = min(moment, now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
            before = len(self.standin.messages(CHANNEL))
            await scheduler.advance_to(now)
            await self.settled(self.bot)
            if len(self.standin.messages(CHANNEL)) != before:
                await self.check()

    # -- what the cohort reads -----------------------------------------------------------------------
    def bot_posts(self) -> list:
        return [m for m in self.standin.messages(CHANNEL) if m.author_id == self.standin.bot_user_id]

    def project_posts(self) -> dict[int, object]:
        return {mentioned(m.content)[0]: m for m in self.bot_posts() if m.content.startswith("📣 <@")}

    async def reply_embed(self, member: str, command: str, options: dict | None = None) -> dict:
        reply = await self.standin.invoke(member, command, options or {})
        [embed] = reply.message.embeds
        return embed

    async def moment(self) -> Moment:
        projects: dict[int, str] = {}
        for discipline in ("backend", "frontend"):  # 6 a side: one page each
            embed = await self.reply_embed("mentor", "project list", {"discipline": discipline})
            assert embed["footer"]["text"].startswith("Page 1 of 1"), embed["footer"]
            projects.update({owner: discipline for owner in mentioned(embed.get("description", ""))})
        looking = await self.reply_embed("mentor", "project list", {"looking": True})
        assert looking["footer"]["text"].startswith("Page 1 of 1"), looking["footer"]
        partner, since, says_looking = {}, {}, set()
        for name in LEARNERS:
            status = await self.reply_embed(name, "pair status")
            fields = {f["name"]: f["value"] for f in status["fields"]}
            if fields["Pair"].startswith("with <@"):
                partner[self.ids[name]] = mentioned(fields["Pair"])[0]
                since[self.ids[name]] = fields["Pair"]
            if fields["Looking for a partner"].startswith("yes"):
                says_looking.add(self.ids[name])
        badges = {owner for owner, post in self.project_posts().items()
                  if any(f["value"] == LOOKING_BADGE for f in post.embeds[0].get("fields", []))}
        return Moment(projects, set(mentioned(looking.get("description", ""))), partner, since, says_looking, badges)

    async def check(self) -> None:
        """Everything the cohort could hold against the bot, at this moment."""
        self.checks += 1
        now = await self.moment()
        posts = self.bot_posts()
        new = [m for m in posts if m.id not in self.checked]
        self.checked.update(m.id for m in posts)
        assert_paired_learners_shown_as_looking_nowhere(self, now, new)
        for post in new:
            assert_counts_match(self, post, now)
            assert_times_are_the_cohorts(self, post)
        assert_no_same_purpose_twice_within_an_hour(self, posts)
        assert_pair_dates_are_local(self, now, posts)
        assert_nobody_pinged_but_the_named(self)


# -- the contradictions -------------------------------------------------------------------------------

def assert_paired_learners_shown_as_looking_nowhere(cohort: Cohort, now: Moment, new_posts: list) -> None:
    for learner in now.partner:
        who = cohort.name_of(learner)
        assert learner not in now.badge_on_post, f"{who} is paired, and their project post shows {LOOKING_BADGE}"
        assert learner not in now.listed_as_looking, f"{who} is paired, and /project list looking:true lists them"
        assert learner not in now.status_says_looking, f"{who} is paired, and /pair status says they look"
    for post in new_posts:  # a roundup's "still looking" is read at the moment it is posted
        for embed in post.embeds:
            if "still looking" in (embed.get("title") or "").lower():
                shown = set(mentioned(embed.get("description") or "")) & set(now.partner)
                assert not shown, f"the roundup lists {[cohort.name_of(i) for i in shown]} as still looking, " \
                                  f"and they are paired"
    # One truth the other way too: a learner is looking in every place or in none.
    with_project = set(now.projects)
    assert now.badge_on_post == now.listed_as_looking == now.status_says_looking & with_project, (
        "who looks for a partner differs: badge "
        f"{sorted(map(cohort.name_of, now.badge_on_post))}, /project list "
        f"{sorted(map(cohort.name_of, now.listed_as_looking))}, /pair status "
        f"{sorted(map(cohort.name_of, now.status_says_looking))}")


COUNTS = (
    # (what the post says, how to read its numbers) -> checked against the commands below
    ("so far", re.compile(r"Projects announced so far: (\d+) · pairs formed: (\d+)")),
    ("day 4", re.compile(r"Week one, day 4: (\d+) projects? announced so far\*\* \((\d+) backend, (\d+) frontend\)")),
    ("not yet", re.compile(r"Not announced yet \((\d+)\)")),
    ("roundup", re.compile(r"Week one roundup: (\d+) projects? announced by the deadline\*\* "
                           r"\((\d+) backend, (\d+) frontend\); (\d+) still looks? for a partner")),
    ("round", re.compile(r"Pairing round: (\d+) new pairs?")),
)


def assert_counts_match(cohort: Cohort, post: object, now: Moment) -> None:
    text = post.text
    backend = sum(1 for d in now.projects.values() if d == "backend")
    for kind, pattern in COUNTS:
        found = pattern.search(text)
        if found is None:
            continue
        numbers = [int(n) for n in found.groups()]
        cohort.counted.add(kind)
        said = f"{found.group(0)!r}"
        if kind == "so far":
            assert numbers == [len(now.projects), now.pairs], \
                f"{said}, and /project list shows {len(now.projects)} projects, /pair status {now.pairs} pairs"
        elif kind in ("day 4", "roundup"):
            assert numbers[:3] == [len(now.projects), backend, len(now.projects) - backend], \
                f"{said}, and /project list shows {len(now.projects)} ({backend} backend)"
            if kind == "roundup":
                assert numbers[3] == len(now.listed_as_looking), \
                    f"{said}, and /project list looking:true lists {len(now.listed_as_looking)}"
        elif kind == "not yet":
            without = {cohort.ids[name] for name in LEARNERS} - set(now.projects)
            listed = set(mentioned(text[found.end():]))
            assert numbers[0] == len(without) and listed == without, \
                f"{said} names {sorted(map(cohort.name_of, listed))}; without a project: " \
                f"{sorted(map(cohort.name_of, without))}"
        elif kind == "round":
            # "• <@a> + <@b> · track" a pair; the learners still waiting are listed one a line
            bullets = [mentioned(line) for line in text.splitlines() if line.startswith("•") and " + " in line]
            assert numbers[0] == len(bullets), f"{said} over {len(bullets)} pairs listed"
            for pair in bullets:
                first, second = pair[:2]
                assert now.partner.get(first) == second, \
                    f"{said} pairs {cohort.name_of(first)} and {cohort.name_of(second)}; /pair status does not"


def purpose(post: object) -> str | None:
    """What a post is for, read from the post itself: two posts for the same thing within an hour
    say it twice."""
    text = post.text
    lowered = text.lower()
    if post.content.startswith("📣 <@"):
        return f"project post of {mentioned(post.content)[0]}"
    if "pairing round:" in lowered or "find your partner" in lowered or "no partner yet" in lowered:
        return "pairing round"
    if "announce your project" in lowered or "/project announce`" in lowered:
        return "call to announce projects"
    if "week one roundup" in lowered:
        return "roundup"
    title = (post.embeds[0].get("title") if post.embeds else None) or ""
    footer = ((post.embeds[0].get("footer") or {}).get("text") if post.embeds else None) or ""
    if footer.startswith("Weekly prompt"):
        return f"prompt {title}"
    if "are now a pair" in lowered:
        return f"pair note {sorted(mentioned(post.content))}"
    return None


def assert_no_same_purpose_twice_within_an_hour(cohort: Cohort, posts: list) -> None:
    last: dict[str, object] = {}
    for post in posts:
        kind = purpose(post)
        if kind is None:
            continue
        before = last.get(kind)
        if before is not None:
            apart = post.created_at - before.created_at
            assert apart > timedelta(hours=1), (
                f"two posts for the same thing ({kind}) {apart} apart:\n{before.text[:300]}\n---\n{post.text[:300]}")
        last[kind] = post


def assert_times_are_the_cohorts(cohort: Cohort, post: object) -> None:
    """Dates in the server's zone: a prompt lands on its weekday and time there, in the program week
    of that local date; a date in words is a real one of the cohort's calendar; the deadline and the
    round times shown are the local ones the words give."""
    made = post.created_at.astimezone(ZONE)
    footer = ((post.embeds[0].get("footer") or {}).get("text") if post.embeds else None) or ""
    title = (post.embeds[0].get("title") if post.embeds else None) or ""
    if footer.startswith("Weekly prompt") and title in PROMPT_TIMES:
        weekday, at = PROMPT_TIMES[title]
        assert (made.weekday(), made.time().replace(second=0, microsecond=0)) == (weekday, at), \
            f"{title!r} posted {made:%A %H:%M} in {ZONE.key}"
        assert f"program week {program_week(post.created_at)}" in footer, \
            f"{title!r} of local {made:%A %d %B} says {footer!r}"
    for weekday, day, month, year in DATE_IN_WORDS.findall(post.text):
        shown = date(int(year) if year else made.year, MONTHS.index(month) + 1, int(day))
        assert WEEKDAYS[shown.weekday()] == weekday, f"{weekday} {day} {month} is a {WEEKDAYS[shown.weekday()]}"
    text = post.text
    for stamp, style in TIMESTAMP.findall(text):
        shown_at = datetime.fromtimestamp(int(stamp), UTC).astimezone(ZONE)
        if "Deadline:" in text and text.index(f"<t:{stamp}") > text.index("Deadline:") and style == "F":
            # "the end of day 7": local midnight, as day 8 begins in the cohort's zone (not in UTC)
            assert (shown_at.date(), shown_at.time()) == (COHORT_START + timedelta(days=7), time(0)), \
                f"the deadline shows as {shown_at:%A %d %B %H:%M} in {ZONE.key}, not the end of day 7"
            break
    if post.content.startswith("📣 <@"):
        [announced] = [f["value"] for f in post.embeds[0]["fields"] if f["name"] == "Announced"]
        [(stamp, _)] = TIMESTAMP.findall(announced)
        assert abs(int(stamp) - post.created_at.timestamp()) < 60, f"announced {announced}, posted {made}"


def assert_pair_dates_are_local(cohort: Cohort, now: Moment, posts: list) -> None:
    """`/pair status` says since when a learner is paired: the local date of the post that paired them
    (the round's announcement or the pair's note), the date the cohort saw it."""
    for learner, since in now.paired_since.items():
        partner = now.partner[learner]
        told = [p for p in posts if learner in mentioned(p.text) and partner in mentioned(p.text)
                and purpose(p) in ("pairing round", f"pair note {sorted([learner, partner])}")]
        if not told:
            continue
        day = local_date(told[-1].created_at)
        words = f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"
        assert words in since, (f"/pair status of {cohort.name_of(learner)} says {since!r}; the cohort saw them "
                                f"paired on {words} ({ZONE.key})")


def assert_nobody_pinged_but_the_named(cohort: Cohort) -> None:
    standin = cohort.standin
    everything = list(standin.messages(CHANNEL))
    for thread in standin.threads:
        everything += standin.messages(thread.id)
    for name in LEARNERS:
        everything += standin.dm_messages(name)
    for message in everything:
        if message.author_id != standin.bot_user_id:
            continue
        pings = standin.pings(message)
        named = set(mentioned(message.content))
        assert set(pings.users) <= named, f"pings {pings.users}, names {named}: {message.text[:200]}"
        assert not pings.roles and pings.everyone is None, f"pings {pings}: {message.text[:200]}"
        allowed = message.allowed_mentions
        assert allowed is not None and not {"everyone", "roles"} & set(allowed.get("parse") or []), \
            f"allowed_mentions {allowed} would let a learner's @everyone or a role through: {message.text[:200]}"


# -- the cohort -----------------------------------------------------------------------------------------

async def test_twelve_learners_three_weeks_and_the_channel_never_contradicts_itself(nexus, settled):
    standin = nexus.standin
    standin.clock = nexus.bot.clock.now  # each message is stamped with the cohort's time
    nexus.bot.clock.set(local(-1, 12))  # the Saturday before the cohort starts
    cohort = Cohort(nexus, settled, ids={name: standin.guild.member(name).id for name in DEMO_LEARNERS})
    for name, role in JOINERS:  # the bot hears of each before the setup below: a gateway keeps its order
        cohort.ids[name] = (await standin.add_member(name, role)).id
    await set_up(standin, cohort_start=COHORT_START.isoformat(), timezone=ZONE.key)

    # Week 1: the kickoff, announcements over several days, a request accepted, one declined.
    await cohort.live_until(local(1, 12))
    await cohort.announce("ada", "job-board", True, "Job board API", "Job postings behind a REST API with JWT.")
    await cohort.announce("ben", "job-board", True, "Job board UI", "The pages of a job board, on its REST API.")
    await cohort.announce("fola", "online-poll", True, "Poll API",
                          "Polls and votes. @everyone come and vote <@&" f"{standin.guild.role('Backend').id}>")
    await cohort.announce("gabe", "online-poll", True, "Poll app", "Vote in polls and watch the results.")
    await cohort.check()

    await cohort.live_until(local(2, 19))
    await cohort.request("ada", "ben", "Same track: shall we?")
    assert "you're paired" in await cohort.answer("ben", "accept")
    for member, track, title in (("chioma", "movie-recommendation", "Movie API"),
                                 ("diego", "movie-recommendation", "Movie night UI"),
                                 ("hana", "social-media-feed", "Feed API")):
        await cohort.announce(member, track, True, title, "Built over six weeks, with a partner.")
    await cohort.check()

    await cohort.live_until(local(3, 20))
    await cohort.announce("esi", "e-commerce-catalog", False, "Catalog API", "Products, search and a cart.")
    await cohort.request("esi", "diego", "@everyone says hi: would you build my shop's pages?")
    assert "declined" in await cohort.answer("diego", "decline")
    await cohort.command("esi", "pair queue join")  # she waits for the round instead
    for member, track, title in (("ivan", "social-media-feed", "Feed UI"), ("jide", "job-board", "Jobs API")):
        await cohort.announce(member, track, True, title, "Built over six weeks, with a partner.")
    await cohort.check()

    await cohort.live_until(local(5, 21))
    await cohort.announce("kemi", "e-commerce-catalog", True, "Shop UI", "The shop's pages and the cart.")
    await cohort.announce("lars", "other", False, "Portfolio UI", "A portfolio; a partner maybe later.")
    await cohort.check()

    # Day 8: the roundup, week 2's first prompt, and the first automatic round for everyone waiting.
    await cohort.live_until(local(8, 12))
    rounds = [p for p in cohort.bot_posts() if purpose(p) == "pairing round"]
    assert len(rounds) == 1, [p.text for p in rounds]
    after_round = await cohort.moment()
    waiting = after_round.listed_as_looking
    assert len(after_round.partner) >= 10 and len(waiting) <= 1, (  # 5 backend, 4 frontend looked: 4 new pairs
        f"after the round {sorted(map(cohort.name_of, after_round.partner))} are paired, "
        f"{sorted(map(cohort.name_of, waiting))} still look")

    # Week 2: ben leaves his pair and lars now looks too; the next round re-matches, never ada with ben.
    await cohort.live_until(local(9, 18))
    await cohort.command("ben", "pair leave", {"reason": "Our weekends clash after all"})
    await cohort.command("lars", "pair queue join")
    await cohort.check()
    looking_again = (await cohort.moment()).status_says_looking
    assert {cohort.ids["ada"], cohort.ids["ben"], cohort.ids["lars"]} <= looking_again

    await cohort.live_until(local(15, 12))
    rounds = [p for p in cohort.bot_posts() if purpose(p) == "pairing round"]
    assert len(rounds) == 2, [p.text for p in rounds]
    rematched = await cohort.moment()
    ada, ben = cohort.ids["ada"], cohort.ids["ben"]
    assert ada in rematched.partner and ben in rematched.partner, "the second round re-matched neither ada nor ben"
    assert rematched.partner[ada] != ben

    # Week 3, to its Sunday night: every prompt of every week, once.
    await cohort.live_until(local(21, 23))
    await cohort.check()
    prompts = [(purpose(p), program_week(p.created_at)) for p in cohort.bot_posts()
               if (purpose(p) or "").startswith("prompt ")]
    for title in PROMPT_TIMES:
        assert [week for kind, week in prompts if kind == f"prompt {title}"] == [1, 2, 3], (title, prompts)
    assert cohort.checks >= 15  # the transcript was read at every post, not once at the end
    assert cohort.counted == {kind for kind, _ in COUNTS}  # every kind of count was met, and checked
