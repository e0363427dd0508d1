"""The wiring diagram: clock → repositories → services → scheduler. Built once in `setup_hook` and handed to the
cogs; tests build the same graph with a clock they move. Cogs reach the services, never the database."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database, DatabaseSize
from bot.db.sqlite.guild_config import SqliteGuildConfigRepository
from bot.db.sqlite.knowledge import SqliteKnowledgeRepository
from bot.db.sqlite.pair_rounds import SqliteRoundRepository
from bot.db.sqlite.pairing import SqlitePairingRepository
from bot.db.sqlite.posts import SqlitePostLedgerRepository, SqliteSchedulerStateRepository
from bot.db.sqlite.projects import SqliteProjectRepository
from bot.db.sqlite.prompts import SqlitePromptRepository
from bot.db.sqlite.week_one import SqliteWeekOneRepository
from bot.guild_setup.service import GuildSetupService
from bot.knowledge.service import KnowledgeService
from bot.learners.service import LearnerService
from bot.pairing.learners import LearnerPool
from bot.pairing.rounds_service import RoundService
from bot.pairing.service import PairingService
from bot.posting import OnceOnlyPoster
from bot.projects.service import ProjectService
from bot.prompts.defaults import load_prompt_defaults
from bot.prompts.service import PromptService
from bot.scheduling.scheduler import Scheduler
from bot.tracks import load_tracks
from bot.week_one.service import WeekOneService


@dataclass
class Services:
    clock: Clock
    guild_setup: GuildSetupService
    knowledge: KnowledgeService
    learners: LearnerService
    pairing: PairingService
    pair_rounds: RoundService
    posting: OnceOnlyPoster
    projects: ProjectService
    prompts: PromptService
    scheduler: Scheduler
    week_one: WeekOneService
    _db: Database

    @classmethod
    async def start(cls, db: Database, settings: Settings, clock: Clock) -> Services:
        """Build every service and do its start-up work (e.g. syncing the knowledge base). A broken
        shipped prompts file stops start-up here (PromptsFileError), before any server is given it."""
        prompt_defaults = load_prompt_defaults()
        tracks = load_tracks()  # a broken tracks file stops start-up here too (TracksFileError)
        knowledge = KnowledgeService(SqliteKnowledgeRepository(db), settings.knowledge_dir, clock=clock.now)
        await knowledge.sync()  # never raises: a bad topic file is logged and skipped
        await knowledge.prepare()
        ledger = SqlitePostLedgerRepository(db)
        posting = OnceOnlyPoster(ledger, clock)
        scheduler = Scheduler(posting, ledger, SqliteSchedulerStateRepository(db), clock, settings.schedule_grace)
        configs = SqliteGuildConfigRepository(db)
        guild_setup = GuildSetupService(configs, settings.default_timezone, clock)
        pairing_repository = SqlitePairingRepository(db)
        project_repository = SqliteProjectRepository(db)
        learners = LearnerService(project_repository, pairing_repository, knowledge)
        prompts = PromptService(SqlitePromptRepository(db), configs, scheduler, posting, clock, prompt_defaults,
                                learners)
        scheduler.add_source(prompts.source)
        projects = ProjectService(project_repository, guild_setup, learners, clock, tracks)
        guild_setup.on_configured(prompts.server_configured)
        week_one = WeekOneService(SqliteWeekOneRepository(db), scheduler, posting, clock, tracks, learners)
        scheduler.add_source(week_one.source)
        guild_setup.on_configured(week_one.server_configured)
        pool = LearnerPool(pairing_repository, guild_setup, knowledge, learners, tracks)
        pairing = PairingService(pairing_repository, pool, projects, clock, settings.pair_request_ttl, scheduler,
                                 learners)
        pair_rounds = RoundService(pairing_repository, SqliteRoundRepository(db), pool, scheduler, clock, learners)
        scheduler.add_source(pair_rounds.round_source)
        scheduler.add_source(pair_rounds.expiry_source)
        return cls(
            clock=clock,
            guild_setup=guild_setup,
            knowledge=knowledge,
            learners=learners,
            pairing=pairing,
            pair_rounds=pair_rounds,
            posting=posting,
            projects=projects,
            prompts=prompts,
            scheduler=scheduler,
            week_one=week_one,
            _db=db,
        )

    async def database_size(self) -> DatabaseSize:
        """What the database takes on disk, its file and its write-ahead log (for `/nexus status`)."""
        return await self._db.size()

    def database_problem(self) -> str | None:
        """Why the database can't be written right now, naming its file (for `/nexus status`)."""
        problem = self._db.write_problem
        return f"{problem} ({self._db.path})" if problem else None

    async def close(self) -> None:
        """Stop what the services started (scheduler jobs, background tasks)."""
        await self.scheduler.shutdown()
        await self.knowledge.close()  # the lookups not yet written
