"""Every server the stand-in serves, and which one a channel or user belongs to.

With hundreds of generated servers a scan per request would dominate a fan-out, so channels and
users are indexed by id. The index is a cache, not the truth: the guilds' own lists are, so a
channel a test appended to a guild by hand is still found (by one scan, then cached).
"""

from __future__ import annotations

from .demo import DemoChannel, DemoGuild, DemoMember


class Directory:
    def __init__(self, guilds: list[DemoGuild]) -> None:
        ids = [g.id for g in guilds]
        if len(set(ids)) != len(ids):
            raise ValueError("two servers share an id")
        self.guilds = guilds
        self._by_id = {g.id: g for g in guilds}
        self._channel_guild: dict[int, DemoGuild] = {}
        self._users: dict[int, DemoMember] = {}
        for guild in guilds:
            for channel in guild.channels:
                self._channel_guild.setdefault(channel.id, guild)
            for member in guild.members:
                self._users.setdefault(member.id, member)

    def guild(self, guild_id: int) -> DemoGuild | None:
        return self._by_id.get(guild_id)

    def channel(self, channel_id: int) -> tuple[DemoGuild, DemoChannel] | None:
        """The guild and channel with this id, or None (never a deleted one)."""
        guild = self._channel_guild.get(channel_id)
        if guild is not None:
            found = next((c for c in guild.channels if c.id == channel_id), None)
            if found is not None:
                return guild, found
        for guild in self.guilds:
            for channel in guild.channels:
                if channel.id == channel_id:
                    self._channel_guild[channel_id] = guild
                    return guild, channel
        return None

    def forget_channel(self, channel_id: int) -> None:
        self._channel_guild.pop(channel_id, None)

    def user(self, user_id: int) -> DemoMember | None:
        """The member record of this user in the first server that has them (demo first)."""
        found = self._users.get(user_id)
        if found is not None:
            return found
        for guild in self.guilds:
            for member in guild.members:
                if member.id == user_id:
                    self._users[user_id] = member
                    return member
        return None

    def guilds_of(self, user_id: int) -> list[DemoGuild]:
        return [g for g in self.guilds if any(m.id == user_id for m in g.members)]
