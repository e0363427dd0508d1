"""The stand-in's Discord as plain JSON data, and back: what `--db` keeps of a sandbox rehearsal.

A snapshot holds what members and the bot made: every message (not the ephemeral ones, which
Discord forgets too), its edits and deletions, the threads and their members, the DM channels, the
attachments' bytes and the next snowflake. Restored into a fresh stand-in before the bot connects,
the bot finds its posts, threads and DMs under the ids its database recorded. The demo server
itself (members, roles, channels) is built the same every time and is not part of it; the members
who joined it later (`StandIn.add_member`, the console's `join`) are, with their roles.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from typing import Any

from ._records import MessageRecord, ThreadRecord
from ._state import StandInState
from .demo import DemoMember

VERSION = 1
_TIMES = ("created_at", "edited_at")


def _plain(record: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for item in dataclasses.fields(record):
        if item.name in skip:
            continue
        value = getattr(record, item.name)
        data[item.name] = value.isoformat() if isinstance(value, dt.datetime) else value
    return data


def _times(data: dict[str, Any]) -> dict[str, Any]:
    return {key: dt.datetime.fromisoformat(value) if key in _TIMES and value is not None else value
            for key, value in data.items()}


def snapshot(state: StandInState) -> dict[str, Any]:
    messages = [m for m in state.messages_by_id.values() if not m.ephemeral]
    interactions = {m.interaction_id for m in messages if m.interaction_id is not None}
    return {
        "version": VERSION,
        "last_id": state._last_id,
        "messages": [_plain(m, skip=("touched_at",)) for m in sorted(messages, key=lambda m: m.id)],
        "threads": [_plain(t) for t in state.threads.values()],
        "deleted_channel_ids": sorted(state.deleted_channel_ids),
        "dms": {str(member): channel for member, channel in state.dm_by_member.items()},
        "interaction_metadata": {str(i): state._interaction_metadata[i] for i in sorted(interactions)
                                 if i in state._interaction_metadata},
        "attachments": {str(i): base64.b64encode(data).decode("ascii") for i, data in state.attachment_data.items()},
        "joined": [{"guild_id": guild.id, "id": member.id, "name": member.name, "roles": list(member.roles),
                    "joined_at": member.joined_at.isoformat()}
                   for guild, member in state.joined if member in guild.members],
    }


def restore(state: StandInState, data: dict[str, Any]) -> None:
    """Put a snapshot back into a stand-in that holds no messages yet."""
    if data.get("version") != VERSION:
        raise ValueError(f"a stand-in snapshot of version {data.get('version')!r}; this sandbox reads {VERSION}")
    if state.messages_by_id or state.threads:
        raise RuntimeError("restore a snapshot into a fresh stand-in, before anything is posted")
    for raw in data.get("threads") or []:
        thread = ThreadRecord(**_times(raw))
        state.threads[thread.id] = thread
    for raw in data.get("messages") or []:
        message = MessageRecord(**_times(raw))
        state.messages_by_id[message.id] = message
        state.channel_messages[message.channel_id].append(message)
    state.deleted_channel_ids.update(int(i) for i in data.get("deleted_channel_ids") or [])
    for member, channel in (data.get("dms") or {}).items():
        state.dm_by_member[int(member)] = int(channel)
        state.member_by_dm[int(channel)] = int(member)
    state._interaction_metadata.update({int(i): m for i, m in (data.get("interaction_metadata") or {}).items()})
    state.attachment_data.update({int(i): base64.b64decode(b) for i, b in (data.get("attachments") or {}).items()})
    state._last_id = max(state._last_id, int(data.get("last_id") or 0))
    for raw in data.get("joined") or []:  # back in their server before the bot connects: no events
        guild = state.directory.guild(int(raw["guild_id"]))
        if guild is None or any(m.id == int(raw["id"]) for m in guild.members):
            continue
        member = DemoMember(int(raw["id"]), str(raw["name"]), [int(r) for r in raw["roles"]],
                            joined_at=dt.datetime.fromisoformat(raw["joined_at"]))
        guild.members.append(member)
        state.joined.append((guild, member))
