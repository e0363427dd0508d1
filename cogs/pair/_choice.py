"""The discipline `/pair find`, `/pair request` and `/pair queue join` need, asked with a menu
instead of refused: a learner whose roles don't say (both roles or neither) picks backend or
frontend, the pick is saved in their profile, and the command carries on from there.

The menu is a `GuardedItem` for the member who ran the command; its custom id carries the command
(`nexus:pair:side:<member>:request:<target>:<noted>`), so a pick works after a restart. A request's
note is too long for a custom id: it waits in memory, and a pick that finds it gone (the bot
restarted) saves the discipline and asks for the command again rather than send the request
without the words the member wrote."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Self

import discord

from bot.errors import ChoiceNeeded, UserError
from bot.projects.model import DISCIPLINES
from cogs._feedback import reply_private
from cogs._guarded import GuardedItem, guild_of
from cogs._style import NO_MENTIONS, timestamp
from cogs.pair._embeds import find_embed
from cogs.pair._requests import AskButton, bot_of, pairing_of, role_ids, send_request

Answer = tuple[str | None, discord.Embed | None, discord.ui.View | None]
CarryOn = Callable[[discord.Interaction[Any]], Awaitable[Answer]]
KEPT_NOTES = 1000  # notes waiting for a pick, across servers; the oldest go first
_notes: OrderedDict[tuple[int, int, int], str] = OrderedDict()


def discipline_menu(owner_id: int, then: str, target_id: int | None = None, *, noted: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(DisciplineMenu.asking(owner_id, then, target_id, noted=noted))
    return view


async def ask_discipline(interaction: discord.Interaction[Any], needed: ChoiceNeeded, then: str,
                         target_id: int | None = None, note: str = "") -> None:
    """Answer a command that needs the member's discipline with the menu that picks it and carries on."""
    if target_id is not None and note:
        _notes[(guild_of(interaction), interaction.user.id, target_id)] = note
        while len(_notes) > KEPT_NOTES:
            _notes.popitem(last=False)
    await interaction.response.send_message(
        f"{needed} Pick it here and I'll carry on.", ephemeral=True, allowed_mentions=NO_MENTIONS,
        view=discipline_menu(interaction.user.id, then, target_id, noted=bool(note)))


class DisciplineMenu(
    GuardedItem[discord.ui.Select[Any]],
    template=r"nexus:pair:side:(?P<owner>\d+):(?P<then>find|queue|request)(?::(?P<target>\d+):(?P<noted>[01]))?",
):
    """Backend or frontend, for the member who ran the command; the pick carries the command on."""

    not_yours = "This menu is someone else's: run the command yourself."

    def __init__(self, select: discord.ui.Select[Any], owner_id: int, then: str, target_id: int | None,
                 noted: bool) -> None:
        super().__init__(select)
        self.owner_id, self.then, self.target_id, self.noted = owner_id, then, target_id, noted

    @classmethod
    def asking(cls, owner_id: int, then: str, target_id: int | None, *, noted: bool) -> Self:
        custom_id = f"nexus:pair:side:{owner_id}:{then}" + (f":{target_id}:{int(noted)}" if target_id else "")
        options = [discord.SelectOption(label=d.title(), value=d) for d in DISCIPLINES]
        return cls(discord.ui.Select(custom_id=custom_id, placeholder="Backend or frontend", options=options),
                   owner_id, then, target_id, noted)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Self:
        if not isinstance(item, discord.ui.Select):
            raise TypeError(f"{match.string} is a select menu, got {type(item).__name__}")
        return cls(item, int(match["owner"]), match["then"], int(match["target"]) if match["target"] else None,
                   match["noted"] == "1")

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        picked = str(self.item.values[0]) if self.item.values else ""
        if picked not in DISCIPLINES:
            return
        guild_id = guild_of(interaction)
        await pairing_of(interaction).save_profile(guild_id, interaction.user.id, role_ids(interaction.user),
                                                   discipline=picked)
        if self.then == "request":
            await self._request(interaction, guild_id, picked)
            return
        carry_on = CARRY_ON[self.then]
        content, embed, view = await carry_on(interaction)
        await interaction.response.edit_message(content=content, embed=embed, view=view,
                                                allowed_mentions=NO_MENTIONS)

    async def _request(self, interaction: discord.Interaction[Any], guild_id: int, picked: str) -> None:
        assert self.target_id is not None
        note = _notes.pop((guild_id, interaction.user.id, self.target_id), None)
        if self.noted and note is None:
            await reply_private(interaction, f"Saved: you're a {picked} learner. Your note waited in my memory and I "
                                             "restarted since, so the request was not sent: run `/pair request` "
                                             "again.")
            return
        target = None
        if interaction.guild is not None:
            try:
                target = await interaction.guild.fetch_member(self.target_id)
            except discord.NotFound:
                raise UserError(f"<@{self.target_id}> is no longer in this server.") from None
        await send_request(interaction, self.target_id, role_ids(target) if target else None,
                           bool(target and target.bot), note or "")


# --- what the commands answer, from the command or after a pick ---------------------------------

async def find_answer(interaction: discord.Interaction[Any]) -> Answer:
    """`/pair find`: the best partners, each with a Request button for the member who searched."""
    found = await pairing_of(interaction).find(guild_of(interaction), interaction.user.id, role_ids(interaction.user))
    view = discord.ui.View(timeout=None)
    for number, candidate in enumerate(found.candidates, start=1):
        view.add_item(AskButton(interaction.user.id, candidate.learner.member_id, f"Request {number}"))
    return None, find_embed(found), view


async def queue_join_answer(interaction: discord.Interaction[Any]) -> Answer:
    """`/pair queue join`: in the queue, and when the next round is."""
    guild_id = guild_of(interaction)
    joined = await pairing_of(interaction).join_queue(guild_id, interaction.user.id, role_ids(interaction.user))
    next_round = await bot_of(interaction).services.pair_rounds.next_round(guild_id)
    when = f" The next round: {timestamp(next_round, 'F')}." if next_round else " An admin runs the next round."
    return ("You're in the queue." if joined else "You were already in the queue.") + when, None, None


CARRY_ON: dict[str, CarryOn] = {"find": find_answer, "queue": queue_join_answer}
DYNAMIC_ITEMS = (DisciplineMenu,)
