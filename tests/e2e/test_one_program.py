"""One truth about each learner, through the real bot and the stand-in: paired means no longer
looking, in every place that shows who looks (the project posts, `/project list`, `/project show`,
`/pair status`, the week-one roundup), and after `/pair leave` the badge comes back."""

from datetime import UTC, datetime

import pytest
from _server import CHANNEL, set_up

pytestmark = pytest.mark.asyncio

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # day 2 of a cohort starting Monday 7 December
BACKEND = {"title": "Job board API", "stack": "Django REST Framework, PostgreSQL, JWT",
           "description": "Job postings and applications behind a REST API with JWT login."}
FRONTEND = {"title": "Job board UI", "stack": "React, TypeScript, REST API, JWT",
            "description": "The pages of a job board, calling its REST API."}
LOOKING_BADGE = "🤝 Looking for a partner"


@pytest.fixture
async def server(nexus):
    nexus.bot.clock.set(NOW)
    await set_up(nexus.standin, cohort_start="2026-12-07", timezone="UTC")
    return nexus


def member_id(nexus, name):
    return next(m.id for m in nexus.standin.guilds[0].members if m.name == name)


async def announce(nexus, member, values):
    opened = await nexus.standin.invoke(member, "project announce", {"track": "job-board", "looking_for_partner": True})
    assert opened.modal is not None, opened.message and opened.message.text
    return await (await nexus.standin.submit_modal(member, opened.modal, values)).wait_done()


def post_of(nexus, member):
    owner = member_id(nexus, member)
    [post] = [m for m in nexus.standin.messages(CHANNEL) if m.content.startswith(f"📣 <@{owner}>")]
    return post


def badge_shown(post):
    return any(field["value"] == LOOKING_BADGE for field in post.embeds[0].get("fields", []))


async def listed_as_looking(nexus):
    reply = await nexus.standin.invoke("mentor", "project list", {"looking": True})
    return reply.message.embeds[0]["description"]


async def pair_by_request(nexus, settled):
    standin = nexus.standin
    await (await standin.invoke("ada", "pair request", {"member": "ben"})).wait_done()
    [asked] = [m for m in standin.dm_messages("ben") if any(
        b["custom_id"].startswith("nexus:pair:accept:") for b in m.buttons)]
    accept = next(b["custom_id"] for b in asked.buttons if b["custom_id"].startswith("nexus:pair:accept:"))
    accepted = await (await standin.click("ben", asked, accept)).wait_done()
    assert "you're paired" in accepted.original.text
    await settled(nexus.bot)


async def test_paired_learners_are_shown_as_looking_nowhere_and_look_again_after_a_leave(server, settled):
    standin = server.standin
    ada, ben = member_id(server, "ada"), member_id(server, "ben")
    await announce(server, "ada", BACKEND)
    await announce(server, "ben", FRONTEND)
    assert badge_shown(post_of(server, "ada")) and badge_shown(post_of(server, "ben"))
    looking = await listed_as_looking(server)
    assert f"<@{ada}>" in looking and f"<@{ben}>" in looking

    await pair_by_request(server, settled)

    assert not badge_shown(post_of(server, "ada")) and not badge_shown(post_of(server, "ben"))  # posts edited
    looking = await listed_as_looking(server)
    assert f"<@{ada}>" not in looking and f"<@{ben}>" not in looking
    everyone = (await standin.invoke("mentor", "project list")).message.embeds[0]["description"]
    assert f"<@{ada}>" in everyone and "🤝" not in everyone
    shown = await standin.invoke("ada", "project show")
    assert LOOKING_BADGE not in str(shown.message.embeds)
    status = await standin.invoke("ada", "pair status")
    [field] = [f for f in status.message.embeds[0]["fields"] if f["name"] == "Looking for a partner"]
    assert field["value"].startswith("no: you're paired")

    # The roundup at the end of week one lists nobody as still looking.
    await server.bot.services.scheduler.advance_to(datetime(2026, 12, 14, 9, 30, tzinfo=UTC))  # day 8, before the round
    await settled(server.bot)
    [roundup] = [m for m in standin.messages(CHANNEL) if "Week one roundup" in m.content]
    assert "0 still look for a partner" in roundup.content
    assert all(embed.get("title") != "Still looking for a partner" for embed in roundup.embeds)

    left = await standin.invoke("ada", "pair leave")
    assert "shows 🤝 again" in left.message.text
    await settled(server.bot)
    assert badge_shown(post_of(server, "ada")) and badge_shown(post_of(server, "ben"))
    looking = await listed_as_looking(server)
    assert f"<@{ada}>" in looking and f"<@{ben}>" in looking
    status = await standin.invoke("ben", "pair status")
    [field] = [f for f in status.message.embeds[0]["fields"] if f["name"] == "Looking for a partner"]
    assert field["value"].startswith("yes")
    [queue] = [f for f in status.message.embeds[0]["fields"] if f["name"] == "Queue"]
    assert queue["value"].startswith("in the queue")  # so the next round includes them, as the status says


