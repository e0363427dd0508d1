"""The console against a real stand-in and a tiny real discord.py bot: what a person would read.

The bot is defined here, not Nexus itself, so the console is tested on every shape it must show
(a group command with typed options, buttons, a select, a modal, a deferred answer, channel posts,
threads and DMs) without depending on any cog.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
from console_session import ConsoleSession
from discord import app_commands
from discord.ext import commands
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from rich.console import Console

from bot.endpoints import reset_discord_endpoints, use_discord_endpoints
from sandbox.console import SandboxConsole
from sandbox.console._complete import ConsoleCompleter

pytestmark = pytest.mark.asyncio


class Greeting(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.add_item(discord.ui.Button(label="Docs", url="https://example.org/docs"))

    @discord.ui.button(label="Wave", style=discord.ButtonStyle.success)
    async def wave(self, interaction: discord.Interaction, button: discord.ui.Button[Greeting]) -> None:
        await interaction.response.edit_message(content=f"{interaction.user.mention} waved back!", view=None)

    @discord.ui.button(label="Later", style=discord.ButtonStyle.secondary, disabled=True)
    async def later(self, interaction: discord.Interaction, button: discord.ui.Button[Greeting]) -> None:
        await interaction.response.send_message("never", ephemeral=True)

    @discord.ui.button(label="Form", style=discord.ButtonStyle.primary)
    async def form(self, interaction: discord.Interaction, button: discord.ui.Button[Greeting]) -> None:
        await interaction.response.send_modal(Announce())


class TrackPicker(discord.ui.View):
    @discord.ui.select(
        placeholder="Pick tracks",
        min_values=1,
        max_values=2,
        options=[
            discord.SelectOption(label="E-commerce", value="ecommerce"),
            discord.SelectOption(label="Job board", value="jobs"),
            discord.SelectOption(label="Polls", value="polls"),
        ],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[TrackPicker]) -> None:
        await interaction.response.send_message(f"You picked {', '.join(select.values)}", ephemeral=True)


class PartnerPicker(discord.ui.View):
    @discord.ui.select(cls=discord.ui.UserSelect, placeholder="Pick a partner")
    async def pick(self, interaction: discord.Interaction, select: discord.ui.UserSelect[PartnerPicker]) -> None:
        await interaction.response.send_message(f"Partner: {select.values[0].mention}", ephemeral=True)


class Announce(discord.ui.Modal, title="Announce your project"):
    name: discord.ui.TextInput[Announce] = discord.ui.TextInput(label="Title", max_length=40)
    body: discord.ui.TextInput[Announce] = discord.ui.TextInput(
        label="What it does", style=discord.TextStyle.paragraph, required=False
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Announced **{self.name.value}**", ephemeral=True)
        assert isinstance(interaction.channel, discord.TextChannel)
        message = await interaction.channel.send(
            embed=discord.Embed(title=self.name.value, description=self.body.value or "-", color=0x3498DB)
            .add_field(name="By", value=interaction.user.mention)
            .set_footer(text="A project")
        )
        await message.create_thread(name=f"About {self.name.value}")


class Demo(app_commands.Group):
    def __init__(self) -> None:
        super().__init__(name="demo", description="Try the console")

    @app_commands.command(description="Greet a member")
    @app_commands.describe(who="Whom to greet", times="How often", loud="Shout it")
    async def hello(
        self,
        interaction: discord.Interaction,
        who: discord.Member,
        times: app_commands.Range[int, 1, 3] = 1,
        loud: bool = False,
    ) -> None:
        word = "HELLO" if loud else "hello"
        embed = discord.Embed(title="Greeting", description=f"{word} {who.mention} " * times, color=0x2ECC71)
        embed.add_field(name="From", value=interaction.user.mention, inline=True)
        await interaction.response.send_message(f"Greeting for <@{who.id}>", embed=embed, view=Greeting())

    @app_commands.command(description="Pick tracks")
    async def tracks(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Which tracks?", view=TrackPicker(), ephemeral=True)

    @app_commands.command(description="Pick a partner")
    async def partner(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Who?", view=PartnerPicker(), ephemeral=True)

    @app_commands.command(description="Think, then answer")
    async def slow(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await asyncio.sleep(0.05)
        await interaction.followup.send("Done thinking")

    @app_commands.command(description="Send a DM")
    async def dm(self, interaction: discord.Interaction, member: discord.Member) -> None:
        await member.send(f"Psst from {interaction.user.mention}")
        await interaction.response.send_message("Sent.", ephemeral=True)

    @app_commands.command(description="Show where")
    async def where(self, interaction: discord.Interaction) -> None:
        assert interaction.channel is not None
        await interaction.response.send_message(f"You are in <#{interaction.channel.id}>", ephemeral=True)

    @app_commands.command(description="Post later")
    async def later(self, interaction: discord.Interaction, seconds: float) -> None:
        await interaction.response.send_message("Will post.", ephemeral=True)
        channel = interaction.channel
        assert isinstance(channel, discord.TextChannel)

        async def post() -> None:
            await asyncio.sleep(seconds)
            await channel.send("A scheduled post <t:1796112000:D>")

        interaction.client.loop.create_task(post())  # type: ignore[attr-defined]

    @app_commands.command(description="Pick a time zone")
    async def tz(self, interaction: discord.Interaction, zone: str) -> None:
        await interaction.response.send_message(f"Zone {zone}", ephemeral=True)

    @tz.autocomplete("zone")
    async def tz_suggestions(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        zones = ["Africa/Lagos", "Africa/Nairobi", "Europe/London", "America/Sao_Paulo"]
        return [app_commands.Choice(name=z, value=z) for z in zones if current.lower() in z.lower()]


class Admin(app_commands.Group):
    """A group Discord shows only to members with Manage Server (default member permissions)."""

    def __init__(self) -> None:
        super().__init__(
            name="admin", description="For admins", default_permissions=discord.Permissions(manage_guild=True)
        )

    @app_commands.command(description="Wipe everything")
    async def wipe(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Wiped.", ephemeral=True)


class TinyBot(commands.Bot):
    def __init__(self, guild_id: int) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.guild_id = guild_id

    async def setup_hook(self) -> None:
        guild = discord.Object(self.guild_id)
        self.tree.add_command(Demo(), guild=guild)
        self.tree.add_command(Admin(), guild=guild)
        await self.tree.sync(guild=guild)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


Sandbox = ConsoleSession


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    from sandbox.standin import StandIn

    async with StandIn() as standin:
        use_discord_endpoints(standin.api_base_url, standin.gateway_url)
        bot = TinyBot(standin.guild.id)
        task = asyncio.create_task(bot.start(standin.token))
        try:
            await standin.wait_until_ready(timeout=10)
            await standin.wait_for_commands(timeout=10)
            buffer = io.StringIO()
            console = SandboxConsole(standin, output=Console(file=buffer, width=100), member="ada")
            yield Sandbox(standin, console, buffer)
        finally:
            await bot.close()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            reset_discord_endpoints()


async def test_slash_command_reply_with_embed_and_numbered_buttons(sandbox: Sandbox) -> None:
    out = await sandbox.run("/demo hello who:@ben times:2")
    assert "nexus · replied" in out
    assert "ephemeral" not in out
    assert "Greeting for @ben" in out
    assert "hello @ben hello @ben" in out
    assert "From" in out and "@ada" in out
    assert "[1] Wave  [2] Later (disabled)  [3] Form  [4] Docs ↗ https://example.org/docs" in out
    assert sandbox.console.errors == []


async def test_press_a_button_as_another_member_updates_the_message(sandbox: Sandbox) -> None:
    await sandbox.run("/demo hello who:ben")
    out = await sandbox.run("as ben")
    assert out == "you are ben (Frontend), typing in #prodevprojectnexus"
    out = await sandbox.run("press wave")
    assert "nexus · updated the message" in out
    assert "@ben waved back!" in out
    assert "[1]" not in out  # the view was removed
    message = sandbox.standin.messages("prodevprojectnexus")[-1]
    assert "waved back" in message.content


async def test_disabled_link_and_missing_buttons_are_explained(sandbox: Sandbox) -> None:
    assert "no message with buttons shown yet" in await sandbox.run("press 1")
    await sandbox.run("/demo hello who:ben")
    assert "✗ button 'Later' is disabled" in await sandbox.run("press 2")
    assert "link button 'Docs' opens https://example.org/docs" in await sandbox.run("press 4")
    out = await sandbox.run("press 9")
    assert "✗ no button 9; buttons: [1] Wave, [2] Later, [3] Form, [4] Docs" in out
    assert len(sandbox.console.errors) == 3


async def test_button_opens_a_modal_that_is_filled_and_posts_in_the_channel(sandbox: Sandbox) -> None:
    await sandbox.run("/demo hello who:ben")
    out = await sandbox.run("press Form")
    assert "form: Announce your project" in out
    assert "1. Title  [title]  required · one line · up to 40 characters" in out
    assert "2. What it does  [what_it_does]  optional · paragraph" in out
    out = await sandbox.run("fill title=Ada's shop")
    assert "ephemeral — only you can see this" in out
    assert "Announced Ada's shop" in out
    assert "#prodevprojectnexus · nexus" in out
    assert "Ada's shop" in out and "By" in out and "A project" in out
    assert "thread opened in #prodevprojectnexus: “About Ada's shop”" in out
    assert "✗ no form is open" in await sandbox.run("fill title=again")


async def test_fill_checks_required_fields_and_limits(sandbox: Sandbox) -> None:
    await sandbox.run("/demo hello who:ben")
    await sandbox.run("press 3")
    assert "✗ required field missing: Title" in await sandbox.run("fill what_it_does=x")
    assert "✗ Title takes at most 40 characters" in await sandbox.run("fill 1=" + "x" * 41)
    assert "✗ fill fields as field=value; no field 'colour' (fields: title, what_it_does)" in await sandbox.run(
        "fill colour=blue"
    )
    out = await sandbox.run('fill "what it does=Sells things" Title="Shop"')
    assert "Announced Shop" in out
    assert "Sells things" in out


async def test_select_menu(sandbox: Sandbox) -> None:
    out = await sandbox.run("/demo tracks")
    assert "ephemeral — only you can see this" in out
    assert "[select 1] Pick tracks  (choose 1–2)" in out
    assert "2. Job board  = jobs" in out
    out = await sandbox.run("select 1 games")
    assert "✗ 'games' is not an option; options: 1. E-commerce, 2. Job board, 3. Polls" in out
    assert "takes 1 to 2 values, got 3" in await sandbox.run("select 1 jobs polls ecommerce")
    assert "✗ no option 4; options: 1. E-commerce" in await sandbox.run("select 4")
    completer = ConsoleCompleter(sandbox.console)
    assert [c.text for c in completer.get_completions(Document("select "), CompleteEvent())] == ["1", "2", "3"]
    out = await sandbox.run("select 1 E-commerce jobs")
    assert "You picked ecommerce, jobs" in out


async def test_select_takes_option_numbers_as_press_does(sandbox: Sandbox) -> None:
    await sandbox.run("/demo tracks")
    assert "You picked polls" in await sandbox.run("select 3")
    await sandbox.run("/demo tracks")
    assert "You picked ecommerce, jobs" in await sandbox.run("select 1 2")
    assert sandbox.console.errors == []


async def test_member_select_takes_a_name(sandbox: Sandbox) -> None:
    out = await sandbox.run("/demo partner")
    assert "[select 1] Pick a partner  (member select)" in out
    assert "Partner: @diego" in await sandbox.run("select @diego")
    assert "✗ " in await sandbox.run("select nobody")


async def test_deferred_answer_is_awaited(sandbox: Sandbox) -> None:
    out = await sandbox.run("/demo slow")
    assert "Done thinking" in out
    assert sandbox.console.errors == []


async def test_dms_and_channel_history(sandbox: Sandbox) -> None:
    out = await sandbox.run("/demo dm member:@chioma")
    assert "Sent." in out
    assert "DM to chioma · nexus" in out
    assert "Psst from @ada" in out
    out = await sandbox.run("dms chioma")
    assert "DMs to chioma · 1 message" in out and "Psst from @ada" in out
    assert "DMs to ada · no messages yet" in await sandbox.run("dms")
    await sandbox.run("/demo hello who:ben")
    out = await sandbox.run("channel")
    assert "#prodevprojectnexus · 1 message" in out and "Greeting for @ben" in out
    assert "#general · no messages yet" in await sandbox.run("channel #general")


async def test_in_switches_the_channel_commands_are_typed_in(sandbox: Sandbox) -> None:
    out = await sandbox.run("in general")
    assert out == "commands now typed in #general"
    assert "You are in #general" in await sandbox.run("/demo where")
    assert "unknown channel 'nowhere'" in await sandbox.run("in nowhere")


async def test_wait_shows_posts_the_bot_made_on_its_own(sandbox: Sandbox) -> None:
    await sandbox.run("/demo later seconds:0.2")
    out = await sandbox.run("wait 0.4")
    assert "#prodevprojectnexus · nexus" in out
    assert "A scheduled post 1 December 2026" in out
    assert "nothing new" not in out
    assert await sandbox.run("wait 0.1") == "nothing new from the bot in 0.1 s"


async def test_a_new_member_joins_with_a_role_and_acts_at_once(sandbox: Sandbox) -> None:
    out = await sandbox.run("join grace Backend")
    assert out == "grace joined the server with the Backend role; `as grace` acts as them"
    assert "grace" in await sandbox.run("members")
    await sandbox.run("as grace")
    out = await sandbox.run("/demo hello who:@ada")
    assert "Greeting for @ada" in out and "@grace" in out  # the newcomer's command is answered
    assert "joined the server (no role)" in await sandbox.run("join hugo")
    assert "the username 'ada' is taken" in await sandbox.run("join ada Frontend")
    assert "no role 'Designers' to give; roles: Mentor, Backend, Frontend" in await sandbox.run("join ivy Designers")
    assert "join whom?" in await sandbox.run("join")
    assert "join <name> [role]" in await sandbox.run("help")


async def test_people_and_help(sandbox: Sandbox) -> None:
    out = await sandbox.run("members")
    assert "nexus" in out and "the bot" in out
    assert "mentor" in out and "Mentor" in out
    assert "lead" in out and "server owner" in out
    assert "ada" in out and "Backend" in out and "← you" in out
    assert "unknown member 'zed'; members: lead, mentor, ada, ben" in await sandbox.run("as zed")
    assert "nexus is the bot" in await sandbox.run("as nexus")
    out = await sandbox.run("help")
    assert "press N | press <label>" in out
    assert "/demo hello" in out and "Greet a member" in out
    out = await sandbox.run("help /demo hello")
    assert "/demo hello who:<member> [times:<whole number>] [loud:<true/false>]" in out
    assert "Whom to greet" in out


async def test_typing_mistakes_are_one_red_line(sandbox: Sandbox) -> None:
    out = await sandbox.run("/demo helo who:ben")
    assert out.startswith("✗ unknown subcommand /demo helo; did you mean /demo hello")
    assert len(out.splitlines()) == 1
    assert "✗ times must be at most 3 (got 4)" in await sandbox.run("/demo hello who:ben times:4")
    assert "✗ missing required option who" in await sandbox.run("/demo hello")
    assert "✗ unknown word 'pres'; did you mean press" in await sandbox.run("pres 1")
    # The stand-in's own refusal (an unknown member) is a typing mistake too.
    out = await sandbox.run("/demo hello who:@nobody")
    assert out.startswith("✗ ") and "nobody" in out and "Traceback" not in out
    assert len(sandbox.console.errors) == 5
    assert await sandbox.console.execute("quit") is False
    assert await sandbox.console.execute("# a comment") is True


async def test_script_replays_lines_and_reports_errors(sandbox: Sandbox, tmp_path: Path) -> None:
    script = tmp_path / "demo.txt"
    script.write_text(
        "# greet, then wave as ben\n/demo hello who:ben\n\nas ben\npress 1\npress 7\nwhoami\n", encoding="utf-8"
    )
    result = await sandbox.console.run_script(script)
    out = sandbox.buffer.getvalue()
    assert "» /demo hello who:ben" in out
    assert "» # greet" not in out
    assert "@ben waved back!" in out
    assert "» whoami" in out  # kept going after the error
    assert result == 1
    assert sandbox.console.errors == ["demo.txt:6: the last message shown with buttons has none any more"]


async def test_tab_completion_over_the_synced_tree_and_the_bots_autocomplete(sandbox: Sandbox) -> None:
    completer = ConsoleCompleter(sandbox.console)

    def complete(text: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]

    assert complete("/demo h") == ["/demo hello "]
    assert complete("/demo hello ") == ["who:", "times:", "loud:"]
    assert complete("/demo hello who:@b") == ["@ben"]
    assert complete("/demo hello who:ben loud:") == ["true", "false"]
    assert complete("as ch") == ["chioma"]
    asked = [c.text async for c in completer.get_completions_async(Document("/demo tz zone:africa"), CompleteEvent())]
    assert asked == ["Africa/Lagos", "Africa/Nairobi"]
    await sandbox.run("/demo hello who:ben")
    assert complete("press ") == ["1", "2", "3", "4"]
    await sandbox.run("press Form")
    assert complete("fill ") == ["title=", "what_it_does="]


async def test_only_the_member_who_saw_an_ephemeral_message_can_use_it(sandbox: Sandbox) -> None:
    await sandbox.run("/demo tracks")
    await sandbox.run("as ben")
    assert "✗ that message was only shown to ada (ephemeral); `as ada` to use its select menus" in (
        await sandbox.run("select 1 jobs")
    )
    assert "✗ who: no member 'zed'; known: nexus, lead, mentor, ada" in await sandbox.run("/demo hello who:zed")


async def test_commands_discord_hides_from_a_member_are_hidden_in_help_and_tab(sandbox: Sandbox) -> None:
    completer = ConsoleCompleter(sandbox.console)

    def complete(text: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]

    # ada (Backend) lacks Manage Server, which /admin asks for by default: Discord does not show it.
    out = await sandbox.run("help")
    assert "/demo hello" in out
    assert "/admin wipe" not in out.split("Hidden from")[0]
    hidden = "Hidden from ada, as in Discord (needs Manage Server): /admin wipe; `as lead` or `as mentor` to see them"
    assert hidden in out
    assert "/demo hello " in complete("/") and not any(c.startswith("/admin") for c in complete("/"))
    assert complete("/ad") == []
    assert complete("help /ad") == []
    assert "Hidden from ada in Discord: needs Manage Server" in await sandbox.run("help /admin wipe")
    # Typed anyway, it is sent (so the bot's own check shows) with a word on what Discord does.
    out = await sandbox.run("/admin wipe")
    assert "Discord hides /admin from ada (needs Manage Server): sent anyway" in out
    assert "Wiped." in out
    await sandbox.run("as mentor")
    out = await sandbox.run("help")
    assert "/admin wipe" in out and "Hidden from" not in out
    assert complete("/ad") == ["/admin wipe "]
    assert "Discord hides" not in await sandbox.run("/admin wipe")


async def test_a_form_opened_by_another_member_is_named_by_its_owner_not_its_id(sandbox: Sandbox) -> None:
    await sandbox.run("/demo hello who:ben")
    await sandbox.run("press Form")  # ada opens the form
    await sandbox.run("as ben")
    out = await sandbox.run("fill title=Ben's shop")
    assert out == "✗ that form belongs to ada; `as ada` to fill it"
    await sandbox.run("as ada")
    assert "Announced Ben's shop" in await sandbox.run("fill title=Ben's shop")


async def test_stand_in_refusals_are_shown_with_names_not_ids(sandbox: Sandbox) -> None:
    from sandbox.console._act import humane

    await sandbox.run("/demo hello who:ben")
    message = sandbox.standin.messages("prodevprojectnexus")[-1]
    channel_id = sandbox.standin.guild.channel("prodevprojectnexus").id
    wave = next(c["custom_id"] for row in message.components for c in row["components"] if c.get("label") == "Wave")
    said = f"message {message.id} has no component {wave!r}; ben cannot see channel {channel_id}"
    shown = humane(sandbox.console, said, message)
    assert shown == "that message has no component “Wave”; ben cannot see channel #prodevprojectnexus"
