"""The form and the buttons of `/project`.

Buttons are `GuardedItem`s (cogs.topic._views) whose custom id carries what they need
(`nexus:project:list:<member>:<page>:<track>:<discipline>:<looking>`), so they keep working after a
restart; each belongs to the member who asked and the bot checks that on every press. A refused
form is kept in the database and a button reopens it as it was (Discord cannot answer a form with
a form).
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any, Self, cast

import discord

from bot.app import NexusBot
from bot.discord_limits import TEXT_INPUT_LIMIT
from bot.errors import ChoiceNeeded, UserError
from bot.projects.model import DISCIPLINES, Discipline, ProjectDraft, ProjectFilter
from bot.projects.service import ProjectService
from bot.projects.validation import DESCRIPTION_MAX, REPO_URL_MAX, STACK_MAX, TITLE_MAX, ProjectRefused
from cogs._feedback import ReportingForm, refusal, reply_private
from cogs._guarded import GuardedItem, guild_of
from cogs._style import NO_MENTIONS
from cogs.project._embeds import list_embed
from cogs.project._post import publish, withdraw_post

log = logging.getLogger(__name__)
FORM_TIMEOUT = 60 * 60  # seconds a learner has to write the announcement
NOT_YOURS = "These buttons are not yours: run `/project list` to browse the projects yourself."
NOT_YOUR_FORM = "This form is someone else's: run `/project announce` for your own project."
ANY = "-"


def projects_of(interaction: discord.Interaction[Any]) -> ProjectService:
    return cast(NexusBot, interaction.client).services.projects


# --- the form --------------------------------------------------------------------------------

class ProjectForm(ReportingForm):
    """Title, what it does, stack, repository link. The command's options (track, discipline,
    looking for a partner) ride along in `draft`. Each field's `max_length` is the limit Nexus
    enforces, so Discord's counter stops the typing there and never promises more than is kept."""

    def __init__(self, draft: ProjectDraft, *, editing: bool) -> None:
        super().__init__(title="Edit your project" if editing else "Announce your project", timeout=FORM_TIMEOUT)
        self.draft = draft

        def field(custom_id: str, value: str, limit: int, *, paragraph: bool = False, required: bool = True,
                  placeholder: str) -> discord.ui.TextInput[Any]:
            shown = value[:TEXT_INPUT_LIMIT]
            return discord.ui.TextInput(
                # Only a draft kept from before the form had these limits can be longer: it opens
                # whole, with room for it (Discord refuses a default past max_length), to be shortened.
                custom_id=custom_id, default=shown or None, required=required, max_length=max(limit, len(shown)),
                placeholder=placeholder, style=discord.TextStyle.paragraph if paragraph else discord.TextStyle.short,
            )

        self.project_title = field("title", draft.title, TITLE_MAX, placeholder="e.g. Job board API with Django")
        self.description = field("description", draft.description, DESCRIPTION_MAX, paragraph=True,
                                 placeholder="What it does, for whom, and what you want to learn building it")
        self.stack = field("stack", draft.stack, STACK_MAX, placeholder="e.g. Django, PostgreSQL, Redis, Celery")
        self.repo_url = field("repo_url", draft.repo_url, REPO_URL_MAX, required=False,
                              placeholder="https://github.com/you/your-project")
        self.add_item(discord.ui.Label(text="Title", description=f"Up to {TITLE_MAX} characters",
                                       component=self.project_title))
        self.add_item(discord.ui.Label(text="What it does", description=f"Up to {DESCRIPTION_MAX:,} characters",
                                       component=self.description))
        self.add_item(discord.ui.Label(text="Stack", description=f"Up to {STACK_MAX} characters",
                                       component=self.stack))
        self.add_item(discord.ui.Label(text="Repository link (optional)", description="An http:// or https:// link",
                                       component=self.repo_url))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        written = replace(self.draft, title=self.project_title.value, description=self.description.value,
                          stack=self.stack.value, repo_url=self.repo_url.value or "")
        service = projects_of(interaction)
        guild_id = guild_of(interaction)
        try:
            project = await service.save(guild_id, interaction.user.id, written)
        except UserError as refused:  # not saved: keep every word, offer the form again
            if not isinstance(refused, ProjectRefused):  # (the service kept a refused draft itself)
                await service.keep_draft(guild_id, interaction.user.id, written, refused)
            view = discord.ui.View(timeout=None)
            view.add_item(ReopenFormButton(interaction.user.id))
            await reply_private(interaction, refusal("I can't announce this yet", refused) + "\n\nWhat you wrote is "
                                             "kept: press **Fix the form** to change it.", view=view)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        published = await publish(interaction, project)
        if published.edited:
            text = f"Updated your project: {published.url}"
            if published.thread_gone:
                text += "\n(Its thread was deleted by a moderator, so the post has no thread now.)"
        else:
            text = f"Your project is announced: {published.url}"
            if not published.thread_made:
                text += "\n(I couldn't open a thread on it: I need **Create Public Threads** in that channel.)"
        await reply_private(interaction, text)



