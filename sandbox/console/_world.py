"""The demo guild as the console names it: members, channels, threads, and ids -> names.

Read from the stand-in on every call, so a thread the bot just opened is known at once. A name a
person typed that matches nothing is a `ConsoleInputError` that lists the names that would do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from discord import Permissions

from ._markup import Names
from ._parse import CHANNEL, MENTIONABLE, ROLE, USER, ConsoleInputError

if TYPE_CHECKING:
    from sandbox.standin import DemoChannel, DemoGuild, DemoMember, StandIn, ThreadRecord

TEXT_CHANNEL_TYPES = {0, 5}  # guild text, announcement
ADMINISTRATOR = Permissions(administrator=True).value
# Discord's names where they differ from discord.py's attribute names.
PERMISSION_NAMES = {"manage_guild": "Manage Server", "moderate_members": "Timeout Members"}


def _letters(name: str) -> str:
    """A name as letters and digits only, lower case: `Pair · ada & ben` -> `pairadaben`."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def permission_names(bits: int) -> list[str]:
    """`Permissions` bits -> the names Discord shows in the server settings ("Manage Server")."""
    return [
        PERMISSION_NAMES.get(name, name.replace("_", " ").title()) for name, granted in Permissions(bits) if granted
    ]


class DemoWorld:
    """Lookups over the stand-in's demo guild and the threads the bot opened in it."""

    def __init__(self, standin: StandIn) -> None:
        self.standin = standin

    @property
    def guild(self) -> DemoGuild:
        return self.standin.guild

    def member(self, name: str) -> DemoMember:
        try:
            member = self.guild.member(str(name).strip())
        except KeyError:
            raise ConsoleInputError(f"unknown member {name!r}; members: {', '.join(self.member_names())}") from None
        return member

    def member_names(self) -> list[str]:
        return [m.name for m in self.guild.members if not m.bot]

    def role_names(self, member: DemoMember) -> list[str]:
        guild = self.guild
        by_id = {int(r.id): r.name for r in guild.roles}
        return [by_id.get(int(r), str(r)) for r in member.roles if int(r) != int(guild.id)]

    def dm_owner(self, channel_id: int) -> str | None:
        """The member whose DM with the bot `channel_id` is (None: not a DM channel)."""
        for member in self.guild.members:
            if not member.bot and self.standin.dm_channel_id(member) == int(channel_id):
                return str(member.name)
        return None

    def threads(self) -> list[ThreadRecord]:
        return list(self.standin.threads or [])

    def text_channels(self) -> list[DemoChannel]:
        return [c for c in self.guild.channels if int(getattr(c, "type", 0) or 0) in TEXT_CHANNEL_TYPES]

    def channel_name(self, name: str) -> str:
        """A channel or thread as typed (`#name`, quoted, a thread's id) -> its name."""
        key = str(name).strip().strip("\"'").lstrip("#").strip()
        for thread in self.threads():
            if key.lower() in (str(thread.name).lower(), str(thread.id)):
                return str(thread.name)
        try:
            return str(self.guild.channel(key).name)
        except KeyError:
            pass
        # Thread names the bot makes carry `·` and `&`, which nobody types: `pair ada ben` will do,
        # as will any part of one name (`ada & ben`), when it names one thread or channel only.
        names = [str(c.name) for c in self.text_channels()] + [str(t.name) for t in self.threads()]
        typed = _letters(key)
        found = [n for n in names if _letters(n) == typed] or [n for n in names if typed and typed in _letters(n)]
        if len(found) == 1:
            return found[0]
        if found:
            raise ConsoleInputError(f"{name!r} could be {' or '.join(repr(n) for n in found)}; type more of its name")
        raise ConsoleInputError(f"unknown channel {name!r}; channels: {', '.join(names)}")

    def missing_for_command(self, member: str, channel: str, needs: int | None) -> list[str]:
        """What `member` lacks, typing in `channel`, for a command with these default member
        permissions: Discord shows the command only when nothing is missing. Administrators (and
        the owner) see everything; `needs` 0 means administrators only."""
        if needs is None:
            return []
        perms = self.guild.permissions_in(self.member(member), self._permission_channel(channel))
        if perms & ADMINISTRATOR:
            return []
        return permission_names(needs & ~perms) if needs else permission_names(ADMINISTRATOR)

    def members_who_see(self, needs: int | None, channel: str) -> list[str]:
        return [n for n in self.member_names() if not self.missing_for_command(n, channel, needs)]

    def _permission_channel(self, name: str) -> DemoChannel:
        """The channel whose permissions apply: a thread's parent, as in Discord."""
        for thread in self.threads():
            if str(thread.name) == name:
                return self.guild.channel(int(thread.parent_id))
        return self.guild.channel(name)

    def names(self, now: Callable[[], float] | None = None, zone: str = "UTC") -> Names:
        """Ids -> names for rendering mentions; `now` fixes the clock relative times count from,
        `zone` the time zone timestamps are shown in (the server's)."""
        guild = self.guild
        names = Names(
            users={int(m.id): m.name for m in guild.members},
            roles={int(r.id): r.name.lstrip("@") for r in guild.roles},
            channels={int(c.id): c.name for c in guild.channels},
            zone=zone,
        )
        names.channels.update({int(t.id): t.name for t in self.threads()})
        if now is not None:
            names.now = now
        return names

    def places(self) -> Iterator[tuple[str, str, int]]:
        """(where, "channel" | "dm", id) for every place the bot can post."""
        for channel in self.text_channels():
            yield f"#{channel.name}", "channel", int(channel.id)
        parents = {int(c.id): c.name for c in self.guild.channels}
        for thread in self.threads():
            parent = parents.get(int(thread.parent_id or 0), "?")
            kind = "private thread" if thread.private else "thread"
            yield f"#{parent} › {kind} “{thread.name}”", "channel", int(thread.id)
        for member in self.guild.members:
            if not member.bot:
                yield f"DM to {member.name}", "dm", int(member.id)

    def check_target(self, name: str, kind: int, value: str) -> None:
        """A member/role/channel named in an option or select must exist: say which ones do."""
        guild = self.guild
        lookups: dict[int, list[tuple[str, Callable[[str], object], list[str]]]] = {
            USER: [("member", guild.member, [m.name for m in guild.members])],
            ROLE: [("role", guild.role, [r.name for r in guild.roles])],
            CHANNEL: [("channel", self.channel_name, [c.name for c in self.text_channels()])],
        }
        lookups[MENTIONABLE] = lookups[USER] + lookups[ROLE]
        if kind not in lookups:
            return
        for _, lookup, _ in lookups[kind]:
            try:
                lookup(value)
                return
            except (KeyError, ConsoleInputError):
                continue
        what = " or ".join(label for label, _, _ in lookups[kind])
        known = ", ".join(n for _, _, names in lookups[kind] for n in names)
        raise ConsoleInputError(f"{name}: no {what} {value!r}; known: {known}")
