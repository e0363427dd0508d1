"""The embeds `/topic` shows: a topic (whole or one section) in pages that fit Discord's limits,
a topic list page, the "nothing found" answer, a suggestion under review, and lookup stats.

Section text comes from `bot.knowledge.render`, the same strings `kb check` measures, so what the
checker passed is what a member reads. Pure functions of their arguments: no I/O, no Discord calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import discord
from discord.utils import escape_markdown

from bot.discord_limits import (
    AUTHOR_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_COUNT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    TITLE_LIMIT,
)
from bot.knowledge.model import CATEGORIES, KnowledgeStats, Suggestion, Topic, TopicSummary
from bot.knowledge.render import CONTINUED, Section, paginate, render_section
from cogs._style import NEXUS_COLOUR, timestamp

# Kept free on every topic page for the footer (category, origin, "page 2/3").
FOOTER_ROOM = 100

KNOWLEDGE_COLOUR = NEXUS_COLOUR
SUGGESTED_COLOUR = discord.Colour.teal()
NOT_FOUND_COLOUR = discord.Colour.light_grey()
REVIEW_COLOUR = discord.Colour.gold()

CHALLENGE_MARK = "⚠️"
LIST_PAGE_SIZE = 10
STATS_QUERY_CHARS = 80
LIST_POINTER = "No topic is close to it either: browse what the knowledge base covers with `/topic list`."
SUGGEST_POINTER = (
    "If it should be in the knowledge base, propose it with `/topic suggest`: a moderator reviews "
    "every suggestion."
)


def clip(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, shortened at a word and marked with "…" when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def quoted(text: str, limit: int = 200) -> str:
    """Member-typed text shown back to them: one line, clipped, markdown escaped."""
    return escape_markdown(clip(" ".join(text.split()), limit))


# --- a topic --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Field:
    name: str
    value: str

    @property
    def size(self) -> int:
        return len(self.name) + len(self.value)


def _fields(name: str, text: str) -> list[_Field]:
    """One section as fields of at most 1024 characters; later ones are named "(continued)"."""
    if not text.strip():
        return []
    parts = paginate(text, FIELD_VALUE_LIMIT)
    names = [name] + [f"{name} {CONTINUED}"] * (len(parts) - 1)
    return [_Field(clip(n, FIELD_NAME_LIMIT), part) for n, part in zip(names, parts, strict=True)]


def _footer(topic: Topic, extra: str | None, page: int, page_count: int) -> str:
    parts = [topic.category]
    if topic.source == "suggested":
        parts.append("suggested by a member, approved by a moderator")
    if extra:
        parts.append(extra)
    if page_count > 1:
        parts.append(f"page {page + 1}/{page_count}")
    return clip(" · ".join(parts), FOOTER_ROOM)


def _topic_embed(topic: Topic, title: str, description: str | None) -> discord.Embed:
    colour = SUGGESTED_COLOUR if topic.source == "suggested" else KNOWLEDGE_COLOUR
    return discord.Embed(title=title, description=description or None, colour=colour)


def topic_pages(topic: Topic, section: Section | None = None) -> list[discord.Embed]:
    """The topic as one or more embeds, each within every embed limit. Whole topic: the summary as
    the description, then key ideas, each challenge (its symptom as the field name, its solution as
    the value), best practices and further reading as fields. One section: its text as the
    description. Text too long for one place continues in a field or page marked "(continued)"."""
    if section is not None:
        return _section_pages(topic, section)
    title = clip(topic.title, TITLE_LIMIT)
    summary = paginate(topic.summary, DESCRIPTION_LIMIT) if topic.summary.strip() else []
    description = summary[0] if summary else None
    fields: list[_Field] = []
    for more in summary[1:]:
        fields += _fields(f"{Section.SUMMARY.label} {CONTINUED}", more)
    fields += _fields(Section.KEY_IDEAS.label, render_section(topic, Section.KEY_IDEAS))
    for challenge in topic.challenges:
        fields += _fields(f"{CHALLENGE_MARK} {challenge.challenge}", challenge.solution)
    fields += _fields(Section.BEST_PRACTICES.label, render_section(topic, Section.BEST_PRACTICES))
    fields += _fields(Section.FURTHER_READING.label, render_section(topic, Section.FURTHER_READING))

    pages: list[list[_Field]] = [[]]
    room = EMBED_TOTAL_LIMIT - len(title) - FOOTER_ROOM - len(description or "")
    for field in fields:
        page = pages[-1]
        if len(page) == FIELD_COUNT_LIMIT or field.size > room:
            pages.append([])
            room = EMBED_TOTAL_LIMIT - len(title) - FOOTER_ROOM
        pages[-1].append(field)
        room -= field.size
    embeds = []
    for number, page_fields in enumerate(pages):
        embed = _topic_embed(topic, title, description if number == 0 else None)
        for field in page_fields:
            embed.add_field(name=field.name, value=field.value, inline=False)
        embed.set_footer(text=_footer(topic, None, number, len(pages)))
        embeds.append(embed)
    return embeds


def _section_pages(topic: Topic, section: Section) -> list[discord.Embed]:
    title = clip(f"{topic.title} · {section.label}", TITLE_LIMIT)
    text = render_section(topic, section).strip() or (
        f"This topic has no {section.label.lower()} yet. Ask for the whole topic to see what it has."
    )
    parts = paginate(text, DESCRIPTION_LIMIT)
    embeds = []
    for number, part in enumerate(parts):
        embed = _topic_embed(topic, title, part)
        embed.set_footer(text=_footer(topic, section.label, number, len(parts)))
        embeds.append(embed)
    return embeds


def limit_problems(embed: discord.Embed) -> list[str]:
    """Every Discord embed limit `embed` breaks (empty when it can be sent)."""
    data = embed.to_dict()
    problems = []
    title, description = data.get("title", ""), data.get("description", "")
    footer = data.get("footer", {}).get("text", "")
    author = data.get("author", {}).get("name", "")
    fields = data.get("fields", [])
    for label, text, limit in (("title", title, TITLE_LIMIT), ("description", description, DESCRIPTION_LIMIT),
                               ("footer", footer, FOOTER_LIMIT), ("author", author, AUTHOR_LIMIT)):
        if len(text) > limit:
            problems.append(f"{label} is {len(text)} characters (limit {limit})")
    if len(fields) > FIELD_COUNT_LIMIT:
        problems.append(f"{len(fields)} fields (limit {FIELD_COUNT_LIMIT})")
    for field in fields:
        name, value = field.get("name", ""), field.get("value", "")
        if not name.strip() or not value.strip():
            problems.append(f"field {name[:40]!r} has an empty name or value")
        if len(name) > FIELD_NAME_LIMIT:
            problems.append(f"field name {name[:40]!r} is {len(name)} characters (limit {FIELD_NAME_LIMIT})")
        if len(value) > FIELD_VALUE_LIMIT:
            problems.append(f"field {name[:40]!r} is {len(value)} characters (limit {FIELD_VALUE_LIMIT})")
    total = len(embed)
    if total > EMBED_TOTAL_LIMIT:
        problems.append(f"{total} characters in all (limit {EMBED_TOTAL_LIMIT})")
    return problems


# --- answers around a topic -----------------------------------------------------------------

def spelling_note(spelling: str) -> str:
    return f"Did you mean **{quoted(spelling, 100)}**? Here is the best match for it."


def no_match_embed(query: str, spelling: str | None, has_closest: bool) -> discord.Embed:
    """A lookup no topic answers with confidence: said plainly rather than answered with a guess."""
    lines = [f"No topic in the knowledge base covers “{quoted(query)}” yet."]
    if spelling:
        lines.append(f"Did you mean **{quoted(spelling, 100)}**?")
    if has_closest:
        lines.append("The closest topics are below: press one to open it.")
    elif not spelling:
        lines.append(LIST_POINTER)
    lines += ["", SUGGEST_POINTER]
    return discord.Embed(title="No topic covers that yet", description="\n".join(lines), colour=NOT_FOUND_COLOUR)


# --- the topic list -------------------------------------------------------------------------

def list_page_count(total: int) -> int:
    return max(1, -(-total // LIST_PAGE_SIZE))


def list_page(topics: Sequence[TopicSummary], page: int) -> list[TopicSummary]:
    page = min(max(page, 0), list_page_count(len(topics)) - 1)
    return list(topics[page * LIST_PAGE_SIZE:(page + 1) * LIST_PAGE_SIZE])


def in_list_order(topics: Iterable[TopicSummary]) -> list[TopicSummary]:
    """By category in the format's order (as `categories()` lists them), then by title."""
    order = {name: i for i, name in enumerate(CATEGORIES)}
    return sorted(topics, key=lambda t: (order.get(t.category, len(order)), t.category, t.title.casefold()))


