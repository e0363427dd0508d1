"""Sync `data/knowledge/*.md` into the database: the files are the source of truth for curated topics.

Idempotent and cheap when nothing changed: every file is read and hashed, and only a file whose
hash differs from the stored one is parsed and written. A bad file is reported by name and skipped
(its last good version, if any, stays published); a removed file's topic is unpublished. All
writes of one sync share one transaction. Nothing here raises: the bot must start even with a
broken topic file or an unreadable folder.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.knowledge.model import FileProblem, SyncReport, Topic
from bot.knowledge.parsing import TopicFileError, parse_topic
from bot.knowledge.repository import CuratedWrite, KnowledgeRepository, SyncState, TopicRows
from bot.knowledge.validation import validate_topic

log = logging.getLogger(__name__)

# Part of every content hash: bump it when parsing changes, so every file is read again once.
PARSER_VERSION = b"nexus-knowledge-2\n"  # 2: symptoms
# Files parsed per batch; the next batch is parsed while SQLite indexes this one.
BATCH = 500


@dataclass(frozen=True)
class _ChangedFile:
    name: str
    digest: str
    data: bytes


@dataclass(frozen=True)
class _ParsedFile:
    name: str
    digest: str
    rows: TopicRows | None  # None when the file has problems
    problems: tuple[str, ...] = ()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(PARSER_VERSION + data).hexdigest()


def _read_changed(
    directory: Path, stored: dict[str, SyncState]
) -> tuple[list[str], list[_ChangedFile], list[FileProblem]]:
    """Every topic file's name, the files whose content differs from what is stored, and the
    files that cannot be read."""
    changed, unreadable = [], []
    # Names and plain strings (`os.scandir`, `open`), not `Path` objects: at 10,000 files making and
    # joining them cost a third of a sync that finds nothing changed.
    with os.scandir(directory) as entries:
        names = sorted(entry.name for entry in entries if entry.name.endswith(".md"))  # as glob("*.md")
    folder = os.fspath(directory)
    for name in names:
        try:
            with open(os.path.join(folder, name), "rb") as file:
                data = file.read()
        except OSError as exc:
            unreadable.append(FileProblem(name, f"cannot be read: {exc.strerror}"))
            continue
        digest = content_hash(data)
        state = stored.get(name)
        if state is None or not state.published or state.content_hash != digest:
            changed.append(_ChangedFile(name, digest, data))
    return names, changed, unreadable


def _parse(files: Sequence[_ChangedFile], track_keys: frozenset[str] | None) -> list[_ParsedFile]:
    parsed = []
    for file in files:
        try:
            topic = parse_topic(file.data.decode("utf-8"), file.name)
        except UnicodeDecodeError:
            parsed.append(_ParsedFile(file.name, file.digest, None, ("is not UTF-8 text",)))
            continue
        except TopicFileError as exc:
            parsed.append(_ParsedFile(file.name, file.digest, None, (exc.problem,)))
            continue
        problems = tuple(p.problem for p in validate_topic(topic, file.name, track_keys))
        parsed.append(_ParsedFile(file.name, file.digest, None if problems else TopicRows.of(topic), problems))
    return parsed


async def sync_topics(
    repository: KnowledgeRepository, directory: Path, now: datetime, track_keys: frozenset[str] | None = None
) -> SyncReport:
    report = SyncReport()
    if not await asyncio.to_thread(directory.is_dir):
        # Never read a missing folder as "every topic was deleted".
        report.errors.append(FileProblem(str(directory), "the knowledge folder does not exist; nothing synced"))
        return report
    try:
        await _sync(repository, directory, now, track_keys, report)
    except Exception as exc:  # the bot starts without a fresh knowledge base rather than not at all
        log.exception("knowledge base sync from %s failed", directory)
        report.errors.append(FileProblem(str(directory), f"sync failed, nothing changed: {exc}"))
        report.added, report.updated, report.unpublished = [], [], []
    for problem in report.errors:
        log.warning("knowledge file skipped: %s", problem)
    return report


async def _sync(
    repository: KnowledgeRepository,
    directory: Path,
    now: datetime,
    track_keys: frozenset[str] | None,
    report: SyncReport,
) -> None:
    states = await repository.sync_state()
    by_path = {s.source_path: s for s in states if s.source == "curated" and s.source_path}
    by_slug = {s.slug: s for s in states}
    names, changed, unreadable = await asyncio.to_thread(_read_changed, directory, by_path)
    report.errors += unreadable
    changed_names = {file.name for file in changed} | {problem.file for problem in unreadable}
    report.unchanged += [by_path[name].slug for name in names if name not in changed_names]
    present = set(names)
    removed = [s for path, s in by_path.items() if s.published and path not in present]
    if not changed and not removed:
        return

    kept = set(report.unchanged)
    kept_names = [(r.slug, r.aliases) for r in await repository.name_rows() if r.guild_id is None and r.slug in kept]
    written: dict[str, tuple[str, Topic]] = {}
    batches = [changed[i : i + BATCH] for i in range(0, len(changed), BATCH)]
    async with repository.curated_writer(now) as writer:
        parsing = asyncio.ensure_future(asyncio.to_thread(_parse, batches[0], track_keys)) if batches else None
        for index in range(len(batches)):
            assert parsing is not None
            parsed = await parsing
            if index + 1 < len(batches):
                parsing = asyncio.ensure_future(asyncio.to_thread(_parse, batches[index + 1], track_keys))
            await writer.write(_writes(parsed, by_slug, written, report))
        await writer.unpublish([s.id for s in removed])
        # Checked while the transaction commits: the warnings need only what is already in memory.
        warnings = asyncio.ensure_future(asyncio.to_thread(_cross_file_warnings, written, kept_names))
    report.unpublished += [s.slug for s in removed]
    report.warnings += await warnings


def _writes(
    parsed: list[_ParsedFile],
    by_slug: dict[str, SyncState],
    written: dict[str, tuple[str, Topic]],
    report: SyncReport,
) -> list[CuratedWrite]:
    """What to store of one parsed batch; `written` (slug -> file, topic) spans the whole sync."""
    writes = []
    for file in parsed:
        if file.problems or file.rows is None:
            report.errors += [FileProblem(file.name, p) for p in file.problems]
            continue
        slug = file.rows.topic.slug
        if slug in written:
            report.errors.append(FileProblem(file.name, f"slug '{slug}' is already used in {written[slug][0]}"))
            continue
        written[slug] = (file.name, file.rows.topic)
        existing = by_slug.get(slug)
        writes.append(CuratedWrite(file.rows, file.name, file.digest, existing.id if existing else None))
        (report.updated if existing else report.added).append(slug)
    return writes


def _cross_file_warnings(
    written: dict[str, tuple[str, Topic]], kept: list[tuple[str, tuple[str, ...]]]
) -> list[FileProblem]:
    """Links to topics that do not exist and names another topic already has: worth fixing (and
    `kb check` fails on them), but not worth hiding the topic from learners. `kept` holds the slug
    and aliases of every curated topic this sync leaves as it was."""
    names = kept + [(t.slug, t.aliases) for _, t in written.values()]
    owners: dict[str, set[str]] = {}
    for slug, aliases in names:
        for name in (slug, *aliases):
            owners.setdefault(name.casefold(), set()).add(slug)
    slugs = {slug for slug, _ in names}
    warnings = []
    for file, topic in written.values():
        for alias in topic.aliases:
            others = owners.get(alias.casefold(), set()) - {topic.slug}
            if others:
                warnings.append(FileProblem(file, f"alias '{alias}' is also a name of '{sorted(others)[0]}'"))
        warnings += [FileProblem(file, f"related topic '{r}' does not exist") for r in topic.related if r not in slugs]
    return warnings
