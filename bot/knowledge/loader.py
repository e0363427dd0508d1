"""Sync `data/knowledge/*.md` into the database: the files are the source of truth for curated topics.

Idempotent and cheap when nothing changed: a file whose content hash matches the stored one is not
even parsed. A bad file is reported by name and skipped (its last good version, if any, stays
published); a removed file's topic is unpublished. Nothing here raises: the bot must start even
with a broken topic file or an unreadable folder.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.db.knowledge import CuratedWrite, KnowledgeRepository, SyncState
from bot.knowledge.model import FileProblem, SyncReport, Topic
from bot.knowledge.parsing import TopicFileError, parse_topic
from bot.knowledge.validation import validate_topic

log = logging.getLogger(__name__)

# Part of every content hash: bump it when parsing changes, so every file is read again once.
PARSER_VERSION = b"nexus-knowledge-1\n"


@dataclass(frozen=True)
class _ScannedFile:
    name: str
    digest: str
    topic: Topic | None  # None when unchanged (not parsed) or bad
    problems: tuple[str, ...] = ()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(PARSER_VERSION + data).hexdigest()


def _scan(directory: Path, stored: dict[str, SyncState], track_keys: frozenset[str] | None) -> list[_ScannedFile]:
    """Read every topic file; parse and validate only those whose content changed."""
    scanned = []
    for path in sorted(directory.glob("*.md")):
        try:
            data = path.read_bytes()
        except OSError as exc:
            scanned.append(_ScannedFile(path.name, "", None, (f"cannot be read: {exc.strerror}",)))
            continue
        digest = content_hash(data)
        state = stored.get(path.name)
        if state is not None and state.published and state.content_hash == digest:
            scanned.append(_ScannedFile(path.name, digest, None))
            continue
        try:
            topic = parse_topic(data.decode("utf-8"), path.name)
        except UnicodeDecodeError:
            scanned.append(_ScannedFile(path.name, digest, None, ("is not UTF-8 text",)))
            continue
        except TopicFileError as exc:
            scanned.append(_ScannedFile(path.name, digest, None, (exc.problem,)))
            continue
        problems = tuple(p.problem for p in validate_topic(topic, path.name, track_keys))
        scanned.append(_ScannedFile(path.name, digest, None if problems else topic, problems))
    return scanned


async def sync_topics(
    repository: KnowledgeRepository, directory: Path, now: datetime, track_keys: frozenset[str] | None = None
) -> SyncReport:
    report = SyncReport()
    if not directory.is_dir():
        # Never read a missing folder as "every topic was deleted".
        report.errors.append(FileProblem(str(directory), "the knowledge folder does not exist; nothing synced"))
        return report
    try:
        await _sync(repository, directory, now, track_keys, report)
    except Exception as exc:  # the bot starts without a fresh knowledge base rather than not at all
        log.exception("knowledge base sync from %s failed", directory)
        report.errors.append(FileProblem(str(directory), f"sync failed: {exc}"))
    return report


async def _sync(
    repository: KnowledgeRepository,
    directory: Path,
    now: datetime,
    track_keys: frozenset[str] | None,
    report: SyncReport,
) -> None:
    states = await repository.sync_state()
    curated_by_path = {s.source_path: s for s in states if s.source == "curated" and s.source_path}
    by_slug = {s.slug: s for s in states}
    scanned = await asyncio.to_thread(_scan, directory, curated_by_path, track_keys)

    changed: dict[str, Topic] = {}
    changed_slugs: set[str] = set()
    for file in scanned:
        if file.problems:
            report.errors += [FileProblem(file.name, p) for p in file.problems]
        elif file.topic is None:
            report.unchanged.append(curated_by_path[file.name].slug)
        elif file.topic.slug in changed_slugs:
            report.errors.append(FileProblem(file.name, f"slug '{file.topic.slug}' is used by another file"))
        else:
            changed[file.name] = file.topic
            changed_slugs.add(file.topic.slug)
    if changed:
        report.warnings += await _cross_file_warnings(repository, changed, set(report.unchanged))

    digests = {file.name: file.digest for file in scanned}
    writes = []
    for name, topic in changed.items():
        existing = by_slug.get(topic.slug)
        writes.append(CuratedWrite(topic, name, digests[name], existing.id if existing else None))
        (report.updated if existing else report.added).append(topic.slug)
    present = {file.name for file in scanned}
    removed = [s for path, s in curated_by_path.items() if s.published and path not in present]
    report.unpublished += [s.slug for s in removed]
    await repository.write_curated(writes, [s.id for s in removed], now)
    for problem in report.errors:
        log.warning("knowledge file skipped: %s", problem)


async def _cross_file_warnings(
    repository: KnowledgeRepository, changed: dict[str, Topic], unchanged_slugs: set[str]
) -> list[FileProblem]:
    """Links to topics that do not exist and names another topic already has: worth fixing (and
    `kb check` fails on them), but not worth hiding the topic from learners."""
    others = [row for row in await repository.name_rows() if row.guild_id is None and row.slug in unchanged_slugs]
    owner: dict[str, str] = {}
    for row in others:
        for name in (row.slug, *row.aliases):
            owner.setdefault(name.casefold(), row.slug)
    for topic in changed.values():
        for name in (topic.slug, *topic.aliases):
            owner.setdefault(name.casefold(), topic.slug)
    slugs = unchanged_slugs | {t.slug for t in changed.values()}
    warnings = []
    for file, topic in changed.items():
        for alias in topic.aliases:
            if owner.get(alias.casefold(), topic.slug) != topic.slug:
                warnings.append(FileProblem(file, f"alias '{alias}' is also a name of '{owner[alias.casefold()]}'"))
        warnings += [FileProblem(file, f"related topic '{r}' does not exist") for r in topic.related if r not in slugs]
    return warnings
