"""The application commands the bot synced, echoed back the way Discord stores them."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._state import StandInState


class CommandStore:
    def __init__(self, state: StandInState) -> None:
        self.state = state
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.synced = asyncio.Event()
        self._ids: dict[tuple[int | None, str, int], int] = {}

    def scoped(self, guild_id: int | None) -> list[dict[str, Any]]:
        return self.global_commands if guild_id is None else self.guild_commands.get(guild_id, [])

    def store(self, guild_id: int | None, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Bulk overwrite, echoing each command back as Discord does (ids kept per name)."""
        echoed = []
        for cmd in commands:
            kind = int(cmd.get("type", 1))
            key = (guild_id, cmd["name"], kind)
            command_id = self._ids.setdefault(key, self.state.new_id())
            out = dict(cmd)
            out.update(
                id=str(command_id),
                application_id=str(self.state.application_id),
                version=str(self.state.new_id()),
                type=kind,
                description=cmd.get("description", ""),
                default_member_permissions=cmd.get("default_member_permissions"),
                nsfw=bool(cmd.get("nsfw", False)),
            )
            out.setdefault("dm_permission", True)
            out.setdefault("contexts", None)
            out.setdefault("integration_types", [0])
            if kind == 1:
                out["options"] = cmd.get("options") or []
            if guild_id is not None:
                out["guild_id"] = str(guild_id)
            echoed.append(out)
        if guild_id is None:
            self.global_commands = echoed
        else:
            self.guild_commands[guild_id] = echoed
        self.synced.set()
        return echoed

    @property
    def all(self) -> list[dict[str, Any]]:
        commands = list(self.global_commands)
        for cmds in self.guild_commands.values():
            commands.extend(cmds)
        return commands

    def find(self, name: str, guild_id: int, kind: int = 1) -> dict[str, Any]:
        """The synced command by top-level name as members of that guild see it: its own, then global."""
        for cmd in [*self.guild_commands.get(guild_id, []), *self.global_commands]:
            if cmd["name"] == name and int(cmd.get("type", 1)) == kind:
                return cmd
        visible = [*self.guild_commands.get(guild_id, []), *self.global_commands]
        known = sorted({c["name"] for c in visible if int(c.get("type", 1)) == kind})
        raise ValueError(f"unknown command {name!r} in this server; synced: {', '.join(known) or 'none'}")
