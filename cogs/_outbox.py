"""Every send's answer to a Discord error, in one place: "retry later" or "cannot post".

- `RetryLater` (`bot.posting`): a reason that can pass. A 429 that discord.py's own retries did not
  outlast (a global storm), a 5xx, a timeout or a dropped connection, the gateway not ready yet.
  The scheduler tries the post again with backoff until the grace window ends.
- `PostFailed` (`bot.posting`): a reason that cannot pass without an admin. 403 (missing access or
  permissions), 404 (the channel or message is gone), any other 4xx. It stops at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import aiohttp
import discord

from bot.posting import PostFailed, RetryLater

UNKNOWN_CHANNEL = 10003  # Discord: the channel (or thread) does not exist


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