BACKEND_FULL = {"title": "Hiring platform API",
                "stack": "Django, Django REST Framework, PostgreSQL, JWT, Celery, Redis, Docker",
                "description": "A REST API for job postings: JWT login, Celery sends the emails, and a Redis cache "
                               "keeps the listings fast."}
FRONTEND_SHORT = {"title": "Hiring platform UI", "stack": "React, TypeScript, REST API, JWT",
                  "description": "The pages candidates and employers use."}


def thread_topics(nexus, member):
    post = post_of(nexus, member)
    [intro] = nexus.standin.messages(post.thread_id)
    return [b["label"] for b in intro.buttons if b["custom_id"].startswith("nexus:topic:open:")]


async def test_one_answer_to_which_topics_fit_a_project(server, settled):
    standin = server.standin
    await announce(server, "ada", BACKEND_FULL)
    await announce(server, "ben", FRONTEND_SHORT)
    await settled(server.bot)
    ada_topics, ben_topics = thread_topics(server, "ada"), thread_topics(server, "ben")
    assert not any("Channels" in label for label in ada_topics)  # never mentioned: no real-time here
    for named in ("JWT", "Celery", "Redis", "PostgreSQL"):
        assert any(named in label for label in ada_topics), (named, ada_topics)
    assert any("JWT" in label for label in ben_topics) and any("REST API" in label for label in ben_topics)

    shown = await standin.invoke("ada", "project show")  # the same topics, the same buttons
    [field] = [f for f in shown.message.embeds[0]["fields"] if f["name"] == "Knowledge-base topics"]
    assert field["value"] == ", ".join(ada_topics)
    assert [b["label"] for b in shown.message.buttons] == ada_topics

    found = await standin.invoke("ada", "pair find")  # pairing's reasons name topics both threads show
    reasons = found.message.embeds[0]["fields"][0]["value"]
    shared = [t for t in ada_topics if t in ben_topics]
    assert shared and all(topic in reasons for topic in shared), (shared, reasons)


async def test_a_prompt_posted_before_the_cohort_starts_says_so_in_words(nexus, settled):
    nexus.bot.clock.set(NOW)
    await set_up(nexus.standin, cohort_start="2027-01-04", timezone="UTC")  # four weeks ahead
    preview = await nexus.standin.invoke("mentor", "prompts preview", {"key": "mid-program-retrospective"})
    assert "Week 6 is ending" in preview.message.text  # the preview shows the post when it is due
    posted = await (await nexus.standin.invoke("mentor", "prompts post",
                                               {"key": "mid-program-retrospective"})).wait_done()
    await settled(nexus.bot)
    [post] = [m for m in nexus.standin.messages(CHANNEL) if "Halfway there" in m.text]
    assert "Week before week 1 is ending" in post.text and "Week ?" not in post.text, (posted.message.text, post.text)


async def test_a_start_date_in_the_past_says_which_posts_will_not_be_made(nexus):
    nexus.bot.clock.set(NOW)  # Tuesday 8 December, 12:00 UTC
    reply = await nexus.standin.invoke("mentor", "nexus setup", {
        "channel": CHANNEL, "cohort_start": "2026-11-30", "timezone": "UTC"})  # day 1 was 8 days ago
    [lost] = [f["value"] for f in reply.message.embeds[0]["fields"] if f["name"] == "Will not be posted"]
    for post in ("week one kickoff (day 1)", "week one reminder (day 4)", "week one roundup (day 8)"):
        assert post in lost, lost
    status = await nexus.standin.invoke("mentor", "nexus status")
    assert any(f["name"] == "Will not be posted" for f in status.message.embeds[0]["fields"])

    # The button posts the kickoff now, once, marked late; then it counts as made.
    [post_now] = [b["custom_id"] for b in reply.message.buttons if b["label"] == "Post the kickoff now"]
    assert not kickoffs(nexus)
    posted = await (await nexus.standin.click("mentor", reply.message, post_now)).wait_done()
    assert "Posted the week one kickoff" in answer(posted), answer(posted)
    [kickoff] = kickoffs(nexus)
    assert "Posted late" in kickoff.text and "Week one started on Monday 30 November" in kickoff.text, kickoff.text
    again = await (await nexus.standin.click("mentor", status.message, post_now)).wait_done()
    assert "already posted" in answer(again) and len(kickoffs(nexus)) == 1, answer(again)
    later = await nexus.standin.invoke("mentor", "nexus status")
    [lost_now] = [f["value"] for f in later.message.embeds[0]["fields"] if f["name"] == "Will not be posted"]
    assert "kickoff" not in lost_now and "reminder" in lost_now and not later.message.buttons

    fresh = await nexus.standin.invoke("mentor", "nexus setup", {"channel": CHANNEL, "cohort_start": "2026-12-14"})
    assert all(f["name"] != "Will not be posted" for f in fresh.message.embeds[0]["fields"])


