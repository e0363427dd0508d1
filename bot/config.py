"""Settings: typed, read from the environment and a `.env` file, validated once at start.

A bad value stops start-up with one line naming the setting and what is wrong (`SettingsError`);
`python -m bot` turns that into exit code 2. The token is a `Secret`, so it never shows in a repr
or a log line by accident.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.endpoints import DISCORD_API_BASE_URL, DISCORD_GATEWAY_URL

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The curated topics ship with the code, so by default they are found beside it, from any folder.
SHIPPED_KNOWLEDGE_DIR = Path(__file__).resolve().parents[1] / "data" / "knowledge"


class SettingsError(ValueError):
    """One setting is missing or wrong; the message names it and says what is expected."""


class Secret:
    """A value that must not be printed: repr and str hide it, `reveal()` gives it to who needs it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class DiscordSettings:
    token: Secret | None
    guild_id: int | None
    api_base_url: str = DISCORD_API_BASE_URL
    gateway_url: str = DISCORD_GATEWAY_URL


@dataclass(frozen=True)
class DatabaseSettings:
    path: Path = Path("data/nexus.db")


@dataclass(frozen=True)
class Settings:
    discord: DiscordSettings
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    log_level: str = "INFO"
    default_timezone: str = "UTC"
    knowledge_dir: Path = SHIPPED_KNOWLEDGE_DIR


def _token(raw: str | None) -> Secret | None:
    if raw is None or raw.strip() == "":
        return None
    value = raw.strip()
    if any(ch.isspace() for ch in value) or len(value) < 10:
        raise SettingsError(
            "DISCORD_TOKEN: does not look like a bot token (no spaces; copy it from the Developer Portal)"
        )
    if value.lower().startswith("bot "):
        raise SettingsError("DISCORD_TOKEN: give the token alone, without the 'Bot ' prefix")
    return Secret(value)


def _snowflake(name: str, raw: str | None) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    value = raw.strip()
    if not value.isdigit() or int(value) <= 0:
        raise SettingsError(f"{name}: must be a Discord id (digits only), got {value!r}")
    return int(value)


def _url(name: str, raw: str | None, default: str, schemes: tuple[str, ...]) -> str:
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().rstrip("/")
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not parsed.netloc:
        raise SettingsError(f"{name}: must be a {' or '.join(schemes)} URL, got {value!r}")
    return value


def _api_base(raw: str | None) -> str:
    value = _url("DISCORD_API_BASE_URL", raw, DISCORD_API_BASE_URL, ("http", "https"))
    # discord.py appends paths to the versioned base; accept a bare host and add the version.
    if not urlparse(value).path.rstrip("/").split("/")[-1].startswith("v"):
        value += "/api/v10"
    return value


def _log_level(raw: str | None) -> str:
    value = (raw or "INFO").strip().upper()
    if value not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL: must be one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return value


def _timezone(raw: str | None) -> str:
    value = (raw or "UTC").strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"DEFAULT_TIMEZONE: unknown time zone {value!r}; use an IANA name such as Africa/Lagos"
        ) from None
    return value


def _path(name: str, raw: str | None, default: Path) -> Path:
    if raw is None or raw.strip() == "":
        return default
    return Path(raw.strip()).expanduser()


def load_settings(environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env") -> Settings:
    """Settings from `environ` (default: the process environment) over the values of `env_file`."""
    values: dict[str, str | None] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update(dotenv_values(env_file))
    values.update(os.environ if environ is None else environ)
    return Settings(
        discord=DiscordSettings(
            token=_token(values.get("DISCORD_TOKEN")),
            guild_id=_snowflake("DISCORD_GUILD_ID", values.get("DISCORD_GUILD_ID")),
            api_base_url=_api_base(values.get("DISCORD_API_BASE_URL")),
            gateway_url=_url(
                "DISCORD_GATEWAY_URL", values.get("DISCORD_GATEWAY_URL"), DISCORD_GATEWAY_URL, ("ws", "wss")
            ),
        ),
        database=DatabaseSettings(path=_path("DATABASE_PATH", values.get("DATABASE_PATH"), Path("data/nexus.db"))),
        log_level=_log_level(values.get("LOG_LEVEL")),
        default_timezone=_timezone(values.get("DEFAULT_TIMEZONE")),
        knowledge_dir=_path("KNOWLEDGE_DIR", values.get("KNOWLEDGE_DIR"), SHIPPED_KNOWLEDGE_DIR),
    )


class RedactSecrets(logging.Filter):
    """Defence in depth: even if a library logs the token, it leaves the process as asterisks."""

    def __init__(self, *secrets: Secret | None) -> None:
        super().__init__()
        self._values = [s.reveal() for s in secrets if s is not None and s.reveal()]

    def filter(self, record: logging.LogRecord) -> bool:
        if self._values:
            message = record.getMessage()
            if any(v in message for v in self._values):
                for v in self._values:
                    message = message.replace(v, "********")
                record.msg, record.args = message, None
        return True
