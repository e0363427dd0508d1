"""`python -m bot`: run Nexus, the sandbox, or a maintenance command.

    python -m bot                      Discord when DISCORD_TOKEN is set, else the local sandbox
    python -m bot run                  Discord (needs DISCORD_TOKEN)
    python -m bot sandbox [--script F] the local Discord stand-in, the real bot and a console
                       [--processes 2]  two bot processes on two shards, one per demo server
    python -m bot db backup PATH       a consistent copy of the live database
    python -m bot db copy --to URL     the SQLite database into an empty PostgreSQL one
    python -m bot kb check|search|export   the knowledge base (see `python -m bot kb --help`)
    python -m bot healthcheck          exit 0 while the heartbeat beside DATABASE_PATH is fresh

Whatever stops start-up is told on stderr, one line per problem ("nexus: …"), with exit code 2;
the running log goes to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot import __version__
from bot.config import Settings, SettingsError, database_path, load_settings
from bot.db import DatabaseOpenError, MigrationError

EXIT_CONFIG = 2
EXIT_BUG = 1

log = logging.getLogger("nexus")


def _fail(*problems: str) -> int:
    for problem in problems:
        print(f"nexus: {problem}", file=sys.stderr)
    return EXIT_CONFIG


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Nexus, the #ProDevProjectNexus bot")
    parser.add_argument("--version", action="version", version=f"nexus {__version__}")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="connect to Discord (needs DISCORD_TOKEN)")
    sandbox = sub.add_parser("sandbox", help="the local Discord stand-in with a demo server and a console")
    sandbox.add_argument("--script", type=Path, help="run console lines from this file, print to stdout, exit")
    sandbox.add_argument("--db", type=Path, help="keep the sandbox database here (default: a fresh temporary one)")
    # Read as text and checked by _run_sandbox: a bad value is one line, as every start-up problem.
    sandbox.add_argument("--processes", default="1", metavar="N",
                         help="1 (default): one bot; 2: two bot processes on two shards, one database, one clock")
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    backup = db_sub.add_parser("backup", help="write a consistent copy of the database (safe while the bot runs)")
    backup.add_argument("path", type=Path)
    copy = db_sub.add_parser("copy", help="copy the SQLite database at DATABASE_PATH into an empty PostgreSQL one")
    copy.add_argument("--to", dest="url", required=True, metavar="postgresql://…",
                      help="the empty PostgreSQL database to copy into")
    sub.add_parser("kb", help="knowledge base: check, search, export", add_help=False)
    sub.add_parser("healthcheck", help="exit 0 while the bot's gateway heartbeat is fresh (Docker HEALTHCHECK)")
    return parser


def _run_discord(settings: Settings) -> int:
    from bot.app import nexus_intents, run_bot
    from bot.logs import configure_logging
    from bot.startup_errors import explain_startup_failure

    if settings.discord.token is None:
        # Names the variable, not a file: in a container there is no .env or config.example.env.
        return _fail("DISCORD_TOKEN is not set: give the bot's token in the DISCORD_TOKEN environment variable "
                     "(Developer Portal → Bot → Reset Token)")
    configure_logging(settings.log_level, secrets=(settings.discord.token, settings.database.password))
    try:
        asyncio.run(run_bot(settings, settings.discord.token.reveal()))
    except KeyboardInterrupt:
        pass
    except Exception as exc:
        explained = explain_startup_failure(exc, settings, nexus_intents())
        if explained is not None:
            log.debug("what stopped the bot", exc_info=True)
            return _fail(explained)
        log.exception("the bot stopped on an unexpected error")
        print(f"nexus: stopped on an unexpected error ({type(exc).__name__}); the log has its traceback",
              file=sys.stderr)
        return EXIT_BUG
    return 0


def _run_sandbox(settings: Settings, script: Path | None, db: Path | None, processes_text: str = "1") -> int:
    if processes_text.strip() not in ("1", "2"):
        return _fail(f"--processes: 1 (one bot) or 2 (two bot processes on two shards), not {processes_text[:20]!r}")
    processes = int(processes_text)
    if processes == 2 and db is not None:
        return _fail("--db keeps a SQLite database, which is one process's; --processes 2 runs both processes on a "
                     "throwaway PostgreSQL: give one or the other")
    try:
        from sandbox.processes import SandboxUnavailable
        from sandbox.run import run_sandbox
    except ModuleNotFoundError as exc:  # the image ships without the sandbox and its console libraries
        return _fail(f"the sandbox is not part of this installation (no module {exc.name!r}); "
                     "run it from a checkout with `make run`")

    if script is not None and not script.is_file():
        return _fail(f"no script file at {script}")
    try:
        return asyncio.run(run_sandbox(settings, script=script, db_path=db, processes=processes))
    except SandboxUnavailable as exc:
        return _fail(str(exc))
    except (DatabaseOpenError, MigrationError) as exc:
        return _fail(str(exc) if db is None else f"--db: {exc}")
    except KeyboardInterrupt:
        return 0


def _healthcheck() -> int:
    """Docker's HEALTHCHECK: 0 while the bot using DATABASE_PATH beats; 1 (unhealthy) otherwise."""
    from bot.heartbeat import STALE_AFTER_SECONDS, heartbeat_age, heartbeat_path

    file = heartbeat_path(database_path())
    age = heartbeat_age(file)
    if age is None:
        print(f"unhealthy: no heartbeat at {file} (no bot connected to Discord with this DATABASE_PATH)",
              file=sys.stderr)
        return 1
    if age > STALE_AFTER_SECONDS:
        print(f"unhealthy: last heartbeat {age:.0f} s ago ({file})", file=sys.stderr)
        return 1
    return 0


