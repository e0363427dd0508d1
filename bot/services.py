"""The wiring diagram: clock → repositories → services → scheduler. Built once in `setup_hook` and handed to the
cogs; tests build the same graph with a clock they move. Cogs reach the services, never the database.

The repositories come from `bot.stores`, the one place that picks a database engine's implementations;
every service is typed against its feature's repository protocols (`bot/<feature>/repository.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database, DatabaseSize
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
from bot.scheduling.pacing import PACED_RATE, Pacer
from bot.scheduling.scheduler import Scheduler
from bot.shard_claims import ShardClaims
from bot.shards import ShardPlan
from bot.stores import stores_for
from bot.tracks import load_tracks
from bot.week_one.service import WeekOneService

if TYPE_CHECKING:
    from bot.db.postgres import PostgresDatabase  # asyncpg: only when DATABASE_URL asks for it


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
    shard_claims: ShardClaims
    _db: Database | PostgresDatabase

    @classmethod
    async def start(cls, db: Database | PostgresDatabase, settings: Settings, clock: Clock) -> Services:
        """Build every service and do its start-up work (e.g. syncing the knowledge base). A broken
        shipped prompts file stops start-up here (PromptsFileError), before any server is given it."""
        stores = stores_for(db)  # the engine's repositories (SQLite or PostgreSQL), the same Stores either way
        prompt_defaults = load_prompt_defaults()
        tracks = load_tracks()  # a broken tracks file stops start-up here too (TracksFileError)
        knowledge = KnowledgeService(stores.knowledge, settings.knowledge_dir, clock=clock.now)
        await knowledge.sync()  # never raises: a bad topic file is logged and skipped
        await knowledge.prepare()
        await knowledge.watch()  # another process's approval or sync is read here too (PostgreSQL)
        posting = OnceOnlyPoster(stores.ledger, clock)
        shards = settings.shards
        # Sharded, a process schedules its own servers' posts, and its fan-outs take their turns from
        # the bot's one timeline on the database (50 requests a second are the bot's, whatever its
        # processes), or at its shards' share of them when there is none (SQLite: one process anyway).
        if shards and stores.global_pace is not None:
            pacer: Pacer | None = Pacer(PACED_RATE, shared=stores.global_pace, share=shards.share)
        else:
            pacer = Pacer(PACED_RATE * shards.share) if shards else None
        scheduler = Scheduler(posting, stores.ledger, stores.scheduler_state, clock, settings.schedule_grace, pacer,
                              shards=shards)
        guild_setup = GuildSetupService(stores.guild_configs, settings.default_timezone, clock)
        learners = LearnerService(stores.projects, stores.pairing, knowledge)
        prompts = PromptService(stores.prompts, stores.guild_configs, scheduler, posting, clock, prompt_defaults,
                                learners)
        scheduler.add_source(prompts.source)
        projects = ProjectService(stores.projects, guild_setup, learners, clock, tracks)
        guild_setup.on_configured(prompts.server_configured)
        week_one = WeekOneService(stores.week_one, scheduler, posting, clock, tracks, learners)
        scheduler.add_source(week_one.source)
        guild_setup.on_configured(week_one.server_configured)
        pool = LearnerPool(stores.pairing, guild_setup, knowledge, learners, tracks)
        await pool.watch()  # another process's pair or project is read here too (PostgreSQL)
        pairing = PairingService(stores.pairing, pool, projects, clock, settings.pair_request_ttl, scheduler,
                                 learners)
        # Unsharded, a process holds every server: shard 0 of 1, so two unsharded processes on one
        # PostgreSQL are told of each other too.
        shard_claims = ShardClaims(stores.shard_claims, shards or ShardPlan(1, (0,)))
        pair_rounds = RoundService(stores.pairing, stores.rounds, pool, scheduler, clock, learners)
        scheduler.add_source(pair_rounds.round_source)
        scheduler.add_source(pair_rounds.expiry_source)
        # Last, so a start-up that fails above leaves no refreshing task behind.
        await shard_claims.start()  # one warning line when another running process holds our shards
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
            shard_claims=shard_claims,
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
        await self.shard_claims.close()
        await self.knowledge.close()  # the lookups not yet written
