"""The texts of the three week-one posts, as messages within Discord's limits. Pure functions of
their arguments: the delivery fetches what they need (members, projects) and sends what they return.

- Mentions are user mentions only; each message says exactly which users it may ping.
- Nothing is cut: what does not fit one message continues in the next.
- A command is named only if it exists (`available`); else the text says what to do in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from discord.utils import escape_markdown

from bot.cohort import date_in_words
from bot.discord_limits import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    MESSAGE_CONTENT_LIMIT,
    TITLE_LIMIT,
)
from bot.tracks import Track
from bot.week_one.model import AnnouncedProject

EMBEDS_PER_MESSAGE = 10  # Discord's limit
TITLE_SHOWN = 100  # a project title is at most 100 characters when announced
LOOKING_MARK = "🤝"
DISCIPLINES = ("backend", "frontend")
CONTINUED = "The list continues in this post's thread."


@dataclass(frozen=True)
class EmbedSpec:
    title: str
    description: str = ""
    fields: tuple[tuple[str, str], ...] = ()  # shown inline, side by side

    @property
    def size(self) -> int:
        return len(self.title) + len(self.description) + sum(len(n) + len(v) for n, v in self.fields)


@dataclass(frozen=True)
class OutgoingMessage:
    content: str = ""
    embeds: tuple[EmbedSpec, ...] = ()
    mentions: tuple[int, ...] = ()  # the users this message may ping, and no one else


@dataclass(frozen=True)
class Available:
    """Which commands exist right now (read from the synced tree by the cog)."""

    project_announce: bool = False
    pair_find: bool = False
    pair_queue: bool = False


@dataclass(frozen=True)
class Counts:
    backend: int = 0
    frontend: int = 0

    @property
    def total(self) -> int:
        return self.backend + self.frontend


def counts_of(projects: Iterable[AnnouncedProject]) -> Counts:
    found = {"backend": 0, "frontend": 0}
    for project in projects:
        found[project.discipline] = found.get(project.discipline, 0) + 1
    return Counts(found["backend"], found["frontend"])


def _stamp(moment: datetime, style: str) -> str:
    return f"<t:{int(moment.timestamp())}:{style}>"


def _how_to_announce(channel_id: int, available: Available) -> str:
    if available.project_announce:
        return (f"Announce it here in <#{channel_id}> with `/project announce`: its title, track, what it does, "
                "your stack, and whether you look for a partner. It takes thirty seconds.")
    return (f"Post it here in <#{channel_id}>: your project's title, track, what it does, your stack, and whether "
            "you look for a partner.")


def kickoff(channel_id: int, deadline: datetime, available: Available,
            first_round: datetime | None = None, *, started: date | None = None) -> list[OutgoingMessage]:
    """`started`: the cohort's first day, when the kickoff is not posted on it (an admin posting it late)."""
    headline = (f"**Week one started on {date_in_words(started)}: announce your project.**" if started
                else "**Week one starts today: announce your project.**")
    after = ("The next morning the roundup lists every project announced in time"
             + (f", and the first pairing round follows at {_stamp(first_round, 't')}." if first_round and
                available.pair_queue else "."))
    text = "\n".join([
        headline,
        _how_to_announce(channel_id, available),
        "Why: you build it with a partner from the other side, backend with frontend, and the announcements are "
        "how you find each other: learners on the same kind of project see yours.",
        f"Deadline: {_stamp(deadline, 'F')} ({_stamp(deadline, 'R')}), the end of day 7.",
        after,
    ])
    return [OutgoingMessage(content=text)]


def reminder(counts: Counts, not_yet: Sequence[int], deadline: datetime, channel_id: int,
             available: Available, *, names_known: bool = True) -> list[OutgoingMessage]:
    """Counts by discipline, then every learner who has not announced as a mention, packed into as
    many messages as it takes (each within 2,000 characters, each pinging only its own mentions)."""
    plural = "s" if counts.total != 1 else ""
    lines = [f"**Week one, day 4: {counts.total} project{plural} announced so far** "
             f"({counts.backend} backend, {counts.frontend} frontend).",
             f"Deadline: {_stamp(deadline, 'F')} ({_stamp(deadline, 'R')}).", _how_to_announce(channel_id, available)]
    if not_yet:
        lines.append(f"Not announced yet ({len(not_yet)}):")
    elif names_known:
        lines.append("Every learner has announced. Thank you!")
    messages: list[OutgoingMessage] = []
    text, users = "\n".join(lines), list[int]()
    separator = "\n"
    for user_id in not_yet:
        mention = f"<@{user_id}>"
        if len(text) + len(separator) + len(mention) > MESSAGE_CONTENT_LIMIT:
            messages.append(OutgoingMessage(content=text, mentions=tuple(users)))
            text, users, separator = "", [], ""
        text += separator + mention
        users.append(user_id)
        separator = " "
    messages.append(OutgoingMessage(content=text, mentions=tuple(users)))
    return messages