def list_embed(topics: Sequence[TopicSummary], page: int, category: str | None) -> discord.Embed:
    """One page of the list: the topics grouped under their category, with the slug to look them up."""
    count = list_page_count(len(topics))
    page = min(max(page, 0), count - 1)
    lines: list[str] = []
    current: str | None = None
    for topic in list_page(topics, page):
        if topic.category != current:
            current = topic.category
            if lines:
                lines.append("")
            lines.append(f"**{escape_markdown(current)}**")
        lines.append(f"• {escape_markdown(clip(topic.title, 100))} · `{topic.slug}`")
    title = f"Knowledge base: {category}" if category else "Knowledge base topics"
    embed = discord.Embed(title=clip(title, TITLE_LIMIT), colour=KNOWLEDGE_COLOUR,
                          description="\n".join(lines) or "No topics here yet.")
    noun = "topic" if len(topics) == 1 else "topics"
    footer = f"{len(topics)} {noun} · open one below or with /topic query"
    if count > 1:
        footer = f"Page {page + 1}/{count} · {footer}"
    embed.set_footer(text=footer)
    return embed


# --- moderators -----------------------------------------------------------------------------

def suggestion_embed(suggestion: Suggestion, pending: int, target: TopicSummary | None = None) -> discord.Embed:
    """A pending suggestion as a moderator reviews it: the member's text as typed, line breaks
    kept; a fix shows the topic it is for."""
    kind = "Fix" if suggestion.is_fix else "Suggestion"
    embed = discord.Embed(
        title=clip(f"{kind}: {suggestion.title}", TITLE_LIMIT),
        description=clip(suggestion.explanation, DESCRIPTION_LIMIT),
        colour=REVIEW_COLOUR,
    )
    if suggestion.is_fix:
        where = (f"**{escape_markdown(clip(target.title, 200))}** · `{target.slug}` (open it below)" if target
                 else "A topic that is no longer in the knowledge base.")
        embed.add_field(name="A fix for", value=where, inline=False)
    if suggestion.links:
        embed.add_field(name="Links", value=clip(suggestion.links, FIELD_VALUE_LIMIT), inline=False)
    embed.add_field(name="Suggested by",
                    value=f"<@{suggestion.author_id}> · {timestamp(suggestion.created_at, 'R')}", inline=False)
    outcome = ("accepting marks the fix for the maintainers; it makes no new topic" if suggestion.is_fix
               else "approving opens a form to write the topic, then publishes it in this server")
    embed.set_footer(text=f"Suggestion #{suggestion.id} · {pending} pending · {outcome}")
    return embed


