"""Settings: typed, read from the environment and a `.env` file, validated once at start.

Bad values stop start-up with one line per bad setting, naming it and what is wrong, all of them at
once (`SettingsError`); `python -m bot` prints them and exits with code 2. The token is a `Secret`,
so it never shows in a repr or a log line by accident.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlparse

from dotenv import dotenv_values

from bot.endpoints import DISCORD_API_BASE_URL, DISCORD_GATEWAY_URL
from bot.shards import ShardPlan, parse_shard_plan
from bot.timezones import find_zone, region_example

DEFAULT_GRACE_HOURS = 6
MAX_GRACE_HOURS = 7 * 24  # a post a week late is news nobody needs
DEFAULT_PAIR_REQUEST_HOURS = 72
MIN_PAIR_REQUEST_HOURS = 0.25  # a quarter hour: less gives nobody time to see it
MAX_PAIR_REQUEST_HOURS = 14 * 24  # a request waiting two weeks is one nobody will answer
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Real bot tokens are about 70 characters; anything under this is surely a typo. Kept low on purpose:
# Discord-compatible servers (the local stand-in) hand out shorter ones.
MIN_TOKEN_LENGTH = 10
# The curated topics ship with the code, so by default they are found beside it, from any folder.
SHIPPED_KNOWLEDGE_DIR = Path(__file__).resolve().parents[1] / "data" / "knowledge"
TOPIC_FILE_PATTERN = "*.md"  # what bot.knowledge.loader reads
DEFAULT_DATABASE_PATH = Path("data/nexus.db")
POSTGRES_URL_SCHEMES = ("postgresql", "postgres")  # libpq's two spellings
T = TypeVar("T")


class SettingsError(ValueError):
    """Settings are missing or wrong. `problems` holds one line per bad setting, each naming it and
    saying what is expected; `str()` is those lines, so every problem is reported at once."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)

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
    path: Path = DEFAULT_DATABASE_PATH
    # DATABASE_URL: PostgreSQL instead of the SQLite file at `path`. A Secret: it holds the password.
    url: Secret | None = None

    @property
    def password(self) -> Secret | None:
        """DATABASE_URL's password alone, for the log's redaction (the URL is rarely logged whole)."""
        password = urlparse(self.url.reveal()).password if self.url is not None else None
        return Secret(unquote(password)) if password else None


@dataclass(frozen=True)
class Settings:
    discord: DiscordSettings
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    log_level: str = "INFO"
    default_timezone: str = "UTC"
    knowledge_dir: Path = SHIPPED_KNOWLEDGE_DIR
    # A scheduled post that fell due while the bot was down is still made (marked late) within this.
    schedule_grace: timedelta = timedelta(hours=DEFAULT_GRACE_HOURS)
    # A pairing request not answered within this expires (both learners are told).
    pair_request_ttl: timedelta = timedelta(hours=DEFAULT_PAIR_REQUEST_HOURS)
    # Some of Discord's shards (`SHARD_COUNT`, `SHARD_IDS`); None: one process holding every server.
    shards: ShardPlan | None = None


def _token(raw: str | None) -> Secret | None:
    if raw is None or raw.strip() == "":
        return None
    value = raw.strip()
    # The most specific hint first: "Bot <token>" also has a space, but the cure is to drop the prefix.
    if value.lower().startswith("bot "):
        raise SettingsError("DISCORD_TOKEN: give the token alone, without the 'Bot ' prefix")
    if any(ch.isspace() for ch in value):
        raise SettingsError("DISCORD_TOKEN: a bot token has no spaces; copy it again from the Developer Portal")
    if len(value) < MIN_TOKEN_LENGTH:
        raise SettingsError(
            f"DISCORD_TOKEN: too short for a bot token ({len(value)} characters; Discord's have about 70); "
            "copy it again from the Developer Portal (Bot → Reset Token)"
        )
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


def _database_url(raw: str | None) -> Secret | None:
    """DATABASE_URL=postgresql://user:password@host:port/database selects PostgreSQL; unset, SQLite."""
    if raw is None or raw.strip() == "":
        return None
    value = raw.strip()
    parsed = urlparse(value)
    # Only the scheme is shown back: the rest of the URL may hold the password.
    if parsed.scheme not in POSTGRES_URL_SCHEMES:
        given = f"a {parsed.scheme}:// URL" if parsed.scheme else "no URL scheme"
        raise SettingsError(
            f"DATABASE_URL: must be a postgresql:// URL (postgresql://user:password@host:5432/database), got "
            f"{given}; leave it unset to keep SQLite at DATABASE_PATH"
        )
    try:
        parsed.port  # noqa: B018 - urllib checks the port only when asked for it
    except ValueError:
        raise SettingsError("DATABASE_URL: the port after the host must be a number from 0 to 65535") from None
    return Secret(value)


def _log_level(raw: str | None) -> str:
    value = (raw or "INFO").strip().upper()
    if value not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL: must be one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return value


def _timezone(raw: str | None) -> str:
    value = (raw or "UTC").strip()
    if find_zone(value) is None:
        shown = value if len(value) <= 64 else value[:64] + "…"
        example = region_example(value)
        if example is not None:
            raise SettingsError(
                f"DEFAULT_TIMEZONE: {shown!r} is a region, not a time zone; pick one in it, such as {example}"
            )
        raise SettingsError(
            f"DEFAULT_TIMEZONE: unknown time zone {shown!r}; use an IANA name such as Africa/Lagos"
        )
    return value


