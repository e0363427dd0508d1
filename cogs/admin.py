"""`/nexus setup` and `/nexus status`: the server's configuration, for people with Manage Server."""

from __future__ import annotations

import logging
import math
import time
from typing import Any, Protocol, runtime_checkable

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import NexusBot
from bot.cohort import date_in_words, program_week
from bot.db import DatabaseSize
from bot.discord_limits import FIELD_VALUE_LIMIT
from bot.errors import UserError
from bot.guild_setup.model import GuildConfig, SetupRequest
from bot.guild_setup.service import timezone_choices
from bot.posting import PostNotMade, PostOutcome
from bot.scheduling.ledger import PostKey
from bot.week_one.schedule import KICKOFF
from cogs._admin_notice import AdminNotices
from cogs._catalogue import catalogue
from cogs._checks import ensure_permissions
from cogs._feedback import permission_names
from cogs._outbox import discord_errors
from cogs._style import NEXUS_COLOUR, NO_MENTIONS, timestamp
from cogs.week_one._by_hand import post_kickoff_view

log = logging.getLogger(__name__)

ADMIN = {"manage_guild": True}
# What the bot must be able to do in the channel it posts in (introductions, posted topics, project
# threads, and the private thread of each pair).
CHANNEL_NEEDS = ("view_channel", "send_messages", "embed_links", "read_message_history",
                 "create_public_threads", "create_private_threads", "send_messages_in_threads")
INTRODUCTION = "introduction"  # the ledger's kind for the post that introduces Nexus in a channel
PROBLEM_DAYS = 7  # failed and skipped scheduled posts stay in /nexus status this long


@runtime_checkable
class StatusContributor(Protocol):
    """A feature's cog adds its own line to `/nexus status` by having this method: the status shows
    what exists, and a feature added later brings its line without an edit here."""

    async def nexus_status(self, guild_id: int) -> tuple[str, str]:
        """(name, value) of one embed field."""
        ...


def _format_bytes(size: int) -> str:
    units = ["B", "KiB", "MiB", "GiB"]
    value = float(size)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _size_text(size: DatabaseSize) -> str:
    """The database's size on disk, and how much of it is the write-ahead log when there is one."""
    if not size.wal:
        return _format_bytes(size.total)
    return f"{_format_bytes(size.total)} ({_format_bytes(size.file)} file + {_format_bytes(size.wal)} write-ahead log)"


def _changed_text(config: GuildConfig) -> str:
    """Who last changed the set-up and when, as a line of the embed (a footer would show the mention
    and the timestamp as raw text). A mention in an embed pings nobody."""
    if not config.updated_by:
        return ""
    changed = config.changed_at
    when = f" {timestamp(changed, 'R')} ({timestamp(changed, 'F')})" if changed else ""
    return f"\nLast changed by <@{config.updated_by}>{when}"


