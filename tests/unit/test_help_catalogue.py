"""What `/help` lists for a member: commands Discord hides by their default permissions, and
subcommands the bot's own rule (`requires`) is for, are left out for members without them."""

from typing import Any

import discord
from discord import app_commands

from cogs._catalogue import catalogue
from cogs._checks import requires

LEARNER = discord.Permissions(send_messages=True)
MODERATOR = discord.Permissions(send_messages=True, manage_messages=True)


def tree_with_commands() -> app_commands.CommandTree[Any]:
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(discord.Client(intents=discord.Intents(guilds=True)))
    topic = app_commands.Group(name="topic", description="Topics")
    queue = app_commands.Group(name="queue", description="The queue", parent=topic)

    @topic.command(name="query", description="Look up")
    async def query(interaction: discord.Interaction[Any]) -> None: ...

    @requires(manage_messages=True)
    @topic.command(name="stats", description="Moderators: stats")
    async def stats(interaction: discord.Interaction[Any]) -> None: ...

    @queue.command(name="join", description="Join")
    async def join(interaction: discord.Interaction[Any]) -> None: ...

    admin = app_commands.Group(name="nexus", description="Admins", default_permissions=discord.Permissions(
        manage_guild=True))

    @admin.command(name="setup", description="Set up")
    async def setup(interaction: discord.Interaction[Any]) -> None: ...

    tree.add_command(topic)
    tree.add_command(admin)
    return tree


def test_a_learner_sees_no_moderator_subcommand_and_no_admin_command():
    [topic] = catalogue(tree_with_commands(), LEARNER)
    assert topic.name == "/topic" and set(topic.subcommands) == {"query", "queue join"}


def test_a_moderator_sees_the_moderator_subcommand():
    [topic] = catalogue(tree_with_commands(), MODERATOR)
    assert set(topic.subcommands) == {"query", "stats", "queue join"}


def test_an_admin_sees_everything_and_everyones_view_holds_nothing_restricted():
    assert [e.name for e in catalogue(tree_with_commands(), discord.Permissions.all())] == ["/nexus", "/topic"]
    [topic] = catalogue(tree_with_commands(), None)
    assert "stats" not in topic.subcommands