def answer(record):
    """Everything the member was told in answer to a command or a click."""
    return "\n".join(m.text for m in [record.message, *record.followups] if m is not None)


def kickoffs(nexus):
    return [m for m in nexus.standin.messages(CHANNEL) if "announce your project.**" in m.text]


async def test_joining_the_queue_by_command_shows_in_the_lists_at_once(server):
    standin = server.standin
    opened = await standin.invoke("ada", "project announce", {"track": "job-board", "looking_for_partner": False})
    await (await standin.submit_modal("ada", opened.modal, BACKEND)).wait_done()
    ada = member_id(server, "ada")
    assert f"<@{ada}>" not in await listed_as_looking(server)  # the list is remembered now
    joined = await standin.invoke("ada", "pair queue join")
    assert joined.ephemeral
    assert f"<@{ada}>" in await listed_as_looking(server)  # one rule: the queue says she looks


async def test_a_prompt_asking_what_the_kickoff_asked_within_the_hour_is_not_posted(nexus, settled):
    """An admin's `announce-your-project` prompt at 09:45 on day 1 repeats the kickoff (09:00): the
    calendar leaves it out, `/prompts list` says so beforehand and `/nexus status` afterwards."""
    standin, bot = nexus.standin, nexus.bot
    bot.clock.set(datetime(2026, 12, 6, 12, 0, tzinfo=UTC))  # the Sunday before day 1
    await set_up(standin, cohort_start="2026-12-07", timezone="UTC")
    opened = await standin.invoke("mentor", "prompts add", {"key": "announce-your-project", "weekday": "monday",
                                                            "time": "09:45", "week": "1"})
    saved = await standin.submit_modal("mentor", opened.modal, {"key": "announce-your-project",
                                                                "text": "Announce your project now!"})
    assert "Added" in saved.message.text, saved.message.text
    calendar = (await standin.invoke("mentor", "prompts list")).message.text.split("The coming week")[1]
    assert "weekly prompt announce-your-project~~ not posted: it would repeat the week one kickoff" in calendar

    await bot.services.scheduler.advance_to(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    await settled(bot)
    texts = [m.text for m in standin.messages(CHANNEL)]
    assert len(kickoffs(nexus)) == 1 and not any("Announce your project now" in t for t in texts), texts
    status = (await standin.invoke("mentor", "nexus status")).message.text
    assert "prompt announce-your-project" in status and "it would repeat the week one kickoff" in status, status


async def test_a_project_announced_after_the_roundup_joins_the_first_round(nexus, settled):
    """The timeline every text tells: announcements until the end of day 7, the roundup at day 8
    09:00, the first round at 10:00; a project announced between the two is in the round."""
    standin, bot = nexus.standin, nexus.bot
    bot.clock.set(datetime(2026, 12, 13, 12, 0, tzinfo=UTC))  # day 7 of a cohort starting Monday 7 December
    await set_up(standin, cohort_start="2026-12-07", timezone="UTC")
    await announce(nexus, "ada", BACKEND)
    await bot.services.scheduler.advance_to(datetime(2026, 12, 14, 9, 30, tzinfo=UTC))  # after the roundup
    await settled(bot)
    [roundup] = [m for m in standin.messages(CHANNEL) if "Week one roundup" in m.text]
    assert "Job board API" in roundup.text and "Job board UI" not in roundup.text
    await announce(nexus, "ben", FRONTEND)  # late: after the roundup, before the round
    await bot.services.scheduler.advance_to(datetime(2026, 12, 14, 10, 30, tzinfo=UTC))
    await settled(bot)
    [round_post] = [m for m in standin.messages(CHANNEL) if "Pairing round:" in m.text]
    ada, ben = member_id(nexus, "ada"), member_id(nexus, "ben")
    assert f"<@{ada}>" in round_post.text and f"<@{ben}>" in round_post.text, round_post.text
    status = await standin.invoke("ben", "pair status")
    assert f"<@{ada}>" in status.message.text, status.message.text
