"""`/nexus setup` and `/nexus status`: the server's configuration, for people with Manage Server."""

from __future__ import annotations

import math
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import NexusBot
from bot.db.guild_config import GuildConfig
from bot.errors import UserError
from bot.guild_setup import SetupRequest, cohort_start_moment, program_week, server_today, timezone_choices
from cogs._checks import ensure_permissions
from cogs._feedback import permission_names

ADMIN = {"manage_guild": True}
# What the bot must be able to do in the channel it posts announcements, prompts and threads in.
CHANNEL_NEEDS = ("view_channel", "send_messages", "embed_links", "read_message_history",
                 "create_public_threads", "send_messages_in_threads")
NEXUS_COLOUR = discord.Colour.from_rgb(88, 101, 242)


def _format_bytes(size: int) -> str:
    units = ["B", "KiB", "MiB", "GiB"]
    value = float(size)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _role_text(role_id: int | None) -> str:
    return f"<@&{role_id}>" if role_id else "not set (learners pick a discipline with `/pair profile`)"


def _cohort_text(config: GuildConfig) -> str:
    start = cohort_start_moment(config)
    if config.cohort_start is None or start is None:
        return "not set: week-one posts stay off until it is"
    week = program_week(config.cohort_start, server_today(config))
    return f"<t:{int(start.timestamp())}:D> ({'starts soon' if week is None else f'program week {week}'})"


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Admin(commands.GroupCog, group_name="nexus", group_description="Set up and check Nexus (Manage Server)"):
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        super().__init__()

    # Discord hides the group from members without Manage Server (default_permissions above);
    # server admins can change that default, so the bot checks it again itself on every use.
    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        ensure_permissions(interaction, **ADMIN)
        return True

    @app_commands.command(name="setup", description="Choose the channel, discipline roles, cohort start and time zone")
    @app_commands.describe(
        channel="Where Nexus posts announcements, prompts and round-ups",
        backend_role="The role backend learners have",
        frontend_role="The role frontend learners have",
        cohort_start="Day 1 of week one, as YYYY-MM-DD",
        timezone="The server's time zone for scheduled posts, e.g. Africa/Lagos",
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
        previous = await self.bot.services.guild_setup.get(interaction.guild.id)
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
        await interaction.response.send_message(embed=embed, ephemeral=True)
        if previous is None or previous.channel_id != channel.id:
            await self._introduce_in(channel, interaction)

    async def _introduce_in(self, channel: discord.TextChannel, interaction: discord.Interaction[Any]) -> None:
        """Say hello where Nexus will post, so the channel knows what the bot is for."""
        intro = discord.Embed(
            title="Nexus is here",
            colour=NEXUS_COLOUR,
            description=(
                "I'm the bot of this channel. Announce your project with `/project announce`, find a "
                "backend ↔ frontend partner with `/pair find`, look up a concept with `/topic query`, "
                "and watch for the weekly prompts. `/help` lists everything."
            ),
        )
        try:
            await channel.send(embed=intro)
        except discord.HTTPException as exc:
            await interaction.followup.send(
                f"Saved, but I couldn't post in {channel.mention} ({exc.text or exc.status}).", ephemeral=True
            )

    @setup_command.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in timezone_choices(current)]

    @app_commands.command(name="status", description="Configuration, counts, latency and database size")
    async def status_command(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild is not None
        services = self.bot.services
        config = await services.guild_setup.get(interaction.guild.id)
        counts = await services.guild_setup.counts(interaction.guild.id)
        if config is None:
            embed = discord.Embed(
                title="Nexus status", colour=NEXUS_COLOUR,
                description="Not set up yet: run `/nexus setup` to choose a channel.",
            )
        else:
            embed = self._config_embed(config, title="Nexus status")
        embed.add_field(
            name="Activity",
            value=(
                f"Projects: **{counts.active_projects}** ({counts.looking_for_partner} looking for a partner)\n"
                f"Pairs: **{counts.active_pairs}** · pending requests: {counts.pending_requests} · "
                f"queued for a round: {counts.queued_for_round}\n"
                f"Knowledge topics: **{counts.topics}** · lookups in 7 days: {counts.lookups_last_7_days}\n"
                f"Weekly prompts scheduled: {counts.prompts_scheduled}"
            ),
            inline=False,
        )
        latency = self.bot.latency
        latency_text = f"{latency * 1000:.0f} ms" if math.isfinite(latency) else "measuring…"
        uptime = int(time.monotonic() - self.bot.started_at)
        embed.add_field(
            name="Bot",
            value=(
                f"Gateway latency: {latency_text}\n"
                f"Database: {_format_bytes(await services.db.size_bytes())}\n"
                f"Version: {self.bot.version} · up {uptime // 3600} h {uptime % 3600 // 60} min"
            ),
            inline=False,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    def _config_embed(self, config: GuildConfig, *, title: str) -> discord.Embed:
        embed = discord.Embed(title=title, colour=NEXUS_COLOUR)
        embed.add_field(
            name="Configuration",
            value=(
                f"Channel: {f'<#{config.channel_id}>' if config.channel_id else 'not set'}\n"
                f"Backend role: {_role_text(config.backend_role_id)}\n"
                f"Frontend role: {_role_text(config.frontend_role_id)}\n"
                f"Cohort start: {_cohort_text(config)}\n"
                f"Time zone: {config.timezone}"
            ),
            inline=False,
        )
        if config.updated_by:
            embed.set_footer(text="Last changed by an admin")
        return embed


async def setup(bot: NexusBot) -> None:
    await bot.add_cog(Admin(bot))