def _copy_database(settings: Settings, url: str) -> int:
    """`db copy --to`: the SQLite database into an empty PostgreSQL one, checked row for row."""
    if not url.startswith(("postgresql://", "postgres://")):
        return _fail("db copy --to: give a PostgreSQL URL, postgresql://user:password@host:5432/database")
    try:
        from bot.db.copy import CopyRefused, copy_to_postgres
    except ModuleNotFoundError as exc:
        if exc.name != "asyncpg":
            raise
        return _fail("db copy needs the asyncpg driver, which this installation lacks: install nexus-bot[postgres]")
    from bot.db.postgres.database import describe_url

    try:
        report = asyncio.run(copy_to_postgres(settings.database.path, url))
    except DatabaseOpenError as exc:
        return _fail(f"db copy: {exc}")
    except CopyRefused as exc:
        return _fail(f"db copy: {exc}")
    print(f"copied {report.total} rows in {len(report.rows)} tables from {settings.database.path} to "
          f"{describe_url(url)}; every table's rows are equal on both")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["kb"]:
        from bot.knowledge.cli import run as run_kb

        return run_kb(argv[1:])
    args = _parser().parse_args(argv)
    if args.command == "healthcheck":
        return _healthcheck()
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(*exc.problems)
    if args.command == "db" and args.db_command == "copy":
        return _copy_database(settings, args.url)
    if args.command == "db":
        from bot.db.sqlite.backup import backup_database

        if settings.database.url is not None:
            return _fail("DATABASE_URL: `db backup` copies the SQLite database at DATABASE_PATH; back up a "
                         "PostgreSQL database with its own tools (pg_dump)")
        try:
            size = backup_database(settings.database.path, args.path)
        except DatabaseOpenError as exc:
            return _fail(f"DATABASE_PATH: {exc}")
        print(f"backed up {settings.database.path} to {args.path} ({size} bytes)")
        return 0
    if args.command == "sandbox":
        return _run_sandbox(settings, args.script, args.db, args.processes)
    if args.command == "run":
        return _run_discord(settings)
    # No sub-command: what `make run` does.
    if settings.discord.token is None:
        print("No DISCORD_TOKEN set: starting the local sandbox. To connect to Discord, set DISCORD_TOKEN in "
              "the environment or in .env (see config.example.env) and run again.")
        return _run_sandbox(settings, None, None)
    return _run_discord(settings)


if __name__ == "__main__":
    sys.exit(main())
