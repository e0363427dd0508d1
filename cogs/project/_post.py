"""A project's post in the channel and its thread: made, edited, withdrawn. A post or thread a
moderator deleted is noticed here, the next time the project changes: the post is made again
(with a new thread), or, for a withdrawal, the project is stored as without a post. Nothing raises
for a post that is gone."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, cast

import discord

from bot.app import NexusBot
from bot.discord_limits import THREAD_NAME_LIMIT
from bot.errors import UserError
from bot.knowledge.model import SearchHit
from bot.posting import PostFailed, RetryLater, nonce_for
from bot.projects.model import Project
from bot.projects.service import ProjectService
from cogs._catalogue import command_exists
from cogs._outbox import channel_gone, derived_nonce, discord_errors, open_thread_on
from cogs._style import NO_MENTIONS
from cogs.project._embeds import post_content, project_embed, thread_intro
from cogs.topic._embeds import clip
from cogs.topic._views import OpenTopicButton

log = logging.getLogger(__name__)
GONE = (discord.NotFound,)
PROJECT_POST = "project-post"  # the ledger's kind of a project's post in the channel
THREAD_ARCHIVE_MINUTES: Final[Literal[1440]] = 1440  # discord.py's default for a thread on a message


@dataclass(frozen=True)
class Published:
    url: str
    edited: bool  # the existing post was edited (else a post was made)
    thread_made: bool
    thread_gone: bool = False  # a moderator deleted its thread (the project is kept without one)


def _messageable(bot: NexusBot, channel_id: int | None) -> discord.TextChannel | discord.Thread | None:
    channel = bot.get_channel(channel_id) if channel_id is not None else None
    return channel if isinstance(channel, discord.TextChannel | discord.Thread) else None


async def _edit_post(bot: NexusBot, project: Project, embed: discord.Embed) -> discord.Message | None:
    """The project's post, edited; None when it is gone (deleted message or channel)."""
    channel = _messageable(bot, project.channel_id)
    if channel is None or project.message_id is None:
        return None
    try:
        return await channel.get_partial_message(project.message_id).edit(
            content=post_content(project), embed=embed, allowed_mentions=NO_MENTIONS)
    except GONE:
        log.info("project %s: its post %s is gone", project.id, project.message_id)
        return None


async def _thread_exists(bot: NexusBot, thread_id: int) -> bool:
    """Asks Discord only when the thread is not in the cache (an archived thread is not)."""
    if bot.get_channel(thread_id) is not None:
        return True
    try:
        await bot.fetch_channel(thread_id)
    except GONE:
        return False
    return True


