"""How projects look: the post in the channel, its thread's first message, `/project show` and
`/project list`. Member text is shown as written, but a title's markdown is escaped (it cannot
break the embed) and every send goes out with mentions off (`NO_MENTIONS`)."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.discord_limits import DESCRIPTION_LIMIT, FIELD_VALUE_LIMIT, TITLE_LIMIT
from bot.knowledge.model import SearchHit
from bot.projects.model import Project, ProjectFilter, ProjectPage
from cogs._style import NEXUS_COLOUR, timestamp
from cogs.topic._embeds import clip

LOOKING_BADGE = "🤝 Looking for a partner"
WITHDRAWN_COLOUR = discord.Colour.dark_grey()


def safe_title(title: str) -> str:
    return discord.utils.escape_markdown(" ".join(title.split()))


def post_url(project: Project) -> str | None:
    if not project.has_post:
        return None
    return f"https://discord.com/channels/{project.guild_id}/{project.channel_id}/{project.message_id}"


def post_content(project: Project) -> str:
    verb = "withdrew" if project.status == "withdrawn" else "announced"
    return f"📣 <@{project.owner_id}> {verb} a project"


def project_embed(project: Project, track_name: str, author: discord.abc.User | None) -> discord.Embed:
    withdrawn = project.status == "withdrawn"
    title = ("Withdrawn · " if withdrawn else "") + safe_title(project.title)
    embed = discord.Embed(title=clip(title, TITLE_LIMIT), description=clip(project.description, DESCRIPTION_LIMIT),
                          colour=WITHDRAWN_COLOUR if withdrawn else NEXUS_COLOUR)
    if author is not None:
        embed.set_author(name=author.display_name, icon_url=author.display_avatar.url)
    embed.add_field(name="Track", value=track_name, inline=True)
    embed.add_field(name="Discipline", value=project.discipline.capitalize(), inline=True)
    if project.looking and not withdrawn:
        embed.add_field(name="Partner", value=LOOKING_BADGE, inline=True)
    embed.add_field(name="Stack", value=clip(project.stack, FIELD_VALUE_LIMIT), inline=False)
    embed.add_field(name="Repository", value=clip(project.repo_url, FIELD_VALUE_LIMIT) if project.repo_url
                    else "Not shared yet", inline=False)
    embed.add_field(name="Announced", value=timestamp(project.created_at), inline=True)
    if withdrawn:
        embed.add_field(name="Withdrawn", value=timestamp(project.updated_at), inline=True)
    elif project.updated_at > project.created_at:
        embed.add_field(name="Updated", value=timestamp(project.updated_at), inline=True)
    return embed


def thread_intro(project: Project, topics: Sequence[SearchHit], pair_find_exists: bool) -> str:
    """The thread's first message: what ties the project to the rest of Nexus, in a few lines."""
    lines = [f"💬 Questions, ideas and feedback on **{clip(safe_title(project.title), 100)}** go here."]
    if topics:
        lines.append("📚 Knowledge-base topics that match its stack and what it does (press one to read it; "
                     "only you see it):")
    else:
        lines.append("📚 Look up any concept you meet with `/topic query`.")
    if project.looking:
        other = "frontend" if project.discipline == "backend" else "backend"
        if pair_find_exists:
            lines.append(f"🤝 <@{project.owner_id}> looks for a {other} partner: `/pair find` ranks {other} "
                         "learners by track, shared topics and time zone, and sends a request in one press.")
        else:
            lines.append(f"🤝 <@{project.owner_id}> looks for a {other} partner: {other} learners, say hello here.")
    return "\n".join(lines)


def _filter_words(wanted: ProjectFilter, track_name: str | None) -> str:
    words = []
    if track_name:
        words.append(track_name)
    if wanted.discipline:
        words.append(wanted.discipline)
    if wanted.looking is not None:
        words.append("looking for a partner" if wanted.looking else "not looking for a partner")
    return " · ".join(words)


def list_line(project: Project, track_name: str) -> str:
    badge = " · 🤝 looking" if project.looking else ""
    url = post_url(project)
    link = f" · [post]({url})" if url else ""
    return (f"**{clip(safe_title(project.title), 100)}** · <@{project.owner_id}> · {project.discipline} · "
            f"{track_name}{badge}{link}")


def list_embed(page: ProjectPage, wanted: ProjectFilter, track_names: dict[str, str]) -> discord.Embed:
    shown = _filter_words(wanted, track_names.get(wanted.track) if wanted.track else None)
    title = "Projects" + (f" · {shown}" if shown else "")
    if page.projects:
        description = "\n".join(list_line(p, track_names.get(p.track, p.track)) for p in page.projects)
    elif shown:
        description = "No announced project matches. Try fewer filters."
    else:
        description = "No project is announced yet: be the first with `/project announce`."
    embed = discord.Embed(title=clip(title, TITLE_LIMIT), description=clip(description, DESCRIPTION_LIMIT),
                          colour=NEXUS_COLOUR)
    count = f"{page.total} project" + ("" if page.total == 1 else "s")
    embed.set_footer(text=f"Page {page.page + 1} of {page.page_count} · {count} · newest first")
    return embed
