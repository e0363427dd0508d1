"""What a server's admin does to a channel behind the bot's back: delete it, change who may post.

Both are announced over the gateway as Discord does (CHANNEL_DELETE, CHANNEL_UPDATE with the new
permission overwrites), so the bot's cache follows. After a deletion every request to the channel
(or to a thread in it: Discord deletes them too) answers 404 Unknown Channel (10003); after an
overwrite that takes Send Messages from the bot, a post answers 403 Missing Permissions (50013).
"""

from __future__ import annotations

from ._state import INTENT_GUILDS, StandInState
from .demo import DemoChannel, DemoGuild, DemoOverwrite

ROLE_TARGET, MEMBER_TARGET = 0, 1


def _find(state: StandInState, channel_id: int) -> tuple[DemoGuild, DemoChannel]:
    found = state.directory.channel(channel_id)
    if found is None:
        raise KeyError(f"no server has channel {channel_id}")
    return found


async def delete_channel(state: StandInState, channel_id: int) -> DemoChannel:
    guild, channel = _find(state, channel_id)
    payload = state.channel_payload(channel_id)
    guild.channels.remove(channel)
    state.directory.forget_channel(channel_id)
    state.deleted_channel_ids.add(channel_id)
    for thread in [t for t in state.threads.values() if t.parent_id == channel_id]:
        del state.threads[thread.id]
        state.deleted_channel_ids.add(thread.id)
    await state.emit("CHANNEL_DELETE", payload, INTENT_GUILDS)
    return channel


async def set_overwrite(state: StandInState, channel_id: int, target_id: int, *, allow: int, deny: int) -> None:
    """Set (or with allow = deny = 0 remove) a channel's overwrite for a member or role."""
    guild, channel = _find(state, channel_id)
    if state.find_member(target_id, guild) is not None:
        kind = MEMBER_TARGET
    elif any(role.id == target_id for role in guild.roles):
        kind = ROLE_TARGET
    else:
        raise KeyError(f"{target_id} is neither a member nor a role of {guild.name!r}")
    kept = [o for o in channel.overwrites if (o.type, o.id) != (kind, target_id)]
    if allow or deny:
        kept.append(DemoOverwrite(target_id, kind, allow=allow, deny=deny))
    channel.overwrites = kept
    await state.emit("CHANNEL_UPDATE", state.channel_payload(channel_id), INTENT_GUILDS)
