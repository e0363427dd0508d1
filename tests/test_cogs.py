"""Every cog loads, and no two commands share a name. discord.py keeps only one of two subcommands
with the same name, silently, so the loaded tree cannot show a clash: the cog classes are walked."""

import importlib
import inspect
import pkgutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import NexusBot, cog_modules
from bot.config import load_settings


def declared_commands(cog_classes):
    """Qualified names of every slash command the classes declare, before discord.py dedupes them."""
    names = []
    for cog in cog_classes:
        group = getattr(cog, "__cog_group_name__", None) if issubclass(cog, commands.GroupCog) else None
        for klass in reversed(cog.__mro__):
            for attribute in vars(klass).values():
                if isinstance(attribute, app_commands.Command | app_commands.Group):
                    name = attribute.name
                    if attribute.parent is not None:  # declared in a subgroup of the cog (`@queue.command`)
                        name = f"{attribute.parent.name} {name}"
                    names.append(f"{group} {name}" if group else name)
    return names


def shipped_cog_classes():
    classes = set()
    for name in cog_modules():
        module = importlib.import_module(name)
        for module_name in [name, *_submodules(module)]:
            for _, value in inspect.getmembers(importlib.import_module(module_name), inspect.isclass):
                if issubclass(value, commands.Cog) and value.__module__.startswith("cogs"):
                    classes.add(value)
    return classes


def _submodules(package):
    if not hasattr(package, "__path__"):
        return []
    return [m.name for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")]


def duplicates(names):
    return sorted(name for name, count in Counter(names).items() if count > 1)


def test_cogs_are_found_by_walking_the_package():
    modules = cog_modules()
    assert "cogs.admin" in modules and "cogs.errors" in modules and "cogs.help" in modules
    assert not any(part.startswith("_") for m in modules for part in m.split(".")[1:])


def test_no_two_shipped_commands_share_a_name():
    names = declared_commands(shipped_cog_classes())
    assert {"nexus setup", "nexus status", "topic query", "help"} <= set(names)
    assert duplicates(names) == []


def test_the_check_sees_two_subcommands_with_one_name():
    class Clashing(commands.GroupCog, group_name="clash"):
        @app_commands.command(name="same")
        async def first(self, interaction: discord.Interaction) -> None: ...

        @app_commands.command(name="same")
        async def second(self, interaction: discord.Interaction) -> None: ...

    assert duplicates(declared_commands([Clashing])) == ["clash same"]


async def test_every_cog_loads():
    bot = NexusBot(load_settings({}, env_file=None))
    try:
        for name in cog_modules():
            await bot.load_extension(name)
        top = {c.name for c in bot.tree.get_commands()}
        assert {"nexus", "help", "topic"} <= top
    finally:
        await bot.close()


def test_intents_are_the_least_needed():
    from bot.app import nexus_intents

    intents = nexus_intents()
    assert intents.guilds
    assert intents.members  # the week-one reminder names who has not announced yet
    assert not intents.message_content and not intents.presences
    assert intents.value == discord.Intents(guilds=True, members=True).value


def test_every_weekday_option_offers_the_day_names_as_its_values():
    from cogs.pair._cog import PairCog
    from cogs.prompts._cog import PromptsCog

    offered = [[(c.name, c.value) for c in command.get_parameter("weekday").choices]
               for command in (PairCog.schedule_command, PromptsCog.add_command, PromptsCog.edit_command)]
    assert offered[0] == offered[1] == offered[2]
    assert offered[0][1] == ("Tuesday", "tuesday")  # typed raw, a value is a day's name: never `2`


def test_importing_the_cogs_reads_no_tracks_file(tmp_path):
    # In a fresh interpreter, with the tracks file's default path pointing at nothing: a cog that read
    # it at import would fail here with a traceback, instead of start-up's one line (exit code 2).
    missing = tmp_path / "nowhere.toml"
    script = (
        "from pathlib import Path\n"
        "import importlib\n"
        "from bot import tracks\n"
        f"tracks.load_tracks.__defaults__ = (Path({str(missing)!r}),)\n"
        "from bot.app import cog_modules\n"
        "for name in cog_modules():\n"
        "    importlib.import_module(name)\n"
        "import cogs.project._cog\n"
        "print('imported')\n"
    )
    root = Path(__file__).resolve().parents[1]
    run = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.strip() == "imported", run.stderr
