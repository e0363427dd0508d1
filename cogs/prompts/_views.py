"""The buttons and the form of `/prompts`.

Buttons are `DynamicItem`s whose custom id carries what they need (`nexus:prompts:list:<admin>:<page>`),
so they keep working after a restart. Every button and form belongs to the admin who asked for it,
and the bot checks Manage Server again on every click and every submit (roles change). Any failure
reaches the admin privately: discord.py would only log it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any, ClassVar, Self, TypeVar, cast

import discord

from bot.app import NexusBot
from bot.discord_limits import TEXT_INPUT_LIMIT
from bot.errors import UserError
from bot.prompts.model import PromptDraft
from bot.prompts.parsing import KEY_MAX
from bot.prompts.service import PromptRefused, PromptService
from bot.prompts.template import PLACEHOLDERS, POSTED_TEXT_LIMIT
from cogs._checks import ensure_permissions
from cogs._feedback import ReportingForm, reply_private, report_error
from cogs._guarded import guild_of
from cogs._style import NO_MENTIONS
from cogs.prompts._embeds import calendar_field, list_embed, page_count, saved_embed

ADMIN = {"manage_guild": True}
COMING_WEEK = timedelta(days=7)
FORM_TIMEOUT = 60 * 60  # seconds an admin has to write a prompt
NOT_YOURS = "These buttons belong to the admin who ran the command: run it yourself."
NOT_YOUR_FORM = "This form belongs to another admin."
_KEY = r"[a-z0-9-]{1,32}"


def prompts_of(interaction: discord.Interaction[Any]) -> PromptService:
    return cast(NexusBot, interaction.client).services.prompts


def check_admin(interaction: discord.Interaction[Any], owner_id: int | None, not_yours: str) -> None:
    ensure_permissions(interaction, **ADMIN)
    if owner_id is not None and interaction.user.id != owner_id:
        raise UserError(not_yours)


_ItemT = TypeVar("_ItemT", bound=discord.ui.Item[Any])


class AdminItem(discord.ui.DynamicItem[_ItemT], template=r"(?!)"):  # the base matches no custom id
    """A persistent button for the admin it was made for: Manage Server and the owner are checked
    on every click, and any failure is told to the one who clicked. Subclasses implement `act`."""

    not_yours: ClassVar[str] = NOT_YOURS
    owner_id: int

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            check_admin(interaction, self.owner_id, self.not_yours)
            await self.act(interaction)
        except Exception as exc:  # every failure reaches the admin; a bug is also logged, with an id
            await report_error(interaction, exc)

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError


# --- the list --------------------------------------------------------------------------------

async def list_answer(interaction: discord.Interaction[Any], owner_id: int, page: int
                      ) -> tuple[discord.Embed, discord.ui.View]:
    guild_id = guild_of(interaction)
    service = prompts_of(interaction)
    listings = await service.listing(guild_id)
    config = await cast(NexusBot, interaction.client).services.guild_setup.get(guild_id)
    pages = page_count(len(listings))
    page = min(max(page, 0), pages - 1)
    view = discord.ui.View(timeout=None)
    if pages > 1:
        view.add_item(ListPageButton(owner_id, max(page - 1, 0), "◀ Previous", disabled=page == 0))
        view.add_item(ListPageButton(owner_id, min(page + 1, pages - 1), "Next ▶", disabled=page >= pages - 1))
    embed = list_embed(listings, page, config.timezone if config else None)
    services = cast(NexusBot, interaction.client).services
    now = services.clock.now()
    coming = await services.scheduler.calendar.coming(guild_id, now, now + COMING_WEEK)
    name, value = calendar_field(coming)
    embed.add_field(name=name, value=value, inline=False)
    return embed, view


class ListPageButton(AdminItem[discord.ui.Button[Any]],
                     template=r"nexus:prompts:list:(?P<owner>\d+):(?P<page>\d{1,4})"):
    """Previous/Next of `/prompts list`, for the admin who ran it."""

    def __init__(self, owner_id: int, page: int, label: str = "Page", *, disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, disabled=disabled,
                                           custom_id=f"nexus:prompts:list:{owner_id}:{page}"))
        self.owner_id = owner_id
        self.page = page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Self:
        return cls(int(match["owner"]), int(match["page"]))

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        embed, view = await list_answer(interaction, self.owner_id, self.page)
        await interaction.response.edit_message(embed=embed, view=view, allowed_mentions=NO_MENTIONS)


# --- removing --------------------------------------------------------------------------------

def remove_view(owner_id: int, key: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RemoveButton("remove", owner_id, key))
    view.add_item(RemoveButton("keep", owner_id, key))
    return view


class RemoveButton(AdminItem[discord.ui.Button[Any]],
                   template=rf"nexus:prompts:(?P<action>remove|keep):(?P<owner>\d+):(?P<key>{_KEY})"):
    """Confirm or cancel `/prompts remove`: only the admin who asked may press."""

    def __init__(self, action: str, owner_id: int, key: str) -> None:
        remove = action == "remove"
        super().__init__(discord.ui.Button(
            label=f"Remove {key}" if remove else "Keep it",
            style=discord.ButtonStyle.danger if remove else discord.ButtonStyle.secondary,
            custom_id=f"nexus:prompts:{action}:{owner_id}:{key}",
        ))
        self.action = action
        self.owner_id = owner_id
        self.key = key

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Self:
        return cls(match["action"], int(match["owner"]), match["key"])

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        if self.action == "keep":
            text = f"Kept `{self.key}`: nothing was removed."
        else:
            removed = await prompts_of(interaction).remove(guild_of(interaction), self.key)
            text = f"Removed the prompt `{removed.key}`: it will not be posted again."
        await interaction.response.edit_message(content=text, embed=None, view=None, allowed_mentions=NO_MENTIONS)


# --- the form --------------------------------------------------------------------------------

class PromptForm(ReportingForm):
    """The text of a prompt (and, for a new one, its key). The other settings came with the command
    and ride along in `draft`. Refused, the form is kept and a button reopens it as it was."""

    def __init__(self, draft: PromptDraft, owner_id: int) -> None:
        super().__init__(title=f"Edit {draft.original_key}"[:45] if draft.editing else "New weekly prompt",
                         timeout=FORM_TIMEOUT, custom_id=f"nexus:prompts:form-modal:{owner_id}")
        self.draft = draft
        self.owner_id = owner_id
        self.key: discord.ui.TextInput[Any] | None = None
        if not draft.editing:
            self.key = discord.ui.TextInput(custom_id="key", default=draft.key[:KEY_MAX] or None, max_length=KEY_MAX,
                                            placeholder="e.g. monday-goals")
            self.add_item(discord.ui.Label(text="Key", description="Lowercase letters, digits and hyphens",
                                           component=self.key))
        self.text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="text", style=discord.TextStyle.paragraph, default=draft.text[:TEXT_INPUT_LIMIT] or None,
            max_length=min(TEXT_INPUT_LIMIT, POSTED_TEXT_LIMIT),
            placeholder="What's your goal for week {week}? Projects announced so far: {projects}.",
        )
        placeholders = " ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        self.add_item(discord.ui.Label(text="Text", description=f"May use {placeholders}"[:100], component=self.text))

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        check_admin(interaction, self.owner_id, NOT_YOUR_FORM)
        return await super().interaction_check(interaction)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        written = replace(self.draft, text=self.text.value,
                          key=self.key.value if self.key is not None else self.draft.key)
        service = prompts_of(interaction)
        guild_id = guild_of(interaction)
        try:
            prompt = await service.save(guild_id, interaction.user.id, written)
        except PromptRefused as refused:
            view = discord.ui.View(timeout=None)
            view.add_item(ReopenFormButton(interaction.user.id))
            why = f":\n{refused}" if len(refused.problems) > 1 else f": {refused}"
            await reply_private(interaction, f"I can't save this prompt yet{why}\n\nWhat you wrote is kept: "
                                             "press **Edit the prompt** to fix it.", view=view)
            return
        fire = await service.next_post(prompt)
        config = await cast(NexusBot, interaction.client).services.guild_setup.get(guild_id)
        title = f"Saved {prompt.key}" if written.editing else f"Added {prompt.key}"
        await interaction.response.send_message(
            embed=saved_embed(prompt, fire.at if fire else None, config.timezone if config else None, title=title),
            ephemeral=True, allowed_mentions=NO_MENTIONS,
        )



class ReopenFormButton(AdminItem[discord.ui.Button[Any]], template=r"nexus:prompts:form:(?P<owner>\d+)"):
    """On a refused form: opens it again with what the admin wrote (kept in the database)."""

    not_yours = NOT_YOUR_FORM

    def __init__(self, owner_id: int) -> None:
        super().__init__(discord.ui.Button(label="Edit the prompt", emoji="✏️", style=discord.ButtonStyle.primary,
                                           custom_id=f"nexus:prompts:form:{owner_id}"))
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Self:
        return cls(int(match["owner"]))

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        draft = await prompts_of(interaction).draft(guild_of(interaction), interaction.user.id)
        await interaction.response.send_modal(PromptForm(draft, interaction.user.id))


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (ListPageButton, RemoveButton, ReopenFormButton)
