"""A small real discord.py bot, and fixtures that run it against a fresh stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.endpoints import reset_discord_endpoints, use_discord_endpoints
from sandbox.standin import StandIn

TOPICS = ["selectors", "serializers", "celery", "redis", "docker", "graphql"]


class Counter(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"standin:count:(?P<n>\d+)"):
    """A persistent button that keeps working across restarts: its state lives in its custom_id."""

    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label=f"Count {n}", custom_id=f"standin:count:{n}"))
        self.n = n

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Counter:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(Counter(self.n + 1))
        await interaction.response.edit_message(content=f"count {self.n + 1}", view=view)


class LikeView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.likes = 0
        self.add_item(discord.ui.Button(label="Docs", url="https://example.com"))

    @discord.ui.button(label="Like", custom_id="like", style=discord.ButtonStyle.primary)
    async def like(self, interaction: discord.Interaction, button: discord.ui.Button[LikeView]) -> None:
        self.likes += 1
        embed = discord.Embed(title="Card", description=f"likes: {self.likes}")
        await interaction.response.edit_message(embed=embed, view=self)


class PickView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.select(
        custom_id="pick",
        placeholder="Pick a topic",
        options=[discord.SelectOption(label=t.title(), value=t) for t in TOPICS[:4]],
        max_values=2,
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[PickView]) -> None:
        await interaction.response.edit_message(content=f"picked: {', '.join(select.values)}", view=None)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    subject: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(label="Subject", max_length=20)
    body: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="Body", style=discord.TextStyle.paragraph, required=False, default="it works"
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.subject.value} / {self.body.value}", ephemeral=True)


class RenameModal(discord.ui.Modal, title="Rename"):
    name: discord.ui.TextInput[RenameModal] = discord.ui.TextInput(label="New name", min_length=2)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content=f"renamed: {self.name.value}")


class LevelModal(discord.ui.Modal, title="Level"):
    """A string select inside a Label, with one option chosen until the member changes it."""

    def __init__(self) -> None:
        super().__init__()
        self.level: discord.ui.Select[LevelModal] = discord.ui.Select(
            custom_id="level", required=True,
            options=[discord.SelectOption(label=name.title(), value=name, default=name == "middle")
                     for name in ("low", "middle", "high")],
        )
        self.add_item(discord.ui.Label(text="Level", component=self.level))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"level: {','.join(map(str, self.level.values))}", ephemeral=True)


class MenuView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="Later", custom_id="later")
    async def later(self, interaction: discord.Interaction, button: discord.ui.Button[MenuView]) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="edited later")

    @discord.ui.button(label="Rename", custom_id="rename")
    async def rename(self, interaction: discord.Interaction, button: discord.ui.Button[MenuView]) -> None:
        await interaction.response.send_modal(RenameModal())


def build_tree(tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake) -> None:
    @tree.command(name="ping", description="A plain reply", guild=guild)
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong", allowed_mentions=discord.AllowedMentions.none())

    @tree.command(name="secret", description="An ephemeral reply", guild=guild)
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("only you", ephemeral=True)

    @tree.command(name="card", description="An embed with buttons", guild=guild)
    async def card(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Card", description="likes: 0").add_field(name="Track", value="backend")
        await interaction.response.send_message(embed=embed, view=LikeView())

    @tree.command(name="pick", description="A select menu", guild=guild)
    async def pick(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pick topics", view=PickView())

    @tree.command(name="feedback", description="A modal", guild=guild)
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @tree.command(name="level", description="A modal with a select menu", guild=guild)
    async def level(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(LevelModal())

    @tree.command(name="menu", description="Buttons that defer or open a modal", guild=guild)
    async def menu(interaction: discord.Interaction, private: bool = False) -> None:
        await interaction.response.send_message("menu", view=MenuView(), ephemeral=private)

    @tree.command(name="slow", description="Defer, then follow up", guild=guild)
    @app_commands.describe(private="Think privately")
    async def slow(interaction: discord.Interaction, private: bool = False) -> None:
        await interaction.response.defer(thinking=True, ephemeral=private)
        await asyncio.sleep(0.01)
        await interaction.followup.send("done slowly")
        await interaction.followup.send("and a second follow-up")

    @tree.command(name="notes", description="Edit and delete a follow-up", guild=guild)
    async def notes(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("notes")
        draft = await interaction.followup.send("draft", wait=True)
        await draft.edit(content="draft, edited")
        await draft.delete()
        await interaction.edit_original_response(content="notes (final)")
        await interaction.followup.send("done")

    @tree.command(name="discuss", description="A public thread on the reply", guild=guild)
    async def discuss(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.send_message(f"Discussion: {topic}")
        message = await interaction.original_response()
        thread = await message.create_thread(name=topic)
        await thread.send(f"Talk about {topic} here")

    @tree.command(name="pairup", description="A private thread for two", guild=guild)
    async def pairup(interaction: discord.Interaction, first: discord.Member, second: discord.Member) -> None:
        channel = interaction.channel
        assert isinstance(channel, discord.TextChannel)
        thread = await channel.create_thread(name=f"pair-{first.name}-{second.name}", invitable=False)
        await thread.add_user(first)
        await thread.add_user(second)
        users_only = discord.AllowedMentions(everyone=False, roles=False)
        await thread.send(f"{first.mention} meet {second.mention}", allowed_mentions=users_only)
        await interaction.response.send_message(f"paired in {thread.mention}", ephemeral=True)

    @tree.command(name="dm", description="A direct message", guild=guild)
    async def dm(interaction: discord.Interaction, member: discord.Member) -> None:
        try:
            await member.send(f"hello {member.display_name}")
        except discord.Forbidden as exc:
            await interaction.response.send_message(f"forbidden {exc.code}", ephemeral=True)
            return
        await interaction.response.send_message("sent", ephemeral=True)

    @tree.command(name="announce", description="Post in #announcements", guild=guild)
    async def announce(interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        channel = discord.utils.get(interaction.guild.text_channels, name="announcements")
        assert channel is not None
        try:
            await channel.send("hear ye")
        except discord.Forbidden as exc:
            await interaction.response.send_message(f"forbidden {exc.code}", ephemeral=True)
        else:
            await interaction.response.send_message("posted", ephemeral=True)

    @tree.command(name="counter", description="A persistent DynamicItem button", guild=guild)
    async def counter(interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(Counter(0))
        await interaction.response.send_message("count 0", view=view)

    @tree.command(name="info", description="Resolved options", guild=guild)
    async def info(
        interaction: discord.Interaction,
        user: discord.Member,
        channel: discord.TextChannel,
        role: discord.Role,
        level: app_commands.Range[int, 1, 5] = 1,
    ) -> None:
        perms = interaction.app_permissions
        await interaction.response.send_message(
            f"{user.display_name}|{channel.name}|{role.name}|{level}|admin={interaction.permissions.manage_guild}"
            f"|app_send={perms.send_messages}|roles={','.join(r.name for r in user.roles[1:])}"
        )

    topic = app_commands.Group(name="topic", description="Knowledge base", guild_ids=[guild.id])

    @topic.command(name="query", description="Look a topic up")
    async def query(interaction: discord.Interaction, query: str, section: str | None = None) -> None:
        await interaction.response.send_message(f"topic {query} {section or 'all'}", ephemeral=True)

    @query.autocomplete("query")
    async def query_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t.title(), value=t) for t in TOPICS if t.startswith(current.lower())]

    nexus = app_commands.Group(name="nexus", description="Admin", guild_ids=[guild.id])
    config = app_commands.Group(name="config", description="Configuration", parent=nexus)

    @config.command(name="set", description="Set a value")
    @app_commands.choices(
        key=[app_commands.Choice(name="Week length", value="week"), app_commands.Choice(name="Pair size", value="pair")]
    )
    async def config_set(interaction: discord.Interaction, key: str, value: int) -> None:
        await interaction.response.send_message(f"set {key}={value}")

    tree.add_command(topic)
    tree.add_command(nexus)


class MiniBot(commands.Bot):
    def __init__(self, guild_id: int, *, sync: bool = True) -> None:
        intents = discord.Intents.default()
        intents.members = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05, help_command=None)
        self.guild_id = guild_id
        self.sync = sync
        self.resumed = asyncio.Event()
        self.thread_events: list[str] = []
        self.raw_events: list[str] = []

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # no 5 s pause between IDENTIFYs in tests

    async def setup_hook(self) -> None:
        guild = discord.Object(self.guild_id)
        build_tree(self.tree, guild)
        self.add_dynamic_items(Counter)
        if self.sync:
            await self.tree.sync(guild=guild)

    async def on_resumed(self) -> None:
        self.resumed.set()

    async def on_thread_create(self, thread: discord.Thread) -> None:
        self.thread_events.append(f"create:{thread.name}")

    async def on_thread_member_join(self, member: discord.ThreadMember) -> None:
        self.thread_events.append(f"join:{member.id}")

    async def on_socket_event_type(self, event: str) -> None:
        self.raw_events.append(event)


async def start_bot(standin: StandIn, *, sync: bool = True) -> tuple[MiniBot, asyncio.Task[None]]:
    bot = MiniBot(standin.guild.id, sync=sync)
    await bot.login(standin.token)
    task = asyncio.create_task(bot.connect())
    await asyncio.wait_for(bot.wait_until_ready(), 5)
    return bot, task


async def stop_bot(bot: MiniBot, task: asyncio.Task[None]) -> None:
    await bot.close()
    try:
        await asyncio.wait_for(task, 5)
    except (TimeoutError, asyncio.CancelledError):
        task.cancel()


class FleetBot(commands.Bot):
    """A bot in many servers, as Nexus is: the guilds intent only, commands synced globally."""

    def __init__(self) -> None:
        super().__init__(
            command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05, help_command=None
        )

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None

    async def setup_hook(self) -> None:
        @self.tree.command(name="where", description="Where am I, and may I manage this server?")
        async def where(interaction: discord.Interaction) -> None:
            assert interaction.guild is not None and isinstance(interaction.channel, discord.TextChannel)
            await interaction.response.send_message(
                f"{interaction.guild.name}|#{interaction.channel.name}|{interaction.user.name}"
                f"|manage_guild={interaction.permissions.manage_guild}",
                ephemeral=True,
            )

        await self.tree.sync()


@contextlib.asynccontextmanager
async def running_standin(**options: Any) -> AsyncIterator[StandIn]:
    """A started stand-in (StandIn(**options)) that discord.py clients made inside talk to."""
    async with StandIn(**options) as running:
        use_discord_endpoints(running.api_base_url, running.gateway_url)
        try:
            yield running
        finally:
            reset_discord_endpoints()


@contextlib.asynccontextmanager
async def running_bot(bot: commands.Bot, standin: StandIn, *, ready_within: float = 5) -> AsyncIterator[None]:
    """`bot` connected to `standin` until the block ends (`ready_within` only guards against a hang)."""
    await bot.login(standin.token)
    task = asyncio.create_task(bot.connect())
    try:
        await asyncio.wait_for(bot.wait_until_ready(), ready_within)
        yield
    finally:
        await bot.close()
        try:
            await asyncio.wait_for(task, 5)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with running_standin() as running:
        yield running


@pytest.fixture
async def bot(standin: StandIn) -> AsyncIterator[MiniBot]:
    running, task = await start_bot(standin)
    await standin.wait_for_commands(timeout=5)
    try:
        yield running
    finally:
        await stop_bot(running, task)
