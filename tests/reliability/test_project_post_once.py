"""One project, one post, one thread: the announce form submitted twice at once, two forms racing, a
5xx after Discord made the post. The real bot against the stand-in with a real SQLite file."""

import asyncio
import sqlite3

import pytest
from _support import JOB_BOARD, answer_text, project_posts

pytestmark = pytest.mark.asyncio

MESSAGES = "/channels/{channel_id}/messages"


def project_threads(nexus):
    return [t for t in nexus.standin.threads if t.name == JOB_BOARD["title"]]


def stored_post(nexus):
    with sqlite3.connect(nexus.db_path) as db:
        return db.execute("SELECT message_id, thread_id FROM projects WHERE status = 'active'").fetchall()


async def test_one_form_submitted_twice_at_once_posts_once_with_one_thread(server, settled):
    standin = server.standin
    opened = await standin.invoke("ada", "project announce", {"track": "job-board"})
    first, second = await asyncio.gather(standin.submit_modal("ada", opened.modal, JOB_BOARD),
                                         standin.submit_modal("ada", opened.modal, JOB_BOARD))
    await asyncio.gather(first.wait_done(), second.wait_done())
    await settled(server.bot)

    [post] = project_posts(server)
    [thread] = project_threads(server)
    assert thread.message_id == post.id
    assert stored_post(server) == [(post.id, thread.id)]
    for reply in (first, second):  # both told where the one post is
        assert reply.ephemeral and f"/{post.channel_id}/{post.id}" in answer_text(reply)


async def test_two_forms_racing_post_once(server, settled):
    standin = server.standin
    forms = [await standin.invoke("ada", "project announce", {"track": "job-board"}) for _ in range(3)]
    replies = await asyncio.gather(*(standin.submit_modal("ada", form.modal, JOB_BOARD) for form in forms))
    await asyncio.gather(*(reply.wait_done() for reply in replies))
    await settled(server.bot)
    assert len(project_posts(server)) == 1 and len(project_threads(server)) == 1


async def test_a_form_submitted_while_the_first_post_opens_its_thread_posts_nothing(server, settled):
    """The window that doubled posts under load: the first form's message is made and its thread
    still opening (a 429 makes discord.py wait a second) when the second form arrives."""
    standin = server.standin
    forms = [await standin.invoke("ada", "project announce", {"track": "job-board"}) for _ in range(2)]
    standin.fail_next("POST", MESSAGES + "/{message_id}/threads", status=429, retry_after=1.5)
    first = await standin.submit_modal("ada", forms[0].modal, JOB_BOARD)
    for _ in range(100):
        if project_posts(server):
            break
        await asyncio.sleep(0.02)
    assert project_posts(server) and not project_threads(server)  # the thread is still being opened
    second = await standin.submit_modal("ada", forms[1].modal, JOB_BOARD)
    await asyncio.gather(first.wait_done(timeout=15), second.wait_done(timeout=15))
    await settled(server.bot)
    [post] = project_posts(server)
    [thread] = project_threads(server)
    assert thread.message_id == post.id and stored_post(server) == [(post.id, thread.id)]
    assert f"/{post.channel_id}/{post.id}" in answer_text(second)


async def test_a_5xx_after_discord_made_the_post_makes_no_second_post(server, settled):
    standin = server.standin
    standin.fail_next("POST", MESSAGES, status=502, after_handler=True)
    opened = await standin.invoke("ada", "project announce", {"track": "job-board"})
    reply = await (await standin.submit_modal("ada", opened.modal, JOB_BOARD)).wait_done(timeout=15)
    await settled(server.bot)
    [post] = project_posts(server)
    assert f"/{post.channel_id}/{post.id}" in answer_text(reply)
    sends = [r for r in standin.requests if r.method == "POST" and r.route == MESSAGES and "📣" in str(r.json)]
    assert [r.status for r in sends] == [502, 200] and len({r.json["nonce"] for r in sends}) == 1
    assert r"enforce_nonce" in sends[0].json and sends[0].json["enforce_nonce"] is True
