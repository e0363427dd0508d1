"""`python -m bot kb …`: check the topic files, search the knowledge base, export a topic, list
the fixes moderators accepted.

Works offline against the database file; `search`, `export` and `fixes` first sync the topic
folder into it (cheap when nothing changed), so a fresh database is built on first use.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.config import SettingsError, load_settings
from bot.db import Database, DatabaseOpenError, MigrationError
from bot.knowledge.export import export_markdown
from bot.knowledge.model import SearchHit
from bot.knowledge.service import KnowledgeService
from bot.knowledge.validation import check_directory, load_track_keys
from bot.stores import sqlite_stores


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot kb", description="The Nexus knowledge base")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate every topic file")
    check.add_argument("--dir", type=Path, help="topic folder (default: the KNOWLEDGE_DIR setting)")
    search = sub.add_parser("search", help="ranked search, as the bot does it (confident topics only)")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=5)
    search.add_argument("--json", action="store_true",
                        help="a JSON list of {slug, title, score, confidence}, best first; [] when no topic covers it")
    export = sub.add_parser("export", help="a stored topic as a topic file (e.g. an approved suggestion)")
    export.add_argument("slug")
    export.add_argument("--out", type=Path, help="write to this file instead of standard output")
    fixes = sub.add_parser("fixes", help="the fixes moderators accepted, for the maintainers of the topic files")
    for command in (search, export, fixes):
        command.add_argument("--db", type=Path, help="database file (default: the DATABASE_PATH setting)")
        command.add_argument("--dir", type=Path, help="topic folder to sync from (default: the KNOWLEDGE_DIR setting)")
    return parser


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        # The same settings as the bot (.env and the environment), so the CLI sees the bot's database.
        settings = load_settings()
    except SettingsError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return 2
    args.dir = args.dir or settings.knowledge_dir
    if args.command != "check":
        args.db = args.db or settings.database.path
    if args.command == "check":
        return _check(args.dir)
    try:
        return asyncio.run(_with_service(args))
    except (DatabaseOpenError, MigrationError) as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return 2


def _check(directory: Path) -> int:
    if not directory.is_dir():
        print(f"{directory}: no such folder", file=sys.stderr)
        return 1
    result = check_directory(directory, load_track_keys(directory.parent / "tracks.toml"))
    for problem in result.problems:
        print(problem)
    if result.problems:
        print(f"{len(result.problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    print(f"OK: {len(result.topics)} topics in {directory}")
    return 0


async def _with_service(args: argparse.Namespace) -> int:
    db = await Database.open(args.db)
    try:
        service = KnowledgeService(sqlite_stores(db).knowledge, args.dir)
        report = await service.sync()
        for problem in report.errors:
            print(f"warning: {problem} (skipped)", file=sys.stderr)
        if args.command == "search":
            return await _search(service, args.query, args.limit, args.json)
        if args.command == "fixes":
            return await _fixes(service)
        return await _export(service, args.slug, args.out)
    finally:
        await db.close()


async def _search(service: KnowledgeService, query: str, limit: int, as_json: bool) -> int:
    hits = await service.search(query, limit=max(1, limit))
    if as_json:
        print(json.dumps([{"slug": h.slug, "title": h.title, "score": h.score, "confidence": h.confidence}
                          for h in hits], ensure_ascii=False))
        return 0
    if not hits:
        # What the bot answers: no topic, "did you mean", and the closest topics it offers as buttons.
        miss = await service.miss(query)
        print("No topic covers that yet (none holds enough of it, near enough in meaning)."
              + (f" Did you mean: {miss.spelling}?" if miss.spelling else ""))
        if miss.closest:
            print("Closest topics:")
            _print_hits(miss.closest)
        else:
            print("No topic is close to it either: see `/topic list`.")
        return 0
    hint = await service.suggest_spelling(query)
    if hint:
        print(f"(showing results for: {hint})")
    _print_hits(hits)
    return 0


def _print_hits(hits: list[SearchHit]) -> None:
    for rank, hit in enumerate(hits, 1):
        print(f"{rank}. {hit.slug:<40} score {hit.score:>7.3f}  confidence {hit.confidence:.2f}  {hit.title}")


async def _export(service: KnowledgeService, slug: str, out: Path | None) -> int:
    topic = await service.topic_to_export(slug)
    if topic is None:
        print(f"kb: no topic with the slug {slug!r}", file=sys.stderr)
        return 1
    text = export_markdown(topic)
    if out is None:
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(out.write_text, text, encoding="utf-8")
        print(f"wrote {out}")
    return 0


async def _fixes(service: KnowledgeService) -> int:
    """Each accepted fix: the topic (file) it is for, what the member wrote, the moderator's note."""
    fixes = await service.accepted_fixes()
    if not fixes:
        print("No accepted fixes.")
        return 0
    for suggestion, slug in fixes:
        accepted = f"{suggestion.reviewed_at:%-d %B %Y}" if suggestion.reviewed_at else "?"
        print(f"{slug}.md · fix #{suggestion.id} · accepted {accepted} (UTC) · server {suggestion.guild_id}")
        print(f"  {suggestion.title}")
        for line in suggestion.explanation.split("\n"):
            print(f"    {line}")
        if suggestion.links:
            print(f"  links: {' '.join(suggestion.links.split())}")
        if suggestion.decision_note:
            print(f"  moderator's note: {' '.join(suggestion.decision_note.split())}")
        print()
    return 0
