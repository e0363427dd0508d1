"""`/prompts …`: the weekly prompts of a server, for admins (Manage Server).

Thin: parse the options, call `PromptService`, render with `_embeds`. Discord hides the group from
members without Manage Server (default permissions), and the bot checks it again itself on every
use, every click and every form. The cog also registers how prompts reach the channel
(`PromptDelivery`) with the scheduler while it is loaded.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import NexusBot
from bot.posting import PostOutcome
from bot.prompts.model import PromptDraft
from bot.prompts.service import PromptService
from bot.prompts.source import PROMPT_KIND
from cogs._checks import ensure_permissions
from cogs._choices import WEEKDAY_CHOICES, weekday_number
from cogs._guarded import guild_of
from cogs._previews import preview_keys, previews_for
from cogs._style import NO_MENTIONS, timestamp
from cogs.prompts._delivery import PromptDelivery
from cogs.prompts._embeds import preview_embeds
from cogs.prompts._views import (
    ADMIN,
    DYNAMIC_ITEMS,
    PromptForm,
    list_answer,
    remove_view,
)

log = logging.getLogger(__name__)

KEY_HELP = "The prompt's key, e.g. monday-goals"
OPTION_TEXT_MAX = 100  # keys, times and weeks are short; anything longer is surely not one


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class PromptsCog(commands.GroupCog, group_name="prompts",
                 group_description="Weekly prompts posted in the Nexus channel (Manage Server)"):
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        self.delivery = PromptDelivery(bot)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        scheduler = self.bot.scheduler
        if scheduler is not None:
            scheduler.set_delivery(PROMPT_KIND, self.delivery)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        scheduler = self.bot.scheduler
        if scheduler is not None:
            scheduler.remove_delivery(PROMPT_KIND)

    # Discord's default permissions can be changed by a server's admins: check again, every time.
    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        ensure_permissions(interaction, **ADMIN)
        return True

    @property
    def prompts(self) -> PromptService:
        return self.bot.services.prompts

    async def _timezone(self, guild_id: int) -> str | None:
        config = await self.bot.services.guild_setup.get(guild_id)
        return config.timezone if config else None

    # --- looking ---------------------------------------------------------------------------

    @app_commands.command(name="list", description="Every prompt, and the calendar of the coming week's posts")
    async def list_command(self, interaction: discord.Interaction[Any]) -> None:
        embed, view = await list_answer(interaction, interaction.user.id, 0)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="preview", description="See a prompt as it would be posted now (only you see it)")
    @app_commands.describe(key=KEY_HELP)
    async def preview_command(self, interaction: discord.Interaction[Any],
                              key: app_commands.Range[str, 1, OPTION_TEXT_MAX]) -> None:
        guild_id = guild_of(interaction)
        other = previews_for(self.bot, key)  # another feature's scheduled post (week one's) is previewed here too
        if other is not None:
            await interaction.response.defer(ephemeral=True, thinking=True)  # it may fetch members, say
            content, embeds = await other.preview(guild_id, key)
            await interaction.followup.send(content or discord.utils.MISSING, embeds=embeds, ephemeral=True,
                                            allowed_mentions=NO_MENTIONS)
            return
        preview = await self.prompts.preview(guild_id, key)
        await interaction.response.send_message(embeds=preview_embeds(preview, await self._timezone(guild_id)),
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)

    # --- changing --------------------------------------------------------------------------

    @app_commands.command(name="add", description="Add a weekly prompt; its text goes in a form")
    @app_commands.describe(
        key="A short name for it: lowercase letters, digits and hyphens, e.g. monday-goals",
        weekday="The day it is posted",
        time="The time it is posted, HH:MM on a 24-hour clock in the server's time zone, e.g. 09:00",
        week="Only in these program weeks, e.g. 1 or 2, 4 or 3-5 (default: every week)",
        thread="Open a thread on the post for replies (default: no)",
    )
    @app_commands.choices(weekday=WEEKDAY_CHOICES)
    async def add_command(
        self, interaction: discord.Interaction[Any], key: app_commands.Range[str, 1, OPTION_TEXT_MAX],
        weekday: app_commands.Choice[str], time: app_commands.Range[str, 1, OPTION_TEXT_MAX],
        week: app_commands.Range[str, 1, OPTION_TEXT_MAX] | None = None, thread: bool = False,
    ) -> None:
        draft = PromptDraft(key=key, weekday=weekday_number(weekday.value), time_text=time, weeks_text=week or "",
                            open_thread=thread, text="")
        checked = await self.prompts.check_new(guild_of(interaction), draft)
        await interaction.response.send_modal(PromptForm(checked, interaction.user.id))

    @app_commands.command(name="edit", description="Change a prompt's text in a form, its schedule with the options")
    @app_commands.describe(
        key=KEY_HELP,
        weekday="Move it to this day (default: as it is)",
        time="Move it to this time, HH:MM on a 24-hour clock (default: as it is)",
        week="Only in these program weeks, e.g. 1 or 3-5; `every` for every week (default: as it is)",
        thread="Open a thread on the post for replies (default: as it is)",
    )
    @app_commands.choices(weekday=WEEKDAY_CHOICES)
    async def edit_command(
        self, interaction: discord.Interaction[Any], key: app_commands.Range[str, 1, OPTION_TEXT_MAX],
        weekday: app_commands.Choice[str] | None = None,
        time: app_commands.Range[str, 1, OPTION_TEXT_MAX] | None = None,
        week: app_commands.Range[str, 1, OPTION_TEXT_MAX] | None = None, thread: bool | None = None,
    ) -> None:
        day = weekday_number(weekday.value) if weekday else None
        draft = await self.prompts.start_edit(guild_of(interaction), key, weekday=day, time_text=time,
                                              weeks_text=week, open_thread=thread)
        await interaction.response.send_modal(PromptForm(draft, interaction.user.id))

    @app_commands.command(name="remove", description="Remove a prompt (asks you to confirm)")
    @app_commands.describe(key=KEY_HELP)
    async def remove_command(self, interaction: discord.Interaction[Any],
                             key: app_commands.Range[str, 1, OPTION_TEXT_MAX]) -> None:
        prompt = await self.prompts.get(guild_of(interaction), key)
        await interaction.response.send_message(
            f"Remove the prompt `{prompt.key}` ({prompt.when}, {prompt.weeks_text})? It will not be posted again; "
            "this cannot be undone (`/prompts pause` stops it for a while instead).",
            view=remove_view(interaction.user.id, prompt.key), ephemeral=True, allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="pause", description="Stop posting a prompt until it is resumed")
    @app_commands.describe(key=KEY_HELP)
    async def pause_command(self, interaction: discord.Interaction[Any],
                            key: app_commands.Range[str, 1, OPTION_TEXT_MAX]) -> None:
        prompt = await self.prompts.set_paused(guild_of(interaction), key, True, interaction.user.id)
        await interaction.response.send_message(
            f"⏸️ Paused `{prompt.key}`: it is not posted until `/prompts resume {prompt.key}`.",
            ephemeral=True, allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="resume", description="Post a paused prompt again")
    @app_commands.describe(key=KEY_HELP)
    async def resume_command(self, interaction: discord.Interaction[Any],
                             key: app_commands.Range[str, 1, OPTION_TEXT_MAX]) -> None:
        prompt = await self.prompts.set_paused(guild_of(interaction), key, False, interaction.user.id)
        fire = await self.prompts.next_post(prompt)
        after = (f" Next post: {timestamp(fire.at, 'F')} ({timestamp(fire.at, 'R')})." if fire
                 else " It has no next post yet: see `/prompts list`.")
        await interaction.response.send_message(f"▶️ Resumed `{prompt.key}`.{after}", ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="post", description="Post a prompt in the channel now")
    @app_commands.describe(key=KEY_HELP)
    async def post_command(self, interaction: discord.Interaction[Any],
                           key: app_commands.Range[str, 1, OPTION_TEXT_MAX]) -> None:
        guild_id = guild_of(interaction)
        prompt = await self.prompts.get(guild_id, key)  # an unknown key is told before anything is posted
        await interaction.response.defer(ephemeral=True, thinking=True)  # a post may wait for Discord's limits
        result, channel_id = await self.prompts.post_now(guild_id, prompt.key, self.delivery)
        if result.outcome is PostOutcome.POSTED:
            link = f"https://discord.com/channels/{guild_id}/{channel_id}/{result.message_id}"
            text = f"Posted `{prompt.key}` in <#{channel_id}>: {link}"
            log.info("admin %s posted prompt %s in server %s", interaction.user.id, prompt.key, guild_id)
        else:
            text = f"`{prompt.key}` was posted this very second already (or is being posted): see <#{channel_id}>."
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    # --- choosing a key as you type ----------------------------------------------------------

    @preview_command.autocomplete("key")
    @edit_command.autocomplete("key")
    @remove_command.autocomplete("key")
    @pause_command.autocomplete("key")
    @resume_command.autocomplete("key")
    @post_command.autocomplete("key")
    async def key_autocomplete(self, interaction: discord.Interaction[Any], current: str
                               ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not interaction.permissions.manage_guild:
            return []  # nothing of the admins' to show anyone else
        keys = await self.prompts.keys(interaction.guild_id, current)
        if interaction.command is not None and interaction.command.name == "preview":
            keys = [*keys, *preview_keys(self.bot, current)][:25]
        return [app_commands.Choice(name=key, value=key) for key in keys]