def review_done_embed(note: str | None) -> discord.Embed:
    text = "No suggestions are waiting for review."
    return discord.Embed(title="Review", description=f"{note}\n\n{text}" if note else text, colour=REVIEW_COLOUR)


def _numbered(lines: Iterable[str], empty: str) -> str:
    out: list[str] = []
    size = 0
    for number, line in enumerate(lines, start=1):
        entry = f"{number}. {line}"
        if size + len(entry) + 1 > FIELD_VALUE_LIMIT:
            break
        out.append(entry)
        size += len(entry) + 1
    return "\n".join(out) or empty


def stats_embed(stats: KnowledgeStats, days: int) -> discord.Embed:
    period = "day" if days == 1 else f"{days} days"
    lookups = "lookup" if stats.total_lookups == 1 else "lookups"
    embed = discord.Embed(
        title=f"Topic lookups in the last {period}",
        description=f"Since {timestamp(stats.since, 'D')}: **{stats.total_lookups}** {lookups}.",
        colour=KNOWLEDGE_COLOUR,
    )
    embed.add_field(
        name="Most looked up",
        value=_numbered((f"{escape_markdown(clip(t.title, 90))} · `{t.slug}` — **{t.lookups}**"
                         for t in stats.top_topics), "No topic was looked up in this period."),
        inline=False,
    )
    embed.add_field(
        name="Found nothing for (what to write next)",
        value=_numbered((f"“{quoted(q.query, STATS_QUERY_CHARS)}” — **{q.lookups}**" for q in stats.unanswered),
                        "Every lookup found a topic."),
        inline=False,
    )
    embed.set_footer(text="Lookups are stored with the server, the query and the topic found; never who asked.")
    return embed