def _hours(name: str, raw: str | None, default: float, low: float, high: float) -> timedelta:
    """A setting given in hours (a decimal number), from `low` to `high`."""
    if raw is None or raw.strip() == "":
        return timedelta(hours=default)
    try:
        hours = float(raw.strip())
    except ValueError:
        hours = -1.0
    if not low <= hours <= high:  # also NaN
        raise SettingsError(f"{name}: must be a number of hours from {low:g} to {high:g}, got {raw.strip()[:32]!r}")
    return timedelta(hours=hours)


def _path(name: str, raw: str | None, default: Path) -> Path:
    if raw is None or raw.strip() == "":
        return default
    return Path(raw.strip()).expanduser()


def _knowledge_dir(raw: str | None) -> Path:
    """The folder must hold topic files: a bot that starts with zero topics only looks broken later."""
    directory = _path("KNOWLEDGE_DIR", raw, SHIPPED_KNOWLEDGE_DIR)
    if not directory.is_dir():
        what = "is not a folder" if directory.exists() else "does not exist"
        raise SettingsError(f"KNOWLEDGE_DIR: the folder {directory} {what}; point it at the knowledge/ folder")
    if next(directory.glob(TOPIC_FILE_PATTERN), None) is None:
        raise SettingsError(
            f"KNOWLEDGE_DIR: the folder {directory} holds no topic files ({TOPIC_FILE_PATTERN}); "
            "point it at the knowledge/ folder"
        )
    return directory


def _read_values(environ: Mapping[str, str] | None, env_file: str | Path | None) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update(dotenv_values(env_file))
    values.update(os.environ if environ is None else environ)
    return values


class _Problems:
    """Runs each setting's parser and keeps every SettingsError, so all bad settings are told at once."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def check(self, parse: Callable[[], T], fallback: T) -> T:
        try:
            return parse()
        except SettingsError as exc:
            self.lines.extend(exc.problems)
            return fallback


def _shards(count: str | None, ids: str | None) -> ShardPlan | None:
    try:
        return parse_shard_plan(count, ids)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


def load_settings(environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env") -> Settings:
    """Settings from `environ` (default: the process environment) over the values of `env_file`.

    Raises one SettingsError listing every bad setting, one line each.
    """
    values = _read_values(environ, env_file)
    problems = _Problems()
    discord = DiscordSettings(
        token=problems.check(lambda: _token(values.get("DISCORD_TOKEN")), None),
        guild_id=problems.check(lambda: _snowflake("DISCORD_GUILD_ID", values.get("DISCORD_GUILD_ID")), None),
        api_base_url=problems.check(lambda: _api_base(values.get("DISCORD_API_BASE_URL")), DISCORD_API_BASE_URL),
        gateway_url=problems.check(
            lambda: _url("DISCORD_GATEWAY_URL", values.get("DISCORD_GATEWAY_URL"), DISCORD_GATEWAY_URL, ("ws", "wss")),
            DISCORD_GATEWAY_URL,
        ),
    )
    settings = Settings(
        discord=discord,
        database=DatabaseSettings(path=database_path(values),
                                  url=problems.check(lambda: _database_url(values.get("DATABASE_URL")), None)),
        log_level=problems.check(lambda: _log_level(values.get("LOG_LEVEL")), "INFO"),
        default_timezone=problems.check(lambda: _timezone(values.get("DEFAULT_TIMEZONE")), "UTC"),
        knowledge_dir=problems.check(lambda: _knowledge_dir(values.get("KNOWLEDGE_DIR")), SHIPPED_KNOWLEDGE_DIR),
        schedule_grace=problems.check(lambda: _hours("SCHEDULE_GRACE_HOURS", values.get("SCHEDULE_GRACE_HOURS"),
                                                     DEFAULT_GRACE_HOURS, 0, MAX_GRACE_HOURS),
                                      timedelta(hours=DEFAULT_GRACE_HOURS)),
        pair_request_ttl=problems.check(lambda: _hours("PAIR_REQUEST_HOURS", values.get("PAIR_REQUEST_HOURS"),
                                                       DEFAULT_PAIR_REQUEST_HOURS, MIN_PAIR_REQUEST_HOURS,
                                                       MAX_PAIR_REQUEST_HOURS),
                                        timedelta(hours=DEFAULT_PAIR_REQUEST_HOURS)),
        shards=problems.check(lambda: _shards(values.get("SHARD_COUNT"), values.get("SHARD_IDS")), None),
    )
    plan, database = settings.shards, settings.database
    if plan is not None and len(plan.ids) < plan.count and database.url is None:
        problems.lines.append(f"SHARD_IDS holds {plan.describe()}: the processes holding the others must share this "
                              "one's database, so set DATABASE_URL to a PostgreSQL database (SQLite is one process's)")
    if problems.lines:
        raise SettingsError(*problems.lines)
    return settings


def database_path(values: Mapping[str, str | None] | None = None, env_file: str | Path | None = ".env") -> Path:
    """DATABASE_PATH alone (the health check needs no other setting, and must not fail on them)."""
    if values is None:
        values = _read_values(None, env_file)
    return _path("DATABASE_PATH", values.get("DATABASE_PATH"), DEFAULT_DATABASE_PATH)


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
