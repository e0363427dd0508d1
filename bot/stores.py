"""The one place that picks a database engine's repositories: `sqlite_stores` gives SQLite's, all on
the bot's one connection. Every service is typed against its feature's repository protocols
(`bot/<feature>/repository.py`, `bot/scheduling/ledger.py`), so another engine is a second factory
beside it returning the same `Stores`. Kept apart from `bot.services` so a maintenance command (the
kb CLI) gets its repository without loading every service."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import Database
from bot.db.sqlite.guild_config import SqliteGuildConfigRepository
from bot.db.sqlite.knowledge import SqliteKnowledgeRepository
from bot.db.sqlite.pair_rounds import SqliteRoundRepository
from bot.db.sqlite.pairing import SqlitePairingRepository
from bot.db.sqlite.posts import SqlitePostLedgerRepository, SqliteSchedulerStateRepository
from bot.db.sqlite.projects import SqliteProjectRepository
from bot.db.sqlite.prompts import SqlitePromptRepository
from bot.db.sqlite.week_one import SqliteWeekOneRepository
from bot.guild_setup.repository import GuildConfigRepository
from bot.knowledge.repository import KnowledgeRepository
from bot.pairing.repository import PairingRepository, RoundRepository
from bot.projects.repository import ProjectRepository
from bot.prompts.repository import PromptRepository
from bot.scheduling.ledger import PostLedgerRepository, SchedulerStateRepository
from bot.week_one.repository import WeekOneRepository


@dataclass(frozen=True)
class Stores:
    """Every repository the services use, all of one database engine."""

    guild_configs: GuildConfigRepository
    knowledge: KnowledgeRepository
    ledger: PostLedgerRepository
    pairing: PairingRepository
    projects: ProjectRepository
    prompts: PromptRepository
    rounds: RoundRepository
    scheduler_state: SchedulerStateRepository
    week_one: WeekOneRepository


def sqlite_stores(db: Database) -> Stores:
    """The SQLite repositories, all on the bot's one connection."""
    return Stores(
        guild_configs=SqliteGuildConfigRepository(db),
        knowledge=SqliteKnowledgeRepository(db),
        ledger=SqlitePostLedgerRepository(db),
        pairing=SqlitePairingRepository(db),
        projects=SqliteProjectRepository(db),
        prompts=SqlitePromptRepository(db),
        rounds=SqliteRoundRepository(db),
        scheduler_state=SqliteSchedulerStateRepository(db),
        week_one=SqliteWeekOneRepository(db),
    )
