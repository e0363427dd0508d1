"""What stopped the bot, in one line for a person: which setting, URL or host failed, and what to do.

`python -m bot run` prints the line on stderr and exits with code 2 instead of a traceback. Only
failures a person can fix are explained here; anything else is a bug and keeps its traceback (in
the log).
"""

from __future__ import annotations

import errno
import os

import aiohttp
import discord

from bot.config import Settings
from bot.db import DatabaseOpenError, MigrationError
from bot.prompts.defaults import PromptsFileError
from bot.tracks import TracksFileError

NEW_TOKEN = "copy the current one from the Developer Portal (Bot → Reset Token) into DISCORD_TOKEN"
# Discord's fatal gateway close codes besides 4004 and 4014 (which get their own advice).
GATEWAY_CLOSE_MEANINGS = {
    4010: "invalid shard",
    4011: "sharding required: the bot is in too many servers for one connection",
    4012: "invalid API version",
    4013: "invalid intents",
}
# The Developer Portal's names for the privileged intents (Bot → Privileged Gateway Intents).
PRIVILEGED_INTENT_NAMES = {
    "members": "Server Members Intent",
    "presences": "Presence Intent",
    "message_content": "Message Content Intent",
}


def explain_startup_failure(exc: BaseException, settings: Settings, intents: discord.Intents) -> str | None:
    """One line saying what failed, or None when `exc` is not a failure a person can fix (a bug)."""
    api = settings.discord.api_base_url
    if isinstance(exc, DatabaseOpenError | MigrationError):
        setting = "DATABASE_PATH" if settings.database.url is None else "DATABASE_URL"
        return f"{setting}: {exc}"
    if isinstance(exc, PromptsFileError):
        return f"the default prompts file is broken: {exc}"
    if isinstance(exc, TracksFileError):
        return f"the project tracks file is broken: {exc}"
    if isinstance(exc, discord.LoginFailure):
        return f"Discord refused the token (401): DISCORD_TOKEN is wrong or was reset; {NEW_TOKEN}"
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return f"an intent is not enabled in the Developer Portal (4014): {_intent_advice(intents)}"
    if isinstance(exc, discord.ConnectionClosed):
        return _gateway_closed(exc, settings.discord.gateway_url)
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"cannot reach the Discord API at {api}: the name {exc.host} does not resolve"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot reach the Discord API at {api}: {_os_reason(exc.os_error)} ({exc.host}:{exc.port})"
    if isinstance(exc, aiohttp.ClientError):
        return f"lost the connection to the Discord API at {api}: {exc or type(exc).__name__}"
    if isinstance(exc, discord.HTTPException):
        return _http_refusal(exc, settings)
    return None


def _intent_advice(intents: discord.Intents) -> str:
    wanted = [PRIVILEGED_INTENT_NAMES[name] for name, on in intents if on and name in PRIVILEGED_INTENT_NAMES]
    if wanted:
        return f"switch on {' and '.join(wanted)} under Bot → Privileged Gateway Intents"
    asked = ", ".join(name for name, on in intents if on) or "none"
    return (f"Nexus asks for no privileged intent (only: {asked}), so check that DISCORD_GATEWAY_URL is "
            "Discord's gateway and the application's Bot → Privileged Gateway Intents")


def _gateway_closed(exc: discord.ConnectionClosed, gateway_url: str) -> str:
    if exc.code == 4004:
        return f"Discord refused the token (4004): DISCORD_TOKEN is wrong or was reset; {NEW_TOKEN}"
    meaning = GATEWAY_CLOSE_MEANINGS.get(exc.code) or exc.reason or "no reason given"
    return f"the Discord gateway at {gateway_url} closed the connection ({exc.code}: {meaning})"


def _os_reason(error: OSError) -> str:
    if error.errno == errno.ECONNREFUSED:
        return "connection refused"
    if error.errno:
        return os.strerror(error.errno).lower()
    return str(error) or type(error).__name__


def _http_refusal(exc: discord.HTTPException, settings: Settings) -> str:
    api = settings.discord.api_base_url
    response = exc.response
    url = str(getattr(response, "url", ""))
    route = f"{getattr(response, 'method', '')} {url.removeprefix(api) or url}".strip()
    said = f"the Discord API at {api} answered {exc.status} {getattr(response, 'reason', '') or ''}".rstrip()
    said += f" to {route}" if route else ""
    if exc.status == 404 and url.endswith("/users/@me"):
        return f"{said}: DISCORD_API_BASE_URL does not point at a Discord API"
    guild_id = settings.discord.guild_id
    if exc.status in (403, 404) and guild_id is not None and f"/guilds/{guild_id}/" in url:
        # Syncing commands to DISCORD_GUILD_ID: 404 Unknown Guild, or 403 Missing Access when the bot is not in it.
        reason = f"{exc.text}; " if exc.text else ""
        return (f"{said}: {reason}is the bot in the server DISCORD_GUILD_ID={guild_id} names, invited with the "
                "applications.commands scope?")
    if exc.status >= 500:
        return f"{said}: Discord is having trouble; try again in a few minutes"
    return f"{said}: {exc.text}" if exc.text else said
