"""The one place that picks a database engine's repositories: `sqlite_stores` gives SQLite's, all on
the bot's one connection; `postgres_stores` PostgreSQL's, on its pool (`stores_for` picks by the
database). Every service is typed against its feature's repository protocols
(`bot/<feature>/repository.py`, `bot/scheduling/ledger.py`), and both factories return the same `Stores`.
Kept apart from `bot.services` so a maintenance command (the
kb CLI) gets its repository without loading every service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.db import Database
from bot.db.sqlite.guild_config import SqliteGuildConfigRepository
from bot.db.sqlite.knowledge import SqliteKnowledgeRepository
from bot.db.sqlite.pair_rounds import SqliteRoundRepository
from bot.db.sqlite.pairing import SqlitePairingRepository
from bot.db.sqlite.posts import SqlitePostLedgerRepository, SqliteSchedulerStateRepository
from bot.db.sqlite.projects import SqliteProjectRepository
from bot.db.sqlite.prompts import SqlitePromptRepository
from bot.db.sqlite.shard_claims import SqliteShardClaimRepository
from bot.db.sqlite.week_one import SqliteWeekOneRepository
from bot.guild_setup.repository import GuildConfigRepository
from bot.knowledge.repository import KnowledgeRepository
from bot.pairing.repository import PairingRepository, RoundRepository
from bot.projects.repository import ProjectRepository
from bot.prompts.repository import PromptRepository
from bot.scheduling.ledger import PostLedgerRepository, SchedulerStateRepository
from bot.scheduling.pacing import GlobalPace
from bot.shard_claims import ShardClaimRepository
from bot.week_one.repository import WeekOneRepository

if TYPE_CHECKING:
    from bot.db.postgres import PostgresDatabase


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
    shard_claims: ShardClaimRepository
    week_one: WeekOneRepository
    # The bot's one pacing timeline for its processes' fan-outs: PostgreSQL's; None on SQLite, which is
    # one process's (it paces itself in memory).
    global_pace: GlobalPace | None = None


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
        shard_claims=SqliteShardClaimRepository(db),
        week_one=SqliteWeekOneRepository(db),
    )


def postgres_stores(db: PostgresDatabase) -> Stores:
    """The PostgreSQL repositories, all on the database's pool. Imported here, not at the top: asyncpg
    is an optional extra, needed only when DATABASE_URL names PostgreSQL."""
    from bot.db.postgres.guild_config import PostgresGuildConfigRepository
    from bot.db.postgres.knowledge import PostgresKnowledgeRepository
    from bot.db.postgres.pacing import PostgresGlobalPace
    from bot.db.postgres.pair_rounds import PostgresRoundRepository
    from bot.db.postgres.pairing import PostgresPairingRepository
    from bot.db.postgres.posts import PostgresPostLedgerRepository, PostgresSchedulerStateRepository
    from bot.db.postgres.projects import PostgresProjectRepository
    from bot.db.postgres.prompts import PostgresPromptRepository
    from bot.db.postgres.shard_claims import PostgresShardClaimRepository
    from bot.db.postgres.week_one import PostgresWeekOneRepository

    return Stores(
        guild_configs=PostgresGuildConfigRepository(db),
        knowledge=PostgresKnowledgeRepository(db),
        ledger=PostgresPostLedgerRepository(db),
        pairing=PostgresPairingRepository(db),
        projects=PostgresProjectRepository(db),
        prompts=PostgresPromptRepository(db),
        rounds=PostgresRoundRepository(db),
        scheduler_state=PostgresSchedulerStateRepository(db),
        shard_claims=PostgresShardClaimRepository(db),
        week_one=PostgresWeekOneRepository(db),
        global_pace=PostgresGlobalPace(db),
    )


def stores_for(db: Database | PostgresDatabase) -> Stores:
    """The repositories of the engine `db` is."""
    return sqlite_stores(db) if isinstance(db, Database) else postgres_stores(db)
