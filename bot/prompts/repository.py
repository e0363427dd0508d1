"""What weekly prompts ask of the database (implemented per engine in `bot/db/`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.prompts.model import Prompt, PromptDraft, ScheduledPrompt
from bot.shards import ShardPlan


class PromptRepository(Protocol):
    """Weekly prompts (`prompts`), the defaults a server was given (`prompt_defaults_given`), an
    admin's refused form (`prompt_drafts`), and which prompt posts the ledger says were made."""

    async def get(self, guild_id: int, key: str) -> Prompt | None:
        ...

    async def for_guild(self, guild_id: int) -> list[Prompt]:
        """Every prompt of the server, in the order of the week (weekday, time), then key."""
        ...

    async def keys(self, guild_id: int, typed: str, limit: int) -> list[str]:
        """Keys containing `typed` (autocomplete), those starting with it first."""
        ...

    async def scheduled(self, guild_id: int | None = None, shards: ShardPlan | None = None) -> list[ScheduledPrompt]:
        """The prompts that are posted: not paused, in a server with a channel (one server, or all, or
        all of the servers on `shards`)."""
        ...

    async def made_since(self, kind: str, since: datetime) -> set[tuple[int, str, datetime]]:
        """(server, key, due time) of the posts of `kind` due since `since` that were made or are
        being made (failed and skipped ones are not)."""
        ...

    async def add(self, prompt: Prompt, actor_id: int | None, now: datetime) -> bool:
        """Insert a new prompt; False when the server has one with that key already."""
        ...

    async def update(self, prompt: Prompt, actor_id: int, now: datetime) -> bool:
        """Save a changed prompt (found by server and key); False when it no longer exists."""
        ...

    async def remove(self, guild_id: int, key: str) -> bool:
        ...

    async def give_defaults(self, guild_id: int, defaults: Sequence[Prompt], now: datetime) -> bool:
        """Give the server the default prompts, once ever: True when this call gave them. One
        transaction, so two setups at once give them once and a crash gives none (the next setup does)."""
        ...

    async def save_draft(self, guild_id: int, admin_id: int, draft: PromptDraft, now: datetime) -> None:
        ...

    async def draft(self, guild_id: int, admin_id: int) -> PromptDraft | None:
        ...

    async def delete_draft(self, guild_id: int, admin_id: int) -> None:
        ...
