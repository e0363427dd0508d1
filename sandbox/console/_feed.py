"""What the bot posted, edited or deleted anywhere, found by diffing the stand-in's records.

The diff runs against what the console last showed, not against "before this command", so a
scheduled post that landed between two commands is shown by the next one. Changes come back in
the order they happened (snowflake order); a thread opened on a message right after that message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._markup import Names, attr
from ._world import DemoWorld

if TYPE_CHECKING:
    from sandbox.standin import MessageRecord, ThreadRecord


@dataclass
class Seen:
    where: str
    fingerprint: str
    record: MessageRecord


@dataclass
class Change:
    """One thing to show: a message (new, or edited: `note`) or a line saying what happened."""

    at: tuple[int, int]  # (snowflake, 0 for a message / 1 for a thread opened on it)
    record: MessageRecord | None = None
    where: str | None = None
    note: str | None = None
    line: str = ""
    style: str = "dim"


def fingerprint(record: Any) -> str:
    """What a person would see change: content, embeds, components, the edited/deleted marks."""
    return json.dumps(
        [
            attr(record, "content"),
            attr(record, "embeds"),
            attr(record, "components"),
            bool(attr(record, "edited")),
            bool(attr(record, "deleted")),
        ],
        sort_keys=True,
        default=str,
    )


class Feed:
    """The messages and threads the console already showed, and what changed since."""

    def __init__(
        self, world: DemoWorld,
        process_of: Callable[[MessageRecord | ThreadRecord, int | None], str | None] | None = None,
    ) -> None:
        """`process_of`: which bot process made a message or opened a thread, to mark it (the
        sandbox's `--processes 2`); None marks nothing."""
        self.world = world
        self.process_of = process_of
        self.threads_seen: set[int] = {int(t.id) for t in world.all_threads()}
        self.where_by_channel: dict[int, str] = {}
        self.seen: dict[int, Seen] = self.snapshot()

    def where(self, channel_id: int) -> str | None:
        """`#channel`, `#parent › thread “name”` or `DM to ada` for a channel id seen so far."""
        return self.where_by_channel.get(channel_id)

    def snapshot(self) -> dict[int, Seen]:
        standin = self.world.standin
        seen: dict[int, Seen] = {}
        for where, kind, place_id in self.world.places():
            if kind == "channel":
                self.where_by_channel[place_id] = where
            try:
                if kind == "dm":
                    records = list(standin.dm_messages(place_id))
                else:
                    records = list(standin.messages(place_id))
            except (KeyError, ValueError):
                continue
            for record in records:
                seen[int(record.id)] = Seen(where, fingerprint(record), record)
                self.where_by_channel[int(record.channel_id)] = where
        return seen

    def changes(self, shown: set[int], names: Names) -> list[Change]:
        """New threads, new/edited/deleted messages since the last call, oldest first; `shown` are
        message ids the caller already showed. Everything returned counts as shown from now on."""
        now = self.snapshot()
        changes: list[Change] = []
        for thread in self.world.all_threads():
            if int(thread.id) in self.threads_seen:
                continue
            self.threads_seen.add(int(thread.id))
            members = ", ".join(names.user(m) for m in (thread.member_ids or []))
            kind = "private thread" if thread.private else "thread"
            by = self.process_of(thread, None) if self.process_of is not None else None
            opened = f"[{by}] " if by else ""
            opened += f"{kind} opened in {self.world.prefix(thread.guild_id)}#{names.channel(thread.parent_id)}: "
            opened += f"“{thread.name}”"
            opened += f" (members: {members})" if members else ""
            at = (int(thread.message_id), 1) if thread.message_id else (int(thread.id), 0)
            changes.append(Change(at, line=opened, style="bold cyan"))
        for message_id, entry in now.items():
            before = self.seen.get(message_id)
            if message_id in shown or (before is not None and before.fingerprint == entry.fingerprint):
                continue
            note = None if before is None else "edited"
            changes.append(Change((message_id, 0), record=entry.record, where=entry.where, note=note))
        for message_id, entry in self.seen.items():
            if message_id not in now and message_id not in shown:
                gone = f"{entry.where} · a message by {names.user(entry.record.author_id)} was deleted"
                changes.append(Change((message_id, 0), line=gone))
        self.seen = now
        return sorted(changes, key=lambda change: change.at)
