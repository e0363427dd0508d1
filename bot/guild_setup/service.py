"""Server set-up: validate what an admin gives `/nexus setup` and keep the configuration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date

from rapidfuzz import fuzz, process

from bot.clock import Clock
from bot.errors import UserError
from bot.guild_setup.model import GuildConfig, SetupRequest
from bot.guild_setup.repository import GuildConfigRepository
from bot.timezones import find_zone, region_example, zone_names

EARLIEST_COHORT_YEAR = 2020
LATEST_COHORT_YEAR = 2100
# The longest zone name has 30 characters; fuzzy-matching more of what was typed only costs time.
MAX_ZONE_TYPED = 64


def timezone_choices(typed: str, limit: int = 25) -> list[str]:
    """Time-zone names for autocomplete: prefix matches first, then fuzzy ones."""
    typed = typed.strip()[:MAX_ZONE_TYPED]
    names = zone_names()
    if not typed:
        return ["UTC", "Africa/Lagos", "Africa/Nairobi", "Africa/Johannesburg", "Africa/Cairo", "Africa/Accra",
                "Europe/London", "America/New_York"][:limit]
    lowered = typed.lower().replace(" ", "_")
    prefix = [n for n in names if n.lower().startswith(lowered) or n.lower().split("/")[-1].startswith(lowered)]
    if len(prefix) >= limit:
        return prefix[:limit]
    fuzzy = [m[0] for m in process.extract(lowered, names, scorer=fuzz.WRatio, limit=limit) if m[0] not in prefix]
    return (prefix + fuzzy)[:limit]


def parse_timezone(text: str) -> str:
    value = text.strip()
    if find_zone(value) is not None:
        return value
    shown = value[:64]
    example = region_example(value)
    if example is not None:  # `Africa`, `America/Argentina`: a folder of zones, not one
        raise UserError(f"`{shown}` is a region, not a time zone. Pick one in it, such as `{example}`.")
    best = process.extractOne(value[:MAX_ZONE_TYPED].replace(" ", "_"), zone_names(), scorer=fuzz.WRatio)
    hint = f" Did you mean `{best[0]}`?" if best and best[1] >= 80 else ""
    raise UserError(f"`{shown}` is not a time zone I know. Use a name like `Africa/Lagos` or `UTC`.{hint}")


def parse_cohort_start(text: str) -> date:
    value = text.strip()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise UserError(
            f"`{value[:32]}` is not a date I can use. Write it as YYYY-MM-DD, for example `2026-12-01`."
        ) from None
    if not EARLIEST_COHORT_YEAR <= day.year <= LATEST_COHORT_YEAR:
        raise UserError(f"{day.isoformat()} is outside {EARLIEST_COHORT_YEAR}–{LATEST_COHORT_YEAR}; check the year.")
    return day


# Told after every successful setup (a feature gives its defaults, the scheduler sets its alarms again).
ConfiguredListener = Callable[[GuildConfig], Awaitable[None]]


class GuildSetupService:
    def __init__(self, configs: GuildConfigRepository, default_timezone: str, clock: Clock) -> None:
        self._configs = configs
        self.default_timezone = default_timezone
        self._clock = clock
        self._listeners: list[ConfiguredListener] = []
        # Every command reads its server's configuration, and only `configure` writes it: kept in
        # memory from the first read, replaced by what `configure` saved.
        self._remembered: dict[int, GuildConfig | None] = {}

    def on_configured(self, listener: ConfiguredListener) -> None:
        """Call `listener` with the saved configuration after every `configure` (core → feature,
        so this service need not know the features)."""
        self._listeners.append(listener)

    async def get(self, guild_id: int) -> GuildConfig | None:
        if guild_id in self._remembered:
            return self._remembered[guild_id]
        config = await self._configs.get(guild_id)
        self._remembered.setdefault(guild_id, config)  # a `configure` meanwhile has put the newer one
        return self._remembered[guild_id]

    async def configure(self, request: SetupRequest) -> GuildConfig:
        """Validate everything first, then write once: a bad value changes nothing."""
        cohort_start = parse_cohort_start(request.cohort_start) if request.cohort_start else None
        timezone = parse_timezone(request.timezone) if request.timezone else None
        backend, frontend = request.backend_role_id, request.frontend_role_id
        current = await self._configs.get(request.guild_id) or GuildConfig(
            guild_id=request.guild_id, channel_id=None, backend_role_id=None, frontend_role_id=None,
            cohort_start=None, timezone=self.default_timezone, updated_by=None, updated_at="",
        )
        merged = replace(
            current,
            channel_id=request.channel_id,
            backend_role_id=backend if backend is not None else current.backend_role_id,
            frontend_role_id=frontend if frontend is not None else current.frontend_role_id,
            cohort_start=cohort_start or current.cohort_start,
            timezone=timezone or current.timezone,
            updated_by=request.actor_id,
        )
        if merged.backend_role_id is not None and merged.backend_role_id == merged.frontend_role_id:
            raise UserError("The backend and frontend roles must be two different roles.")
        saved = await self._configs.save(merged, self._clock.now())
        self._remembered[saved.guild_id] = saved
        for listener in self._listeners:
            await listener(saved)
        return saved

    def today(self, config: GuildConfig) -> date:
        """The calendar date it is now in the server's time zone."""
        return self._clock.today_in(config.timezone)