def _role_text(role_id: int | None) -> str:
    return f"<@&{role_id}>" if role_id else "not set"


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Admin(commands.GroupCog, group_name="nexus", group_description="Set up and check Nexus (Manage Server)"):
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        self._notices = AdminNotices(bot)
        super().__init__()

    async def cog_load(self) -> None:
        if self.bot.scheduler is not None:
            self.bot.scheduler.on_stopped(self._notices.post_stopped)

    async def cog_unload(self) -> None:
        if self.bot.scheduler is not None:
            self.bot.scheduler.remove_on_stopped(self._notices.post_stopped)

    # Discord hides the group from members without Manage Server (default_permissions below);
    # server admins can change that default, so the bot checks it again itself on every use.
    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        ensure_permissions(interaction, **ADMIN)
        return True

    @app_commands.command(name="setup", description="Choose the channel, discipline roles, cohort start and time zone")
    @app_commands.describe(
        channel="The channel Nexus posts in",
        backend_role="The role backend learners have",
        frontend_role="The role frontend learners have",
        cohort_start="Day 1 of week one, as YYYY-MM-DD",
        timezone="The server's time zone, e.g. Africa/Lagos",
    )
    async def setup_command(
        self,
        interaction: discord.Interaction[Any],
        channel: discord.TextChannel,
        backend_role: discord.Role | None = None,
        frontend_role: discord.Role | None = None,
        cohort_start: str | None = None,
        timezone: str | None = None,
    ) -> None:
        assert interaction.guild is not None
        missing = [p for p in CHANNEL_NEEDS if not getattr(channel.permissions_for(interaction.guild.me), p)]
        if missing:
            raise UserError(
                f"I can't work in {channel.mention}: I'm missing {permission_names(missing)} there. "
                "Give my role that permission in the channel, or pick another channel."
            )
        for role in (backend_role, frontend_role):
            if role is not None and (role.is_default() or role.managed):
                raise UserError(f"{role.mention} can't be a discipline role: pick a role members are given.")
        config = await self.bot.services.guild_setup.configure(
            SetupRequest(
                guild_id=interaction.guild.id,
                actor_id=interaction.user.id,
                channel_id=channel.id,
                backend_role_id=backend_role.id if backend_role else None,
                frontend_role_id=frontend_role.id if frontend_role else None,
                cohort_start=cohort_start,
                timezone=timezone,
            )
        )
        embed = self._config_embed(config, title="Nexus is set up")
        view = await self._add_not_made(embed, interaction)
        await interaction.response.send_message(embed=embed, view=view or discord.utils.MISSING, ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
        await self._introduce_in(channel, interaction)

    async def _introduce_in(self, channel: discord.TextChannel, interaction: discord.Interaction[Any]) -> None:
        """Say hello where Nexus will post, once per server and channel. Every setup asks: the
        ledger makes it once (two setups at once post one), and a failed post is retried by the
        next setup."""
        assert interaction.guild is not None
        intro = self._introduction()

        async def send(nonce: str) -> int:
            with discord_errors(gone=lambda: "the channel is gone",
                                forbidden=lambda: "I'm missing a permission there"):
                return (await channel.send(embed=intro, nonce=nonce)).id

        key = PostKey(interaction.guild.id, INTRODUCTION, str(channel.id))
        try:
            result = await self.bot.services.posting.post(key, channel.id, send)
        except PostNotMade as exc:
            log.warning("could not introduce Nexus in channel %s: %s", channel.id, exc)
            await interaction.followup.send(
                f"Saved, but I couldn't post my introduction in {channel.mention} ({exc}). "
                "Fix that and run `/nexus setup` again: I'll try once more.",
                ephemeral=True, allowed_mentions=NO_MENTIONS,
            )
            return
        if result.outcome is PostOutcome.POSTED:
            log.info("introduced Nexus in channel %s of server %s", channel.id, interaction.guild.id)

    def _introduction(self) -> discord.Embed:
        """What Nexus is for, naming only the commands every member sees (built from the tree)."""
        lines = ["I'm the bot of this channel. Here is what you can do with me:"]
        for entry in catalogue(self.bot.tree, None):
            if entry.name != "/help":
                lines.append(f"• `{entry.name}`: {entry.description}")
        lines.append("`/help` lists every command and what it does.")
        return discord.Embed(title="Nexus is here", colour=NEXUS_COLOUR, description="\n".join(lines))

    @setup_command.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in timezone_choices(current)]

    @app_commands.command(name="status", description="Configuration, activity, latency and database size")
    async def status_command(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild is not None
        services = self.bot.services
        config = await services.guild_setup.get(interaction.guild.id)
        view = None
        if config is None:
            embed = discord.Embed(
                title="Nexus status", colour=NEXUS_COLOUR,
                description="Not set up yet: run `/nexus setup` to choose a channel.",
            )
        else:
            embed = self._config_embed(config, title="Nexus status")
            view = await self._add_not_made(embed, interaction)
        for cog in self.bot.cogs.values():
            if isinstance(cog, StatusContributor):
                name, value = await cog.nexus_status(interaction.guild.id)
                embed.add_field(name=name, value=value, inline=False)
        schedule = await self._schedule_text(interaction.guild.id)
        if schedule:
            embed.add_field(name="Scheduled posts", value=schedule[:FIELD_VALUE_LIMIT], inline=False)
        latency = self.bot.latency
        latency_text = f"{latency * 1000:.0f} ms" if math.isfinite(latency) else "measuring…"
        uptime = int(time.monotonic() - self.bot.started_at)
        problem = services.database_problem()
        unwritable = (f"⚠️ The database can't be written: {problem}. Members are told Nexus can't save; free "
                      "the disk or fix the file's permissions and it recovers by itself.\n") if problem else ""
        embed.add_field(
            name="Bot",
            value=(
                f"Gateway latency: {latency_text}\n"
                f"Database: {_size_text(await services.database_size())}\n"
                f"{unwritable}"
                f"Version: {self.bot.version} · up {uptime // 3600} h {uptime % 3600 // 60} min"
            ),
            inline=False,
        )
        await interaction.response.send_message(embed=embed, view=view or discord.utils.MISSING, ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    async def _schedule_text(self, guild_id: int) -> str:
        """The next posts, and what failed or was skipped in the last week with what to do about it."""
        scheduler = self.bot.services.scheduler
        lines = [f"Next: {post.label}, {timestamp(post.due_at, 'F')} ({timestamp(post.due_at, 'R')})"
                 for post in await scheduler.upcoming(guild_id, limit=3)]
        for problem in await scheduler.problems(guild_id, days=PROBLEM_DAYS):
            due = timestamp(problem.key.due_at, "F") if problem.key.due_at else "unscheduled"
            what = f"{problem.key.kind} {problem.key.ref} due {due}: {problem.last_error or '?'}"
            if problem.retrying and problem.retry_at is not None:
                lines.append(f"⏳ Retrying {timestamp(problem.retry_at, 'R')}: {what}")
            else:
                lines.append(f"⚠️ {'Failed' if problem.status == 'failed' else 'Skipped'}: {what}")
        return "\n".join(lines)

    async def _add_not_made(self, embed: discord.Embed, interaction: discord.Interaction[Any]
                            ) -> discord.ui.View | None:
        """Week one's posts that will never be made (a start in the past, or downtime), said plainly;
        with a button to post the kickoff now when it is one of them (the cohort still needs it)."""
        assert interaction.guild is not None
        lost = await self.bot.services.week_one.not_made(interaction.guild.id)
        if not lost:
            return None
        hours = self.bot.services.scheduler.grace.total_seconds() / 3600
        lines = [f"• {spec.label} (day {spec.day}), was due {timestamp(at, 'F')}: "
                 f"`/prompts preview {spec.key}` shows its text" for spec, at in lost]
        kickoff_lost = any(spec is KICKOFF for spec, _ in lost)
        if kickoff_lost:
            lines.append("The button below posts the kickoff now, marked late.")
        embed.add_field(name="Will not be posted", inline=False, value="\n".join(
            [f"Due more than {hours:g} hours ago (`SCHEDULE_GRACE_HOURS`), so Nexus won't post these:", *lines]))
        return post_kickoff_view(interaction.user.id) if kickoff_lost else None

    def _cohort_text(self, config: GuildConfig) -> str:
        # A calendar date the admin typed, shown as that date: a timestamp would show the day
        # before to every reader west of the server's time zone.
        if config.cohort_start is None:
            return "not set"
        week = program_week(config.cohort_start, self.bot.services.guild_setup.today(config))
        return f"{date_in_words(config.cohort_start)} ({'starts soon' if week is None else f'program week {week}'})"

    def _config_embed(self, config: GuildConfig, *, title: str) -> discord.Embed:
        embed = discord.Embed(title=title, colour=NEXUS_COLOUR)
        embed.add_field(
            name="Configuration",
            value=(
                f"Channel: {f'<#{config.channel_id}>' if config.channel_id else 'not set'}\n"
                f"Backend role: {_role_text(config.backend_role_id)}\n"
                f"Frontend role: {_role_text(config.frontend_role_id)}\n"
                f"Cohort start: {self._cohort_text(config)}\n"
                f"Time zone: {config.timezone}"
                f"{_changed_text(config)}"
            ),
            inline=False,
        )
        return embed



async def setup(bot: NexusBot) -> None:
    await bot.add_cog(Admin(bot))
