"""When the database can't write: another process holds it (busy), its disk is full, or its file is
read-only. The member gets one plain private line in time, never an error id; what they typed is
kept; the admin sees why in /nexus status and the log names the cause and the file; nothing is
half-written. The real bot against the stand-in with a real SQLite file."""

import asyncio
import logging
import sqlite3
import time

import pytest
from _support import JOB_BOARD, answer_text, project_posts

pytestmark = pytest.mark.asyncio

def projects_stored(nexus):
    with sqlite3.connect(nexus.db_path) as db:
        return db.execute("SELECT title FROM projects WHERE guild_id = ?", (nexus.standin.guild.id,)).fetchall()


class OtherProcess:
    """Another program holding the database's write lock (`BEGIN IMMEDIATE` on its own connection)."""

    def __init__(self, path):
        self.db = sqlite3.connect(path, isolation_level=None, timeout=0)

    def lock(self):
        self.db.execute("BEGIN IMMEDIATE")

    def release(self):
        self.db.execute("ROLLBACK")
        self.db.close()


async def submit_announce(standin, values=JOB_BOARD):
    opened = await standin.invoke("ada", "project announce", {"track": "job-board"})
    return await (await standin.submit_modal("ada", opened.modal, values)).wait_done(timeout=10)


async def test_a_database_locked_by_another_process_gets_a_plain_answer_in_time_and_keeps_the_form(server):
    standin = server.standin
    other = OtherProcess(server.db_path)
    other.lock()
    try:
        started = time.monotonic()
        reply = await submit_announce(standin)
        assert time.monotonic() - started < 3.5  # answered within Discord's time, not "did not respond"
        text = answer_text(reply)
        assert reply.ephemeral and "Nexus is busy" in text and "What you wrote is kept" in text
        assert "Error id" not in text
        status = await standin.invoke("ada", "pair status")  # reads still answer while it is locked
        assert status.message is not None
    finally:
        other.release()
    assert projects_stored(server) == [] and project_posts(server) == []  # nothing half-written

    reopened = await standin.invoke("ada", "project announce", {"track": "job-board"})
    assert reopened.modal.field("title").value == JOB_BOARD["title"]  # every word kept
    assert reopened.modal.field("description").value == JOB_BOARD["description"]
    done = await (await standin.submit_modal("ada", reopened.modal, {})).wait_done()
    assert "Your project is announced" in answer_text(done) and len(project_posts(server)) == 1


async def test_a_database_locked_for_a_moment_is_simply_waited_for(server):
    other = OtherProcess(server.db_path)
    other.lock()
    asyncio.get_running_loop().call_later(0.4, other.release)
    reply = await submit_announce(server.standin)
    assert "Your project is announced" in answer_text(reply)
    assert projects_stored(server) == [(JOB_BOARD["title"],)]


async def test_a_command_writing_to_a_locked_database_says_so_plainly(server):
    other = OtherProcess(server.db_path)
    other.lock()
    try:
        reply = await server.standin.invoke("ada", "pair queue join", timeout=10)
        assert reply.ephemeral and "Nexus is busy" in reply.message.text and "Error id" not in reply.message.text
    finally:
        other.release()
    reply = await server.standin.invoke("ada", "pair queue join")
    assert "You're in the queue" in reply.message.text


@pytest.mark.parametrize(("fault", "cause"), [
    ("PRAGMA query_only = ON", "the database file is read-only"),
    ("full", "the disk is full"),
])
async def test_a_full_disk_or_a_read_only_file_is_one_clear_line_a_log_line_and_a_status_line(
        server, caplog, monkeypatch, fault, cause):
    standin, bot = server.standin, server.bot
    database = bot.services._db
    values = dict(JOB_BOARD, description="x" * 1000)
    if fault == "full":
        # SQLite answers SQLITE_FULL exactly as for a full disk once the file may not grow: the file
        # is let grow a little, then filled (as another server's withdrawn projects) to the brim.
        (pages,) = await database.fetchone("PRAGMA page_count")
        await database.fetchall(f"PRAGMA max_page_count = {pages + 4}")
        with pytest.raises(sqlite3.OperationalError, match="full"):
            for filler in range(10_000):
                await database._conn.execute(
                    "INSERT INTO projects (guild_id, owner_id, title, track, description, discipline, status, "
                    "created_at, updated_at) VALUES (1, ?, 'filler', 'other', ?, 'backend', 'withdrawn', '', '')",
                    (filler, "f" * 1000))
    else:
        await database.fetchall(fault)
    caplog.set_level(logging.ERROR, logger="bot.db.sqlite.database")

    for _ in range(2):
        reply = await submit_announce(standin, values)
        text = answer_text(reply)
        assert reply.ephemeral and f"Nexus can't save anything right now: {cause}" in text, text
        assert "What you wrote is kept" in text and "Error id" not in text
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(said) == 1 and cause in said[0] and str(server.db_path) in said[0]  # once, with the path
    status = (await standin.invoke("mentor", "nexus status")).message.text
    assert f"The database can't be written: {cause} ({server.db_path})" in status
    assert projects_stored(server) == []

    # The admin frees the disk (or fixes the file): it recovers by itself, the text still there.
    monkeypatch.setattr("bot.db.sqlite.database.RECOVERY_QUIET", 0.0)  # not a minute of writes first, in a test
    if fault == "full":
        await database.fetchall("PRAGMA max_page_count = 1073741823")
    else:
        await database.fetchall("PRAGMA query_only = OFF")
    reopened = await standin.invoke("ada", "project announce", {"track": "job-board"})
    assert reopened.modal.field("title").value == JOB_BOARD["title"]
    assert reopened.modal.field("description").value == values["description"]
    done = await (await standin.submit_modal("ada", reopened.modal, {})).wait_done()
    assert "Your project is announced" in answer_text(done)
    status = (await standin.invoke("mentor", "nexus status")).message.text
    assert "can't be written" not in status


async def test_a_prompt_form_sent_to_a_locked_database_is_kept_and_reopens_as_written(server):
    standin = server.standin
    opened = await standin.invoke("mentor", "prompts add",
                                  {"key": "tuesday-tips", "weekday": "tuesday", "time": "10:00"})
    typed = "Tip of week {week}: share one thing you learned."
    other = OtherProcess(server.db_path)
    other.lock()
    try:
        refused = await standin.submit_modal("mentor", opened.modal, {"key": "tuesday-tips", "text": typed})
        assert refused.ephemeral and "Nexus is busy" in refused.message.text
        assert "What you wrote is kept" in refused.message.text and "Error id" not in refused.message.text
    finally:
        other.release()
    [edit] = [b["custom_id"] for b in refused.message.buttons if b["custom_id"].startswith("nexus:prompts:form:")]
    reopened = await standin.click("mentor", refused.message, edit)
    assert reopened.modal.field("text").value == typed
    saved = await standin.submit_modal("mentor", reopened.modal, {})
    assert "Added tuesday-tips" in saved.message.text