def _project_line(project: AnnouncedProject) -> str:
    title = escape_markdown(" ".join(project.title.split())[:TITLE_SHOWN])
    looking = f" {LOOKING_MARK}" if project.looking else ""
    return f"**{title}** · <@{project.owner_id}>{looking}"


def _chunks(lines: Sequence[str], limit: int) -> list[str]:
    """Lines joined into values of at most `limit` characters (a line is never split)."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = line[:limit]
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


def roundup(projects: Sequence[AnnouncedProject], tracks: Sequence[Track], available: Available,
            first_round: datetime | None = None) -> list[OutgoingMessage]:
    """Every announced project grouped by track (the file's order, unknown tracks after), backend
    and frontend side by side, then who still looks for a partner. Mentions name, never ping."""
    counts = counts_of(projects)
    looking = [p for p in projects if p.looking]
    intro = [f"**Week one roundup: {counts.total} project{'s' if counts.total != 1 else ''} announced by the "
             "deadline** "
             f"({counts.backend} backend, {counts.frontend} frontend); {len(looking)} still look for a partner "
             f"({LOOKING_MARK})."]
    if available.pair_find:
        intro.append("Find yours with `/pair find`: it ranks the learners on the other side by how well you fit.")
    if available.pair_queue:
        when = f" at {_stamp(first_round, 'F')}" if first_round else ""
        intro.append(f"Or wait for the first pairing round{when}: `/pair queue join` (a project looking for a partner "
                     "is in it already, also one announced from now on).")
    elif looking:
        intro.append("Pairing comes next: until then, reply in a project's thread to team up.")
    if not projects:
        intro.append("No project was announced this week.")
    names = {track.key: track.name for track in tracks}
    by_track: dict[str, list[AnnouncedProject]] = {}
    for project in projects:
        by_track.setdefault(project.track, []).append(project)
    order = [t.key for t in tracks if t.key in by_track] + sorted(k for k in by_track if k not in names)
    embeds: list[EmbedSpec] = []
    for key in order:
        group = by_track[key]
        side = {d: _chunks([_project_line(p) for p in group if p.discipline == d], FIELD_VALUE_LIMIT)
                for d in DISCIPLINES}
        parts = max(len(side["backend"]), len(side["frontend"]))
        title = escape_markdown(names.get(key, key))[:TITLE_LIMIT - 20]
        for part in range(parts):
            fields = tuple(
                (f"{d.capitalize()} ({sum(1 for p in group if p.discipline == d)})" if part == 0 else
                 f"{d.capitalize()} (continued)",
                 side[d][part] if part < len(side[d]) else "—")
                for d in DISCIPLINES)
            embeds.append(EmbedSpec(title=title if part == 0 else f"{title} (continued)", fields=fields))
    if looking:
        lines = [f"<@{p.owner_id}> · {p.discipline} · {escape_markdown(names.get(p.track, p.track))}" for p in looking]
        for part, chunk in enumerate(_chunks(lines, DESCRIPTION_LIMIT)):
            embeds.append(EmbedSpec(title="Still looking for a partner" + (" (continued)" if part else ""),
                                    description=chunk))
    messages = _pack("\n".join(intro), embeds)
    if len(messages) > 1:  # the delivery opens a thread on the first message for the rest
        first = messages[0]
        messages[0] = OutgoingMessage(f"{first.content}\n{CONTINUED}", first.embeds, first.mentions)
    return messages


@dataclass
class _Draft:
    content: str = ""
    embeds: list[EmbedSpec] = field(default_factory=list)
    size: int = 0


def _pack(content: str, embeds: Sequence[EmbedSpec]) -> list[OutgoingMessage]:
    """Embeds in as few messages as fit: at most 10 a message, 6,000 characters of embed text."""
    drafts = [_Draft(content=content)]
    for embed in embeds:
        draft = drafts[-1]
        if len(draft.embeds) >= EMBEDS_PER_MESSAGE or draft.size + embed.size > EMBED_TOTAL_LIMIT:
            draft = _Draft()
            drafts.append(draft)
        draft.embeds.append(embed)
        draft.size += embed.size
    return [OutgoingMessage(content=d.content, embeds=tuple(d.embeds)) for d in drafts]
