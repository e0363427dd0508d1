"""`/project …`: announce a project (a post and a thread in the Nexus channel), edit or withdraw
it, show one, and list the server's projects.

Thin: parse the options, call `ProjectService`, render with `_embeds`; posting is in `_post`, the
form and buttons in `_views`. Answers are private; everything a member typed is sent with mentions off.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import NexusBot
from bot.errors import UserError
from bot.projects.model import Discipline, ProjectFilter
from bot.projects.service import ProjectService
from cogs._choices import DISCIPLINE_CHOICES, track_choices
from cogs._guarded import guild_of
from cogs._style import NO_MENTIONS
from cogs.project._embeds import post_url, project_embed
from cogs.project._post import refresh_badges, topic_buttons
from cogs.project._views import DYNAMIC_ITEMS, list_answer, open_form, withdraw_view

OPTIONS = {
    "track": "The program's project track",
    "discipline": "Backend or frontend (default: from your role)",
    "looking_for_partner": "Whether you look for a partner on the other side",
}


@app_commands.guild_only()
class ProjectCog(commands.GroupCog, group_name="project",
                 group_description="Announce your project and see what others build"):
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        self._follow_ups: set[asyncio.Task[None]] = set()
        super().__init__()
        # The tracks are the ones the bot read at start (a broken file stopped it there, in one line),
        # offered as Discord choices; importing the cog reads no file. (A bot that only loads the cogs
        # to look at their commands has no services, and adds no choices.)
        services = bot.running_services
        if services is not None:
            offered = track_choices(services.projects.tracks)
            # discord.py shares an option's definition between the class and every loaded cog: each
            # bot of a process reads the same tracks file, so they all offer the same tracks anyway.
            for command in (self.announce_command, self.edit_command, self.list_command):
                app_commands.choices(track=offered)(command)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        if self.bot.scheduler is not None:  # the services are built (not so in a bare load of the cogs)
            self.bot.services.learners.on_change(self._partners_changed)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        if self.bot.scheduler is not None:
            self.bot.services.learners.off_change(self._partners_changed)

    async def _partners_changed(self, guild_id: int, members: frozenset[int]) -> None:
        # In the background: the accept or round that paired them answers first.
        task = asyncio.create_task(refresh_badges(self.bot, guild_id, members), name="nexus-follow-up: badges")
        self._follow_ups.add(task)
        task.add_done_callback(self._follow_ups.discard)

    @property
    def projects(self) -> ProjectService:
        return self.bot.services.projects

    @app_commands.command(name="announce", description="Announce your project in the Nexus channel (a form opens)")
    @app_commands.describe(**OPTIONS)
    @app_commands.choices(discipline=DISCIPLINE_CHOICES)
    async def announce_command(self, interaction: discord.Interaction[Any],
                               track: str | None = None,
                               discipline: app_commands.Choice[str] | None = None,
                               looking_for_partner: bool | None = None) -> None:
        await open_form(interaction, editing=False, track=track,
                        discipline=discipline.value if discipline else None, looking=looking_for_partner)

    @app_commands.command(name="edit", description="Change your announced project (the form opens filled in)")
    @app_commands.describe(**OPTIONS)
    @app_commands.choices(discipline=DISCIPLINE_CHOICES)
    async def edit_command(self, interaction: discord.Interaction[Any],
                           track: str | None = None,
                           discipline: app_commands.Choice[str] | None = None,
                           looking_for_partner: bool | None = None) -> None:
        await open_form(interaction, editing=True, track=track,
                        discipline=discipline.value if discipline else None, looking=looking_for_partner)

    @app_commands.command(name="withdraw", description="Withdraw your announced project (you confirm first)")
    async def withdraw_command(self, interaction: discord.Interaction[Any]) -> None:
        project = await self.projects.active(guild_of(interaction), interaction.user.id)
        if project is None:
            raise UserError("You have no announced project to withdraw.")
        embed = project_embed(project, self.projects.track_name(project.track), interaction.user)
        await interaction.response.send_message(
            "Withdraw this project? Its post is marked withdrawn and its thread archived and locked.",
            embed=embed, view=withdraw_view(interaction.user.id), ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="show", description="A member's announced project (default: yours)")
    @app_commands.describe(member="Whose project (default: yours)")
    async def show_command(self, interaction: discord.Interaction[Any], member: discord.Member | None = None) -> None:
        whose = member or interaction.user
        project = await self.projects.active(guild_of(interaction), whose.id)
        if project is None:
            who = "You have" if whose.id == interaction.user.id else f"{whose.mention} has"
            raise UserError(f"{who} no announced project." + (" Announce yours with `/project announce`."
                                                                if whose.id == interaction.user.id else ""))
        url = post_url(project)
        embed = project_embed(project, self.projects.track_name(project.track), whose)
        topics = await self.projects.suggested_topics(project)
        if topics:  # the same topics as its thread and pairing's reasons (one function)
            embed.add_field(name="Knowledge-base topics", value=", ".join(t.title for t in topics), inline=False)
        await interaction.response.send_message(
            content=f"The post: {url}" if url else None, embed=embed, view=topic_buttons(topics),
            ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="list", description="The server's announced projects, newest first")
    @app_commands.describe(track="Only this track", discipline="Only this discipline",
                           looking="Only those looking for a partner (true) or not (false)")
    @app_commands.choices(discipline=DISCIPLINE_CHOICES)
    async def list_command(self, interaction: discord.Interaction[Any],
                           track: str | None = None,
                           discipline: app_commands.Choice[str] | None = None,
                           looking: bool | None = None) -> None:
        wanted = ProjectFilter(track=track,
                               discipline=cast(Discipline, discipline.value) if discipline else None, looking=looking)
        embed, view = await list_answer(interaction, interaction.user.id, 0, wanted)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
