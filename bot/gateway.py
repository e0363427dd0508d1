"""One unreadable gateway message must not end the bot.

discord.py decodes every gateway message with orjson, which refuses a string holding a lone UTF-16
surrogate (`"\\ud800"`): the error leaves `DiscordWebSocket.received_message`, passes every
reconnect handler in `Client.connect` (they catch connection errors, not a decoder's) and stops
the whole process. Discord should never send such a message, but a bot with thousands of members
must not depend on that: the message is logged and dropped, and the connection carries on.

The decode happens before discord.py changes any state (sequence number, heartbeat), so dropping
the message leaves the session as if it never came; a resume asks Discord for what follows the last
message that was read. discord.py has no hook for this, so its websocket class is replaced by a
subclass, in the two modules that build one (the single connection and the sharded one).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import discord.client
import discord.shard
from discord.gateway import DiscordWebSocket

log = logging.getLogger(__name__)

_EVENT_NAME = re.compile(r'"t"\s*:\s*"([A-Z_]{1,64})"')


class TolerantWebSocket(DiscordWebSocket):
    async def received_message(self, msg: Any, /) -> None:
        try:
            await super().received_message(msg)
        except json.JSONDecodeError as exc:  # orjson's error is a JSONDecodeError too
            # Only the event's name is logged: the rest may be a member's text.
            found = _EVENT_NAME.search(msg if isinstance(msg, str) else "")
            log.warning("dropped a gateway message that could not be decoded (%s%s); the connection goes on",
                        f"event {found.group(1)}, " if found else "", exc)


def tolerate_unreadable_gateway_messages() -> None:
    """Make every connection discord.py opens from now on a `TolerantWebSocket` (idempotent)."""
    discord.client.DiscordWebSocket = TolerantWebSocket  # type: ignore[misc]
    discord.shard.DiscordWebSocket = TolerantWebSocket  # type: ignore[misc]
