"""How a project reads: the thread's first message names `/pair find` only when it exists, and a
title's markdown cannot break the post or the list."""

from datetime import UTC, datetime, timedelta

from bot.projects.model import Project, ProjectFilter, ProjectPage
from cogs.project._embeds import list_embed, project_embed, thread_intro

NOW = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)


def project(**changes):
    fields = dict(id=1, guild_id=10, owner_id=42, title="**Bold** _claim_", track="job-board",
                  description="It works.", stack="Django", repo_url=None, discipline="backend",
                  looking_for_partner=True, looking=True, status="active", channel_id=20, message_id=30, thread_id=30,
                  created_at=NOW, updated_at=NOW)
    fields.update(changes)
    return Project(**fields)


def test_the_partner_line_names_pair_find_only_when_it_exists():
    assert "`/pair find`" in thread_intro(project(), [], pair_find_exists=True)
    without = thread_intro(project(), [], pair_find_exists=False)
    assert "/pair" not in without and "looks for a frontend partner" in without
    assert "partner" not in thread_intro(project(looking_for_partner=False, looking=False), [], pair_find_exists=True)


def test_markdown_in_a_title_is_shown_as_typed():
    embed = project_embed(project(), "Job board platform", None)
    assert embed.title == "\\*\\*Bold\\*\\* \\_claim\\_"
    listed = list_embed(ProjectPage([project()], 0, 1, 1), ProjectFilter(), {"job-board": "Job board platform"})
    assert "**\\*\\*Bold\\*\\* \\_claim\\_** · <@42>" in (listed.description or "")


def test_a_withdrawn_project_says_so_and_when():
    later = NOW + timedelta(days=2)
    embed = project_embed(project(status="withdrawn", updated_at=later), "Job board platform", None)
    assert embed.title is not None and embed.title.startswith("Withdrawn · ")
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Withdrawn"] == f"<t:{int(later.timestamp())}:F>" and "Partner" not in fields