class ReopenFormButton(GuardedItem[discord.ui.Button[Any]], template=r"nexus:project:form:(?P<owner>\d+)"):
    """On a refused form: opens it again with what the learner wrote (kept in the database)."""

    not_yours = NOT_YOUR_FORM

    def __init__(self, owner_id: int) -> None:
        super().__init__(discord.ui.Button(label="Fix the form", emoji="✏️", style=discord.ButtonStyle.primary,
                                           custom_id=f"nexus:project:form:{owner_id}"))
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Self:
        return cls(int(match["owner"]))

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        service = projects_of(interaction)
        guild_id = guild_of(interaction)
        draft = await service.draft(guild_id, interaction.user.id)
        editing = await service.active(guild_id, interaction.user.id) is not None
        await interaction.response.send_modal(ProjectForm(draft, editing=editing))


# --- a choice the command still needs --------------------------------------------------------

def role_ids(member: discord.abc.User) -> set[int]:
    return {role.id for role in member.roles} if isinstance(member, discord.Member) else set()


async def open_form(interaction: discord.Interaction[Any], *, editing: bool, track: str | None,
                    discipline: str | None, looking: bool | None) -> None:
    """Open the project form for `/project announce` or `edit`. When a track or a discipline must
    be picked first (no option, role or earlier form says it), answer privately with a menu of them
    instead: picking carries the command on, to the next menu or to this same form."""
    service = projects_of(interaction)
    guild_id = guild_of(interaction)
    try:
        draft = await service.form_draft(guild_id, interaction.user.id, role_ids(interaction.user), editing=editing,
                                         track=track, discipline=discipline, looking=looking)
    except ChoiceNeeded as needed:
        view = discord.ui.View(timeout=None)
        view.add_item(ProjectChoiceMenu.asking(service, interaction.user.id, needed.choice, editing=editing,
                                               track=track, discipline=discipline, looking=looking))
        if interaction.type is discord.InteractionType.component:  # the menu before this one: replaced
            await interaction.response.edit_message(content=str(needed), embed=None, view=view,
                                                    allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(str(needed), view=view, ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
        return
    current = await service.active(guild_id, interaction.user.id)
    await interaction.response.send_modal(ProjectForm(draft, editing=editing or current is not None))


class ProjectChoiceMenu(
    GuardedItem[discord.ui.Select[Any]],
    template=r"nexus:project:ask:(?P<owner>\d+):(?P<command>announce|edit):(?P<choice>track|discipline):"
             r"(?P<track>[a-z0-9-]+):(?P<discipline>backend|frontend|-):(?P<looking>[01-])",
):
    """The track or discipline `/project announce` (or `edit`) still needs, as a menu for the member
    who ran it. Its custom id carries the command's options, so a pick works after a restart too."""

    not_yours = "This menu is someone else's: run `/project announce` for your own project."

    def __init__(self, select: discord.ui.Select[Any], owner_id: int, choice: str, *, editing: bool,
                 track: str | None, discipline: str | None, looking: bool | None) -> None:
        super().__init__(select)
        self.owner_id = owner_id
        self.choice = choice
        self.editing, self.track, self.discipline, self.looking = editing, track, discipline, looking

    @classmethod
    def asking(cls, service: ProjectService, owner_id: int, choice: str, *, editing: bool, track: str | None,
               discipline: str | None, looking: bool | None) -> Self:
        if choice == "track":
            options = [discord.SelectOption(label=t.name[:100], value=t.key, description=t.description[:100] or None)
                       for t in service.tracks[:25]]
            placeholder = "Your project's track"
        else:
            options = [discord.SelectOption(label=d.title(), value=d) for d in DISCIPLINES]
            placeholder = "Backend or frontend"
        custom_id = (f"nexus:project:ask:{owner_id}:{'edit' if editing else 'announce'}:{choice}:{track or ANY}:"
                     f"{discipline or ANY}:{ANY if looking is None else int(looking)}")
        return cls(discord.ui.Select(custom_id=custom_id, placeholder=placeholder, options=options), owner_id, choice,
                   editing=editing, track=track, discipline=discipline, looking=looking)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Self:
        if not isinstance(item, discord.ui.Select):
            raise TypeError(f"{match.string} is a select menu, got {type(item).__name__}")
        return cls(item, int(match["owner"]), match["choice"], editing=match["command"] == "edit",
                   track=None if match["track"] == ANY else match["track"],
                   discipline=None if match["discipline"] == ANY else match["discipline"],
                   looking=None if match["looking"] == ANY else match["looking"] == "1")

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        if not self.item.values:
            return
        picked = str(self.item.values[0])
        track = picked if self.choice == "track" else self.track
        discipline = picked if self.choice == "discipline" else self.discipline
        await open_form(interaction, editing=self.editing, track=track, discipline=discipline, looking=self.looking)


# --- withdrawing -----------------------------------------------------------------------------

def withdraw_view(owner_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(WithdrawButton(owner_id, "withdraw"))
    view.add_item(WithdrawButton(owner_id, "keep"))
    return view


class WithdrawButton(GuardedItem[discord.ui.Button[Any]],
                     template=r"nexus:project:(?P<action>withdraw|keep):(?P<owner>\d+)"):
    """Confirm or cancel `/project withdraw`: only the learner who asked may press."""

    not_yours = "This is someone else's project."

    def __init__(self, owner_id: int, action: str) -> None:
        withdraw = action == "withdraw"
        super().__init__(discord.ui.Button(
            label="Withdraw it" if withdraw else "Keep it",
            style=discord.ButtonStyle.danger if withdraw else discord.ButtonStyle.secondary,
            custom_id=f"nexus:project:{action}:{owner_id}",
        ))
        self.owner_id = owner_id
        self.action = action

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Self:
        return cls(int(match["owner"]), match["action"])

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        if self.action == "keep":
            await interaction.response.edit_message(content="Kept: your project stays announced.", embed=None,
                                                    view=None, allowed_mentions=NO_MENTIONS)
            return
        project = await projects_of(interaction).withdraw(guild_of(interaction), interaction.user.id)
        await interaction.response.defer()
        had_post = await withdraw_post(interaction, project)
        text = ("Withdrawn: the post is marked withdrawn and its thread is archived and locked."
                if had_post else "Withdrawn. (Its post had been deleted, so there was nothing to mark.)")
        await interaction.edit_original_response(content=text, embed=None, view=None, allowed_mentions=NO_MENTIONS)


# --- the list --------------------------------------------------------------------------------

def _list_custom_id(owner_id: int, page: int, wanted: ProjectFilter) -> str:
    looking = ANY if wanted.looking is None else str(int(wanted.looking))
    return f"nexus:project:list:{owner_id}:{page}:{wanted.track or ANY}:{wanted.discipline or ANY}:{looking}"


async def list_answer(interaction: discord.Interaction[Any], owner_id: int, page: int, wanted: ProjectFilter
                      ) -> tuple[discord.Embed, discord.ui.View]:
    service = projects_of(interaction)
    shown = await service.page(guild_of(interaction), wanted, page)
    view = discord.ui.View(timeout=None)
    if shown.page_count > 1:
        view.add_item(ListPageButton(owner_id, max(shown.page - 1, 0), wanted, "◀ Previous",
                                     disabled=shown.page == 0))
        view.add_item(ListPageButton(owner_id, min(shown.page + 1, shown.page_count - 1), wanted, "Next ▶",
                                     disabled=shown.page >= shown.page_count - 1))
    return list_embed(shown, wanted, {t.key: t.name for t in service.tracks}), view


class ListPageButton(
    GuardedItem[discord.ui.Button[Any]],
    template=r"nexus:project:list:(?P<owner>\d+):(?P<page>\d{1,5}):(?P<track>[a-z0-9-]+):"
             r"(?P<discipline>backend|frontend|-):(?P<looking>[01-])",
):
    """Previous/Next of `/project list`: only the member who ran it turns its pages."""

    not_yours = NOT_YOURS

    def __init__(self, owner_id: int, page: int, wanted: ProjectFilter, label: str = "Page", *,
                 disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, disabled=disabled,
                                           custom_id=_list_custom_id(owner_id, page, wanted)))
        self.owner_id = owner_id
        self.page = page
        self.wanted = wanted

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Self:
        discipline = match["discipline"]
        wanted = ProjectFilter(
            track=None if match["track"] == ANY else match["track"],
            discipline=cast(Discipline, discipline) if discipline in DISCIPLINES else None,
            looking=None if match["looking"] == ANY else match["looking"] == "1",
        )
        return cls(int(match["owner"]), int(match["page"]), wanted)

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        embed, view = await list_answer(interaction, interaction.user.id, self.page, self.wanted)
        await interaction.response.edit_message(embed=embed, view=view, allowed_mentions=NO_MENTIONS)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (ReopenFormButton, ProjectChoiceMenu, WithdrawButton,
                                                                ListPageButton)
