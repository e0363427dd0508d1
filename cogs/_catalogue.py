"""What Nexus can do, read from the command tree that was synced: `/help`, the introduction in the
channel and the set-up texts name only commands that exist, as a member of the server sees them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands


@dataclass(frozen=True)
class CommandEntry:
    name: str  # "/topic"
    description: str
    subcommands: tuple[str, ...]  # ("query", "list", …); empty for a plain command


def visible_to(command: app_commands.Command[Any, ..., Any] | app_commands.Group,
               permissions: discord.Permissions | None) -> bool:
    """Discord shows a command only to members who hold its default permissions (None: everyone's
    view, for a public post)."""
    required = command.default_permissions
    if required is None or required.value == 0:
        return True
    return permissions is not None and required.is_subset(permissions)


def catalogue(tree: app_commands.CommandTree[Any], permissions: discord.Permissions | None) -> list[CommandEntry]:
    """The top-level commands this member (or, with None, every member) sees, sorted by name."""
    entries = []
    for command in sorted(tree.get_commands(type=discord.AppCommandType.chat_input), key=lambda c: c.name):
        if not isinstance(command, app_commands.Command | app_commands.Group) or not visible_to(command, permissions):
            continue
        subs = tuple(sub.name for sub in command.commands) if isinstance(command, app_commands.Group) else ()
        entries.append(CommandEntry(f"/{command.name}", command.description, subs))
    return entries


def command_exists(tree: app_commands.CommandTree[Any], qualified_name: str) -> bool:
    """Whether `/a b` is a command of the tree (a feature's text mentions it only if so)."""
    parts = qualified_name.lstrip("/").split()
    found: Any = tree.get_command(parts[0])
    for part in parts[1:]:
        found = found.get_command(part) if isinstance(found, app_commands.Group) else None
    return found is not None
