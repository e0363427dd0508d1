"""The demo guild as the console names it: members, channels, threads, and ids -> names.

Read from the stand-in on every call, so a thread the bot just opened is known at once. A name a
person typed that matches nothing is a `ConsoleInputError` that lists the names that would do.

With several servers (the sandbox's `--processes 2` has two demo servers) the console acts in one
at a time (`guild`, switched with `server`); what the bot posted is watched in all of them, each
place named with its server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
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

    def __init__(self, standin: StandIn, servers: Sequence[DemoGuild] = ()) -> None:
        """`servers`: the servers a person can act in (default: the demo one), the first to start with."""
        self.standin = standin
        self.servers: list[DemoGuild] = list(servers) or [standin.guild]
        self._guild = self.servers[0]

    @property
    def guild(self) -> DemoGuild:
        """The server the console acts in now."""
        return self._guild

    @guild.setter
    def guild(self, guild: DemoGuild) -> None:
        self._guild = guild

    @property
    def several(self) -> bool:
        return len(self.servers) > 1

    def server(self, typed: str) -> DemoGuild:
        """A server by its number (1, 2, as `server` lists them) or a part of its name."""
        key = typed.strip().strip("\"'").casefold()
        if key.isdigit() and 1 <= int(key) <= len(self.servers):
            return self.servers[int(key) - 1]
        found = [g for g in self.servers if key and (key == g.name.casefold() or key in g.name.casefold())]
        if len(found) == 1:
            return found[0]
        listing = ", ".join(f"{n} {g.name}" for n, g in enumerate(self.servers, start=1))
        raise ConsoleInputError(f"which server? {listing}")

    def server_of_member(self, name: str) -> DemoGuild | None:
        """The first server (this one first) that has a member of this name."""
        for guild in [self.guild, *(g for g in self.servers if g is not self.guild)]:
            try:
                guild.member(str(name).strip())
            except KeyError:
                continue
            return guild
        return None

    def prefix(self, guild_id: int | None) -> str:
        """`ProDev Nexus 2 (sandbox) › ` before a place of that server, with several servers; else ''."""
        if not self.several or guild_id is None:
            return ""
        guild = next((g for g in self.servers if int(g.id) == int(guild_id)), None)
        return f"{guild.name} › " if guild is not None else ""

    def member(self, name: str) -> DemoMember:
        try:
            member = self.guild.member(str(name).strip())
        except KeyError:
            raise ConsoleInputError(f"unknown member {name!r}; members: {', '.join(self.member_names())}") from None
        return member

    def any_member(self, name: str) -> DemoMember:
        """A member of this server, else of another the console shows (`dms kemi` from server 1)."""
        guild = self.server_of_member(name)
        return guild.member(str(name).strip()) if guild is not None else self.member(name)

    def member_names(self) -> list[str]:
        return [m.name for m in self.guild.members if not m.bot]

    def role_names(self, member: DemoMember) -> list[str]:
        guild = self.guild
        by_id = {int(r.id): r.name for r in guild.roles}
        return [by_id.get(int(r), str(r)) for r in member.roles if int(r) != int(guild.id)]

    def dm_owner(self, channel_id: int) -> str | None:
        """The member whose DM with the bot `channel_id` is (None: not a DM channel)."""
        for guild in self.servers:
            for member in guild.members:
                if not member.bot and self.standin.dm_channel_id(member) == int(channel_id):
                    return str(member.name)
        return None

    def threads(self) -> list[ThreadRecord]:
        """The threads of the server the console acts in."""
        threads = self.all_threads()
        return threads if not self.several else [t for t in threads if int(t.guild_id) == int(self.guild.id)]

    def all_threads(self) -> list[ThreadRecord]:
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
        servers = [g for g in self.servers if g is not self.guild] + [self.guild]  # this server's names win
        names = Names(
            users={int(m.id): m.name for g in servers for m in g.members},
            roles={int(r.id): r.name.lstrip("@") for g in servers for r in g.roles},
            channels={int(c.id): c.name for g in servers for c in g.channels},
            zone=zone,
        )
        names.channels.update({int(t.id): t.name for t in self.all_threads()})
        if now is not None:
            names.now = now
        return names

    def places(self) -> Iterator[tuple[str, str, int]]:
        """(where, "channel" | "dm", id) for every place the bot can post, in every server."""
        for guild in self.servers:
            prefix = self.prefix(guild.id)
            for channel in guild.channels:
                if int(getattr(channel, "type", 0) or 0) in TEXT_CHANNEL_TYPES:
                    yield f"{prefix}#{channel.name}", "channel", int(channel.id)
        parents = {int(c.id): (g.id, c.name) for g in self.servers for c in g.channels}
        for thread in self.all_threads():
            guild_id, parent = parents.get(int(thread.parent_id or 0), (None, "?"))
            if self.several and guild_id is None:
                continue  # a server the console does not show
            kind = "private thread" if thread.private else "thread"
            yield f"{self.prefix(guild_id)}#{parent} › {kind} “{thread.name}”", "channel", int(thread.id)
        for guild in self.servers:
            for member in guild.members:
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
