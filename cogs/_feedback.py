"""How Nexus answers a member privately: short replies, refusals and error reports.

Used by the central error handler and by buttons and modals, whose errors do not pass through the
command tree (they call `report_error` themselves).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any

import discord
from discord import app_commands

from bot.db import WRITE_DEADLINE
from bot.errors import FormRefused, UserError
from cogs._style import NO_MENTIONS

log = logging.getLogger("nexus.errors")

PERMISSION_NAMES = {
    "manage_guild": "Manage Server",
    "manage_messages": "Manage Messages",
    "send_messages": "Send Messages",
    "view_channel": "View Channel",
    "embed_links": "Embed Links",
    "create_public_threads": "Create Public Threads",
    "create_private_threads": "Create Private Threads",
    "send_messages_in_threads": "Send Messages in Threads",
    "read_message_history": "Read Message History",
}


def permission_names(perms: list[str]) -> str:
    return ", ".join(f"**{PERMISSION_NAMES.get(p, p.replace('_', ' ').title())}**" for p in perms)


async def reply_private(interaction: discord.Interaction[Any], text: str, **kwargs: Any) -> None:
    """An ephemeral answer, whether or not the interaction was already answered or deferred."""
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(text, ephemeral=True, **kwargs)


def refusal(lead: str, refused: UserError) -> str:
    """`lead` and why: one problem as a sentence after it, every problem of a form as a list."""
    problems = refused.problems if isinstance(refused, FormRefused) else ()
    return f"{lead}:\n{refused}" if len(problems) > 1 else f"{lead}. {refused}"


# discord.py's `Interaction.extras` is the place for our own per-interaction state (`Interaction`
# has `__slots__`, so an attribute of our own cannot be set on it).
_ERROR_HANDLED = "nexus_error_handled"
STALE_COMMAND = (
    "That command has changed since your Discord app loaded it. Discord refreshes its list of commands "
    "shortly (reopening Discord or pressing Ctrl+R does it at once); then try again."
)


def mark_error_handled(interaction: discord.Interaction[Any]) -> None:
    """A command's own error handler calls this once it has answered: the central one stays out."""
    interaction.extras[_ERROR_HANDLED] = True


def error_was_handled(interaction: discord.Interaction[Any]) -> bool:
    return bool(interaction.extras.get(_ERROR_HANDLED))


def new_error_id() -> str:
    return secrets.token_hex(4)


def describe_expected_error(error: Exception) -> str | None:
    """The member-facing text for an error they can act on, or None for a bug."""
    if isinstance(error, UserError):
        return str(error)
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the {permission_names(error.missing_permissions)} permission to do that."
    if isinstance(error, app_commands.BotMissingPermissions):
        return f"I'm missing the {permission_names(error.missing_permissions)} permission here."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server, not in direct messages."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.TransformerError):
        return f"`{str(error.value)[:64]}` is not a valid {error.type.name.lower()} here."
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        # A registration older than this version of the bot (a command renamed, removed or changed).
        return STALE_COMMAND
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this here."
    return None


async def report_error(interaction: discord.Interaction[Any], error: Exception) -> None:
    """Tell the member what went wrong; for a bug, log the traceback under an id the member sees."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if interaction.type is discord.InteractionType.autocomplete:
        # Autocomplete cannot carry a message; Discord shows "loading options failed" by itself.
        log.info("autocomplete for an unknown or changed command: %s", original)
        return
    text = describe_expected_error(original)
    if text is None:
        error_id = new_error_id()
        command = interaction.command.qualified_name if interaction.command else interaction.data
        log.error("error %s in %s by user %s", error_id, command, interaction.user.id, exc_info=original)
        text = (
            f"Something went wrong on my side. Error id `{error_id}`: a mentor can find the details in "
            "the bot's log. Please try again in a moment."
        )
    try:
        await reply_private(interaction, text)
    except discord.HTTPException:
        log.warning("could not deliver an error message for interaction %s", interaction.id, exc_info=True)


# Discord wants an interaction answered within 3 s: a write waiting for a busy database gives up in
# time for the member to be told so, rather than "the application did not respond".
ANSWER_WITHIN = 2.4  # seconds after the interaction was made
LEAST_WAIT = 0.5  # seconds a write may always wait, whatever the clocks say


def writes_wait_for_answer(interaction: discord.Interaction[Any]) -> None:
    """From here on in this handler, a write to a busy database waits only as long as the
    interaction's answer can (see `bot.db.common.WRITE_DEADLINE`)."""
    age = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    wait = min(ANSWER_WITHIN, max(LEAST_WAIT, ANSWER_WITHIN - age))
    WRITE_DEADLINE.set(asyncio.get_running_loop().time() + wait)


class ReportingForm(discord.ui.Modal):
    """A form whose failures reach the member like a command's: privately, a bug also logged with an
    error id they see (discord.py would log and swallow it)."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        writes_wait_for_answer(interaction)
        return True

    # discord.py's Modal narrows BaseView's signature (no item); mypy sees the base one.
    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        await report_error(interaction, error)
