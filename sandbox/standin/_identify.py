"""What the gateway sends a bot that identifies: READY, the servers, and member chunks on request."""

from __future__ import annotations

from typing import Any

from ._shards import holds
from ._state import StandInState
from .demo import DemoGuild

Shard = tuple[int, int] | None  # (shard_id, shard_count) of a sharded connection; None holds every server


def held_guilds(state: StandInState, shard: Shard) -> list[DemoGuild]:
    return [g for g in state.directory.guilds if holds(shard, g.id)]


def ready_payload(state: StandInState, session_id: str, gateway_url: str, shard: Shard = None) -> dict[str, Any]:
    """READY lists the connection's servers (every one, or its shard's) as unavailable; a GUILD_CREATE
    for each follows (discord.py waits `guild_ready_timeout` after the last before `on_ready`)."""
    payload: dict[str, Any] = {
        "v": 10,
        "user": state.bot_user_payload(),
        "guilds": [{"id": str(g.id), "unavailable": True} for g in held_guilds(state, shard)],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": gateway_url,
        "application": {"id": str(state.application_id), "flags": 0},
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "user_settings": {},
        "geo_ordered_rtc_regions": [],
        "_trace": ["nexus-standin"],
    }
    if shard is not None:
        payload["shard"] = list(shard)
    return payload


def guild_create_payloads(state: StandInState, shard: Shard = None) -> list[dict[str, Any]]:
    return [state.guild_create_payload(g) for g in held_guilds(state, shard)]


CHUNK_SIZE = 1000  # Discord sends at most this many members per GUILD_MEMBERS_CHUNK


def members_chunk(state: StandInState, data: dict[str, Any], shard: Shard = None) -> list[dict[str, Any]]:
    """The GUILD_MEMBERS_CHUNKs answering an op 8 request, as Discord sends them: up to 1,000 members
    each, numbered with chunk_index/chunk_count. An unknown server gets one empty chunk, and so does
    a server another shard holds: a connection only knows its own shard's servers."""
    raw_guild = str(data.get("guild_id") or "")
    guild = state.directory.guild(int(raw_guild)) if raw_guild.isdigit() else state.guild
    if guild is not None and not holds(shard, guild.id):
        guild = None
    members = list(guild.members) if guild is not None else []
    query = str(data.get("query") or "").casefold()
    user_ids = {str(u) for u in (data.get("user_ids") or [])}
    if user_ids:
        members = [m for m in members if str(m.id) in user_ids]
    elif query:
        members = [m for m in members if m.name.casefold().startswith(query)]
    limit = int(data.get("limit") or 0)
    if limit:
        members = members[:limit]
    parts = [members[i:i + CHUNK_SIZE] for i in range(0, len(members), CHUNK_SIZE)] or [[]]
    not_found = sorted(user_ids - {str(m.id) for m in members})
    return [{
        "guild_id": raw_guild or str(state.guild.id),
        "members": [m.to_payload() for m in part],
        "chunk_index": index,
        "chunk_count": len(parts),
        "not_found": not_found if index == len(parts) - 1 else [],
        "nonce": data.get("nonce"),
    } for index, part in enumerate(parts)]
