"""Point discord.py at a Discord-compatible server (real Discord, a self-hosted one, or the stand-in).

discord.py builds every REST URL from `Route.BASE` and dials `DiscordWebSocket.DEFAULT_GATEWAY`
directly (a plain `Client` never asks `/gateway/bot`), so both class attributes are the switch.
They must be set before `login()`.
"""

from __future__ import annotations

import yarl
from discord import gateway, http

DISCORD_API_BASE_URL = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"


def use_discord_endpoints(api_base_url: str, gateway_url: str) -> None:
    """Send every REST call to `api_base_url` (with its `/api/v10` suffix) and dial `gateway_url`."""
    http.Route.BASE = api_base_url.rstrip("/")
    gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def reset_discord_endpoints() -> None:
    use_discord_endpoints(DISCORD_API_BASE_URL, DISCORD_GATEWAY_URL)
