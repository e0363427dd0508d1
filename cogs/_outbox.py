"""What every send shares: its answer to a Discord error ("retry later" or "cannot post"), nonces
derived from the ledger's, a thread opened on a message once, and a message to one member by DM
falling back to the channel (`tell`).

- `RetryLater` (`bot.posting`): a reason that can pass. A 429 that discord.py's own retries did not
  outlast (a global storm), a 5xx, a timeout or a dropped connection, the gateway not ready yet.
  The scheduler tries the post again with backoff until the grace window ends.
- `PostFailed` (`bot.posting`): a reason that cannot pass without an admin. 403 (missing access or
  permissions), 404 (the channel or message is gone), any other 4xx. It stops at once.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import aiohttp
import discord

from bot.posting import NONCE_LENGTH, PostFailed, RetryLater
from cogs._style import NO_MENTIONS, mention_only

if TYPE_CHECKING:
    from bot.app import NexusBot

THREAD_ALREADY_EXISTS = 160004  # Discord: "A thread has already been created for this message"
ArchiveMinutes = Literal[60, 1440, 4320, 10080]


def channel_gone(channel_id: int) -> str:
    return f"the channel <#{channel_id}> no longer exists: run `/nexus setup` with another channel"


def _retry_after(exc: discord.HTTPException) -> float | None:
    if isinstance(exc, discord.RateLimited):
        return exc.retry_after
    header = exc.response.headers.get("Retry-After") if exc.response is not None else None
    try:
        return float(header) if header is not None else None
    except ValueError:
        return None


def classify(exc: BaseException, *, gone: Callable[[], str], forbidden: Callable[[], str]) -> Exception | None:
    """The `RetryLater` or `PostFailed` that says what `exc` means for a post; None for an error
    that is not Discord's (a bug: let it raise as it is). `gone` and `forbidden` word the two
    reasons an admin must act on, for the feature that sends."""
    if isinstance(exc, PostFailed | RetryLater):
        return exc
    if isinstance(exc, discord.RateLimited):
        return RetryLater(f"Discord rate-limited the post (retry after {exc.retry_after:.1f} s)", exc.retry_after)
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429 or exc.status >= 500:
            return RetryLater(f"Discord answered {exc.status} {exc.response.reason if exc.response else ''}".strip(),
                              _retry_after(exc))
        if isinstance(exc, discord.Forbidden):
            return PostFailed(forbidden())
        if isinstance(exc, discord.NotFound):
            return PostFailed(gone())
        return PostFailed(f"Discord refused the post: {exc.status} {exc.text or ''}".strip())
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return RetryLater("Discord did not answer in time")
    if isinstance(exc, discord.ConnectionClosed | discord.GatewayNotFound | aiohttp.ClientError | OSError):
        return RetryLater(f"the connection to Discord failed ({type(exc).__name__})")
    return None


@contextmanager
def discord_errors(*, gone: Callable[[], str], forbidden: Callable[[], str]) -> Iterator[None]:
    """Inside it, a Discord error leaves as `RetryLater` or `PostFailed` (see `classify`)."""
    try:
        yield
    except Exception as exc:
        mapped = classify(exc, gone=gone, forbidden=forbidden)
        if mapped is None or mapped is exc:
            raise
        raise mapped from exc


def derived_nonce(nonce: str, part: str | int) -> str:
    """The nonce of one more message of the same post (a roundup's second message, a pair's notice):
    derived from the ledger's, so a re-send after a crash is matched by Discord as the first was.
    Part 0 is the post's own message and keeps the ledger's nonce."""
    if part == 0:
        return nonce
    return hashlib.sha256(f"{nonce}|{part}".encode()).hexdigest()[:NONCE_LENGTH]


async def open_thread_on(http: discord.http.HTTPClient, channel_id: int, message_id: int, *, name: str,
                         archive_minutes: ArchiveMinutes, forbidden: Callable[[], str]) -> int:
    """A public thread on a message, once: Discord has no nonce for threads, but a message has at most
    one, so a message that has its thread already (an earlier attempt opened it) keeps it. Returns the
    thread's id, which is the message's. Errors as `discord_errors` words them."""
    try:
        with discord_errors(gone=lambda: "the message to open the thread on is gone", forbidden=forbidden):
            await http.start_thread_with_message(channel_id, message_id, name=name,
                                                 auto_archive_duration=archive_minutes)
    except PostFailed as failed:
        cause = failed.__cause__
        if not (isinstance(cause, discord.HTTPException) and cause.code == THREAD_ALREADY_EXISTS):
            raise
    return message_id


CANNOT_DM = 50007  # Discord: "Cannot send messages to this user" (DMs closed, or no shared server)


@dataclass(frozen=True)
class Told:
    message: discord.Message
    in_dm: bool


async def tell(bot: NexusBot, guild_id: int, member_id: int, content: str, *, embed: discord.Embed | None = None,
               view: discord.ui.View | None = None, nonce: str | None = None) -> Told:
    """Send to the member by DM; when their DMs are closed, in the server's Nexus channel, mentioning
    only them. `PostFailed` when neither is possible, `RetryLater` when Discord failed for a reason
    that can pass: a notice that could not be sent never undoes what was decided (a pair stays made)."""
    extra: dict[str, Any] = {"nonce": nonce} if nonce else {}
    if embed is not None:
        extra["embed"] = embed
    if view is not None:
        extra["view"] = view
    try:
        dm = await bot.create_dm(discord.Object(member_id))
        return Told(await dm.send(content, allowed_mentions=NO_MENTIONS, **extra), True)
    except discord.HTTPException as exc:
        if exc.code != CANNOT_DM and not isinstance(exc, discord.Forbidden):
            mapped = classify(exc, gone=lambda: f"<@{member_id}> can't be reached by DM",
                              forbidden=lambda: f"<@{member_id}> can't be reached by DM")
            raise (mapped or PostFailed(f"Discord refused a DM to <@{member_id}>: {exc.status} {exc.text}")) from exc
    config = await bot.services.guild_setup.get(guild_id)
    if config is None or config.channel_id is None:
        raise PostFailed(f"<@{member_id}> has closed their DMs and this server has no Nexus channel")
    channel_id = config.channel_id
    channel = bot.get_partial_messageable(channel_id, guild_id=guild_id)
    with discord_errors(gone=lambda: f"I can't DM <@{member_id}> and the channel <#{channel_id}> is gone",
                        forbidden=lambda: f"I can't DM <@{member_id}> and can't post in <#{channel_id}>"):
        sent = await channel.send(f"<@{member_id}> {content}", allowed_mentions=mention_only(discord.Object(member_id)),
                                  **extra)
    return Told(sent, False)
