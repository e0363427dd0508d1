"""The week-one texts: nothing cut, nothing over Discord's limits, mentions only as allowed, and
commands named only when they exist."""

from datetime import UTC, date, datetime

from bot.tracks import Track
from bot.week_one import render
from bot.week_one.model import AnnouncedProject
from bot.week_one.render import Available, Counts
from bot.week_one.schedule import KICKOFF, REMINDER, ROUNDUP, deadline, due_at

DEADLINE = datetime(2027, 1, 10, 23, 0, tzinfo=UTC)
TRACKS = (Track("job-board", "Job board platform"), Track("online-poll", "Online poll system"))


def project(n: int, track: str = "job-board", discipline: str = "backend", looking: bool = False,
            title: str | None = None) -> AnnouncedProject:
    return AnnouncedProject(10**17 + n, title or f"Project {n:04d} " + "t" * 80, track, discipline, looking)


def test_week_one_falls_on_days_1_4_and_8_in_the_servers_time_across_a_dst_change():
    # New York, cohort starting the Friday before DST begins (Sunday 14 March 2027).
    start = date(2027, 3, 12)
    assert due_at(KICKOFF, start, "America/New_York") == datetime(2027, 3, 12, 14, 0, tzinfo=UTC)  # EST
    assert due_at(REMINDER, start, "America/New_York") == datetime(2027, 3, 15, 13, 0, tzinfo=UTC)  # EDT
    assert due_at(ROUNDUP, start, "America/New_York") == datetime(2027, 3, 19, 13, 0, tzinfo=UTC)  # day 8, 09:00 EDT
    assert deadline(start, "America/New_York") == datetime(2027, 3, 19, 4, 0, tzinfo=UTC)  # end of day 7


def test_the_kickoff_names_the_announce_command_only_when_it_exists():
    [without] = render.kickoff(42, DEADLINE, Available())
    [with_it] = render.kickoff(42, DEADLINE, Available(project_announce=True))
    assert "/project" not in without.content and "Post it here in <#42>" in without.content
    assert "with `/project announce`" in with_it.content
    assert f"<t:{int(DEADLINE.timestamp())}:F>" in without.content and not without.mentions


def test_a_reminder_splits_its_mentions_and_each_message_pings_only_its_own():
    learners = [10**17 + n for n in range(500)]
    messages = render.reminder(Counts(3, 4), learners, DEADLINE, 42, Available())
    assert len(messages) > 5
    assert "7 projects announced so far** (3 backend, 4 frontend)" in messages[0].content
    named = []
    for message in messages:
        assert len(message.content) <= 2000
        in_text = [int(part[2:-1]) for part in message.content.split() if part.startswith("<@")]
        assert list(message.mentions) == in_text
        named += in_text
    assert named == learners


def test_a_reminder_with_everyone_announced_pings_nobody():
    [message] = render.reminder(Counts(5, 5), [], DEADLINE, 42, Available())
    assert "Every learner has announced" in message.content and not message.mentions


def test_a_roundup_groups_by_track_side_by_side_and_points_to_pairing_only_if_it_exists():
    projects = [project(1, "online-poll", "frontend", looking=True, title="Poll *UI*"),
                project(2, "job-board", "backend"), project(3, "mystery-track", "backend")]
    [message] = render.roundup(projects, TRACKS, Available())
    assert [e.title for e in message.embeds] == ["Job board platform", "Online poll system", "mystery-track",
                                                 "Still looking for a partner"]
    poll = message.embeds[1]
    assert poll.fields == (("Backend (0)", "—"), ("Frontend (1)", f"**Poll \\*UI\\*** · <@{10**17 + 1}> 🤝"))
    assert "Pairing comes next" in message.content and "/pair" not in message.content
    [with_pairing] = render.roundup(projects, TRACKS, Available(pair_find=True, pair_queue=True))
    assert "`/pair find`" in with_pairing.content and "`/pair queue join`" in with_pairing.content
    assert not message.mentions and not with_pairing.mentions


def test_a_roundup_of_2000_projects_keeps_every_one_within_discords_limits():
    projects = [project(n, TRACKS[n % 2].key, ("backend", "frontend")[n % 3 % 2], looking=n % 5 == 0)
                for n in range(2000)]
    messages = render.roundup(projects, TRACKS, Available())
    assert len(messages) > 1
    listed = []
    for message in messages:
        assert len(message.content) <= 2000 and len(message.embeds) <= 10
        assert sum(e.size for e in message.embeds) <= 6000
        for embed in message.embeds:
            assert len(embed.title) <= 256 and len(embed.description) <= 4096
            for _name, value in embed.fields:
                assert len(value) <= 1024
                listed += [line for line in value.split("\n") if line != "—"]
    assert len(listed) == 2000 and len(set(listed)) == 2000  # every project once, none cut
