"""Every cog loads, and no two commands share a name (Discord would reject the sync)."""

from collections import Counter

import discord

from bot.app import NexusBot, cog_modules
from bot.config import load_settings


def test_cogs_are_found_by_walking_the_package():
    modules = cog_modules()
    assert "cogs.admin" in modules and "cogs.errors" in modules and "cogs.help" in modules
    assert not any(part.startswith("_") for m in modules for part in m.split(".")[1:])


async def test_every_cog_loads_and_command_names_are_unique():
    bot = NexusBot(load_settings({}, env_file=None))
    try:
        for name in cog_modules():
            await bot.load_extension(name)
        names = [c.qualified_name for c in bot.tree.walk_commands()]
        duplicates = [n for n, count in Counter(names).items() if count > 1]
        assert duplicates == []
        top = {c.name for c in bot.tree.get_commands()}
        assert {"nexus", "help"} <= top
    finally:
        await bot.close()


def test_intents_are_the_least_needed():
    from bot.app import nexus_intents

    intents = nexus_intents()
    assert intents.guilds
    assert not intents.members and not intents.message_content and not intents.presences
    assert intents.value == discord.Intents(guilds=True).value
