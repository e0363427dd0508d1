"""Pairing's rows as models, and the statements both engines run alike (bot/db/sqlite/pairing.py,
bot/db/postgres/pairing.py)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from bot.clock import from_db_time
from bot.db.common import StoredRow
from bot.pairing.records import Pair, PairRequest, PairSource, Profile, QueueEntry, RequestStatus
from bot.projects.model import Discipline

INSERT_PAIR = (
    "INSERT INTO pairs (guild_id, backend_id, frontend_id, source, request_id, round_id, fit_reasons, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *")
INSERT_PAIR_MEMBER = "INSERT INTO pair_members (guild_id, member_id, pair_id) VALUES (?, ?, ?)"
# The two of a new pair: out of the queue, and told again why should a later round leave them unmatched.
DEQUEUE_PAIRED = "DELETE FROM pair_queue WHERE guild_id = ? AND user_id IN (?, ?)"
FORGET_UNMATCHED_TOLD = "DELETE FROM pair_unmatched_told WHERE guild_id = ? AND member_id IN (?, ?)"
SAVE_PROFILE = (
    "INSERT INTO member_profiles (guild_id, user_id, discipline, timezone, skills, availability, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
    "discipline = excluded.discipline, timezone = excluded.timezone, skills = excluded.skills, "
    "availability = excluded.availability, updated_at = excluded.updated_at")
INSERT_REQUEST = (
    "INSERT INTO pair_requests (guild_id, requester_id, target_id, note, created_at, expires_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *")


def stored_time(value: str | None) -> datetime | None:
    return from_db_time(value) if value else None


def profile_from_row(row: StoredRow) -> Profile:
    return Profile(row["guild_id"], row["user_id"], cast(Discipline | None, row["discipline"]), row["timezone"],
                   row["skills"], row["availability"], from_db_time(row["updated_at"]))


def request_from_row(row: StoredRow) -> PairRequest:
    return PairRequest(
        id=row["id"], guild_id=row["guild_id"], requester_id=row["requester_id"], target_id=row["target_id"],
        note=row["note"], status=cast(RequestStatus, row["status"]), channel_id=row["channel_id"],
        message_id=row["message_id"], delivered_in=row["delivered_in"],
        created_at=from_db_time(row["created_at"]),
        expires_at=from_db_time(row["expires_at"]), decided_at=stored_time(row["decided_at"]),
    )


def pair_from_row(row: StoredRow) -> Pair:
    return Pair(
        id=row["id"], guild_id=row["guild_id"], backend_id=row["backend_id"], frontend_id=row["frontend_id"],
        source=cast(PairSource, row["source"]), request_id=row["request_id"], round_id=row["round_id"],
        thread_id=row["thread_id"], message_id=row["message_id"], fit_reasons=row["fit_reasons"],
        created_at=from_db_time(row["created_at"]), ended_at=stored_time(row["ended_at"]), ended_by=row["ended_by"],
        end_reason=row["end_reason"],
    )


def queue_entry_from_row(row: StoredRow) -> QueueEntry:
    return QueueEntry(row["guild_id"], row["user_id"], from_db_time(row["joined_at"]), row["via"])


def counts_from_row(row: StoredRow | None) -> tuple[int, int, int]:
    """(active pairs, members queued, open requests), the three columns of the counts query."""
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])
