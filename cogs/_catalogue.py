"""What Nexus can do, read from the command tree that was synced: `/help`, the introduction in the
channel and the set-up texts name only commands that exist, as a member of the server sees them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from cogs._checks import required_permissions


@dataclass(frozen=True)
class CommandEntry:
    name: str  # "/topic"
    description: str
    subcommands: tuple[str, ...]  # ("query", "list", …); empty for a plain command


def visible_to(command: app_commands.Command[Any, ..., Any] | app_commands.Group,
               permissions: discord.Permissions | None) -> bool:
    """Whether a member with `permissions` may use the command (None: everyone's view, for a public
    post): its default permissions, which Discord hides a top-level command by, and the bot's own
    rule for a subcommand (`cogs._checks.requires`), which Discord cannot hide it by."""
    required = required_permissions(command)
    if required is None:
        return True
    return permissions is not None and required.is_subset(permissions)


def _usable(group: app_commands.Group, permissions: discord.Permissions | None, prefix: str = "") -> list[str]:
    """A group's subcommands this member may use, a nested group's as `queue join`."""
    names: list[str] = []
    for sub in group.commands:
        if not visible_to(sub, permissions):
            continue
        if isinstance(sub, app_commands.Group):
            names += _usable(sub, permissions, f"{prefix}{sub.name} ")
        else:
            names.append(f"{prefix}{sub.name}")
    return names


def catalogue(tree: app_commands.CommandTree[Any], permissions: discord.Permissions | None) -> list[CommandEntry]:
    """The top-level commands this member (or, with None, every member) may use, sorted by name,
    each with the subcommands they may use."""
    entries = []
    for command in sorted(tree.get_commands(type=discord.AppCommandType.chat_input), key=lambda c: c.name):
        if not isinstance(command, app_commands.Command | app_commands.Group) or not visible_to(command, permissions):
            continue
        subs = tuple(_usable(command, permissions)) if isinstance(command, app_commands.Group) else ()
        entries.append(CommandEntry(f"/{command.name}", command.description, subs))
    return entries


def command_exists(tree: app_commands.CommandTree[Any], qualified_name: str) -> bool:
    """Whether `/a b` is a command of the tree (a feature's text mentions it only if so)."""
    parts = qualified_name.lstrip("/").split()
    found: Any = tree.get_command(parts[0])
    for part in parts[1:]:
        found = found.get_command(part) if isinstance(found, app_commands.Group) else None
    return found is not None