def topic_buttons(topics: Sequence[SearchHit]) -> discord.ui.View:
    """A button opening each of a project's topics (privately, for whoever presses it)."""
    view = discord.ui.View(timeout=None)
    for number, hit in enumerate(topics):
        view.add_item(OpenTopicButton(hit.slug, hit.title, row=number // 5, style=discord.ButtonStyle.primary))
    return view


async def _thread_intro(bot: NexusBot, service: ProjectService, project: Project) -> tuple[str, discord.ui.View]:
    topics = await service.suggested_topics(project)
    return thread_intro(project, topics, command_exists(bot.tree, "/pair find")), topic_buttons(topics)


async def publish(interaction: discord.Interaction[Any], project: Project) -> Published:
    """Edit the project's post, or make it (with its thread) in the server's channel."""
    bot = cast(NexusBot, interaction.client)
    service = bot.services.projects
    embed = project_embed(project, service.track_name(project.track), interaction.user)
    if project.has_post and (message := await _edit_post(bot, project, embed)) is not None:
        thread_gone = project.thread_id is not None and not await _thread_exists(bot, project.thread_id)
        if thread_gone:
            # A thread's id is its starter message's, so the post cannot have a second one: the
            # project is kept with its post and without a thread.
            await service.set_post(project, project.channel_id, project.message_id, None)
        return Published(message.jump_url, edited=True, thread_made=False, thread_gone=thread_gone)
    config = await service.config(project.guild_id)
    channel = _messageable(bot, config.channel_id)
    if not isinstance(channel, discord.TextChannel):
        raise UserError("Your project is saved, but the Nexus channel is gone: an admin runs `/nexus setup` "
                        "with a new channel, then you run `/project edit` to post it.")
    # Once only: the form submitted twice at once, a double click or a retry all reach the same key
    # (the project and the post this one replaces, as the form saw it), and only the first claim sends.
    posting = bot.services.posting
    key = posting.replacement_key(project.guild_id, PROJECT_POST, str(project.id), project.message_id)
    made: list[discord.Message] = []

    async def send(nonce: str) -> int:
        with discord_errors(gone=lambda: channel_gone(channel.id), forbidden=lambda: "no permission"):
            made.append(await channel.send(content=post_content(project), embed=embed, nonce=nonce,
                                           allowed_mentions=NO_MENTIONS))
        return made[-1].id

    try:
        await posting.post(key, channel.id, send)
    except PostFailed:
        # The row keeps the post it had (gone, or none), so the next try has this one's key.
        raise UserError(f"Your project is saved, but I can't post in {channel.mention}: an admin gives me "
                        "**Send Messages** and **Embed Links** there, then you run `/project edit` to post it."
                        ) from None
    except RetryLater:
        raise UserError("Your project is saved, but Discord didn't take the post just now: run `/project edit` in "
                        "a moment to post it.") from None
    if not made:  # another submit of the same form holds the claim, or posted it already
        entry = await posting.settled(key)
        if entry is None or entry.status != "posted" or entry.message_id is None:
            raise UserError("Your project is saved and being posted from your other submit of the form: "
                            "`/project show` gives its link in a moment.")
        url = f"https://discord.com/channels/{project.guild_id}/{channel.id}/{entry.message_id}"
        return Published(url, edited=False, thread_made=True)
    message = made[-1]
    thread_id = None
    try:
        thread_id = await open_thread_on(bot.http, channel.id, message.id, name=thread_name(project),
                                         archive_minutes=THREAD_ARCHIVE_MINUTES, forbidden=lambda: "no permission")
        text, view = await _thread_intro(bot, service, project)
        thread = bot.get_partial_messageable(thread_id, guild_id=project.guild_id)
        await thread.send(text, view=view, nonce=derived_nonce(nonce_for(key), "thread"),
                          allowed_mentions=NO_MENTIONS)
    except (PostFailed, RetryLater, discord.HTTPException):  # the post stands without its thread; say so in the log
        log.warning("project %s: could not open its thread", project.id, exc_info=True)
    await service.set_post(project, channel.id, message.id, thread_id)
    return Published(message.jump_url, edited=False, thread_made=thread_id is not None)


async def refresh_badges(bot: NexusBot, guild_id: int, members: Iterable[int]) -> None:
    """Pairs formed or ended for `members`: their projects' posts show whether they look for a
    partner now (the badge goes when they pair and comes back when they leave). A post that is gone
    or can't be edited is left as it is (logged): the pair is what matters."""
    service = bot.services.projects
    guild = bot.get_guild(guild_id)
    for member_id in members:
        project = await service.active(guild_id, member_id)
        if project is None or not project.has_post:
            continue
        author = guild.get_member(member_id) if guild is not None else None
        try:
            await _edit_post(bot, project, project_embed(project, service.track_name(project.track),
                                                         author or await bot.fetch_user(member_id)))
        except discord.HTTPException as exc:
            log.warning("project %s: could not show its partner badge as it is now: %s", project.id, exc)


def thread_name(project: Project) -> str:
    return clip(" ".join(project.title.split()), THREAD_NAME_LIMIT)


async def withdraw_post(interaction: discord.Interaction[Any], project: Project) -> bool:
    """Mark the post withdrawn and archive and lock its thread. False when the post was gone (the
    project is then stored as without a post)."""
    bot = cast(NexusBot, interaction.client)
    service = bot.services.projects
    embed = project_embed(project, service.track_name(project.track), interaction.user)
    message = await _edit_post(bot, project, embed) if project.has_post else None
    if project.thread_id is not None:
        try:
            thread = bot.get_channel(project.thread_id) or await bot.fetch_channel(project.thread_id)
            if isinstance(thread, discord.Thread):
                await thread.edit(archived=True, locked=True)
        except GONE:
            log.info("project %s: its thread %s is gone", project.id, project.thread_id)
    if message is None:
        await service.set_post(project, None, None, None)
        return False
    return True
