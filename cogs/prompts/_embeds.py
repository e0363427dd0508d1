"""How prompts look: the post in the channel (the same look every week), and what admins see
(the list, a preview, a saved prompt). Pure functions of their arguments."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

import discord
from discord.utils import escape_markdown

from bot.discord_limits import FIELD_VALUE_LIMIT
from bot.prompts.model import Prompt, PromptListing, PromptPost
from bot.prompts.service import Preview
from bot.scheduling.calendar import CalendarEntry
from cogs._style import NEXUS_COLOUR, timestamp

PAGE_SIZE = 5
EXCERPT = 160  # characters of a prompt's text in the list
PAUSED_MARK = "⏸️"


def post_embed(post: PromptPost, *, late_since: datetime | None = None) -> discord.Embed:
    """A prompt as the channel sees it. `late_since`: the due time of a post the bot makes late
    (it was down), said in the post so nobody wonders why Monday's prompt came at noon."""
    text = post.text
    if late_since is not None:
        text += f"\n\n⏰ Posted late: it was due {timestamp(late_since, 'F')}."
    embed = discord.Embed(title=post.title[:256], description=text, colour=NEXUS_COLOUR)
    footer = "Weekly prompt" + (f" · program week {post.week}" if post.week is not None else "")
    if post.open_thread:
        footer += " · replies in the thread"
    embed.set_footer(text=footer)
    return embed


def _schedule_line(prompt: Prompt, timezone: str | None) -> str:
    zone = f" ({timezone})" if timezone else ""
    thread = " · opens a thread" if prompt.open_thread else ""
    return f"{prompt.when}{zone} · {prompt.weeks_text}{thread}"


def _next_line(next_at: datetime | None, why_not: str | None) -> str:
    if next_at is not None:
        return f"Next: {timestamp(next_at, 'F')} ({timestamp(next_at, 'R')})"
    return f"Not scheduled: {why_not or 'no next post'}"


def _excerpt(text: str) -> str:
    """The start of a prompt's text on one line, without the emphasis markers a cut could leave open."""
    flat = " ".join(text.split())
    for marker in ("**", "__", "~~", "||", "`"):
        flat = flat.replace(marker, "")
    if len(flat) > EXCERPT:
        flat = flat[:EXCERPT - 1].rstrip() + "…"
    return "> " + escape_markdown(flat)


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def list_embed(listings: Sequence[PromptListing], page: int, timezone: str | None) -> discord.Embed:
    """One page of `/prompts list`: each prompt with its schedule, next post and the start of its text."""
    pages = page_count(len(listings))
    page = min(max(page, 0), pages - 1)
    embed = discord.Embed(title="Weekly prompts", colour=NEXUS_COLOUR)
    if not listings:
        embed.description = ("This server has no prompts. Add one with `/prompts add`; `/nexus setup` gives a "
                             "server the default set the first time it is set up.")
        return embed
    paused = sum(1 for listing in listings if listing.prompt.paused)
    embed.description = (f"{len(listings)} prompt{'s' if len(listings) != 1 else ''}"
                         + (f", {paused} paused" if paused else "")
                         + ". `/prompts preview` shows one as it would be posted.")
    for listing in listings[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]:
        prompt = listing.prompt
        name = f"{PAUSED_MARK} {prompt.key} (paused)" if prompt.paused else prompt.key
        value = "\n".join([_schedule_line(prompt, timezone), _next_line(listing.next_at, listing.not_scheduled),
                           _excerpt(prompt.text)])
        embed.add_field(name=name, value=value[:FIELD_VALUE_LIMIT], inline=False)
    if pages > 1:
        embed.set_footer(text=f"Page {page + 1} of {pages}")
    return embed


CALENDAR_FIELD = "The coming week (every scheduled post, in order)"
GROUPED_FROM = 3  # a label this many times in a week (requests expiring) is one line with its count


def calendar_field(entries: Sequence[CalendarEntry]) -> tuple[str, str]:
    """The next seven days of the bot's scheduled posts, week one, prompts, rounds and expiries
    together; a post the calendar leaves out says which post it would have repeated."""
    if not entries:
        return CALENDAR_FIELD, "Nothing is scheduled in the next seven days."
    times = Counter(entry.post.label for entry in entries)
    lines, grouped = [], set()
    for entry in entries:
        post = entry.post
        when = timestamp(post.due_at, "F")
        if times[post.label] >= GROUPED_FROM:
            if post.label not in grouped:
                grouped.add(post.label)
                last = max(e.post.due_at for e in entries if e.post.label == post.label)
                lines.append(f"{when} · {post.label} ×{times[post.label]} (the first; the last {timestamp(last, 'R')})")
            continue
        if entry.repeats is None:
            lines.append(f"{when} · {post.label}")
        else:
            lines.append(f"~~{when} · {post.label}~~ not posted: it would repeat the {entry.repeats.label}")
    value = ""
    for number, line in enumerate(lines):
        more = f"\n… and {len(lines) - number} more: `/nexus status` shows the next ones"
        if len(value) + len(line) + 1 + len(more) > FIELD_VALUE_LIMIT:
            return CALENDAR_FIELD, value + more
        value = f"{value}\n{line}" if value else line
    return CALENDAR_FIELD, value


def saved_embed(prompt: Prompt, next_at: datetime | None, timezone: str | None, *, title: str) -> discord.Embed:
    embed = discord.Embed(title=title, colour=NEXUS_COLOUR)
    embed.add_field(name=prompt.key, value=f"{_schedule_line(prompt, timezone)}\n"
                                           f"{_next_line(next_at, 'see `/prompts list`')}", inline=False)
    return embed


def preview_embeds(preview: Preview, timezone: str | None) -> list[discord.Embed]:
    """The post as it would look now, and a note for the admin under it."""
    about = discord.Embed(colour=discord.Colour.light_grey(), title=f"Preview of {preview.prompt.key}")
    lines = [_schedule_line(preview.prompt, timezone),
             _next_line(preview.next_at.at if preview.next_at else None, "see the notes below"),
             "Nothing was posted: this preview is only for you.", *preview.notes]
    about.description = "\n".join(lines)
    return [post_embed(preview.post), about]
