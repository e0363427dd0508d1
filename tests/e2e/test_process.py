"""The bot as its own process, as an admin runs it: `python -m bot run` and `python -m bot sandbox`.

Every child runs with process_site/sitecustomize.py: no network beyond loopback (an unresolvable name
fails at once, DNS or not) and, when asked, a read-only disk but for the folders named.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox.standin import StandIn

ROOT = Path(__file__).resolve().parents[2]
PROCESS_SITE = Path(__file__).resolve().parent / "process_site"
TOKEN = "MTA5.abcdefghijklmnop.qrstuvwxyz0123456789"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "DATABASE_", "KNOWLEDGE_", "NEXUS_", "DEFAULT_TIMEZONE"))}
    env.update(PYTHONPATH=os.pathsep.join([str(PROCESS_SITE), str(ROOT)]), PYTHONDONTWRITEBYTECODE="1",
               LOG_LEVEL="INFO", **extra)
    return env


async def _run_until_exit(
    *args: str, env: dict[str, str], cwd: Path = ROOT, seconds: float = 90
) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail(f"`python -m bot {' '.join(args)}` did not stop within {seconds} s")
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def _assert_one_line(code: int, stdout: str, stderr: str, *expected: str) -> None:
    assert code == 2, stdout + stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("nexus: ")
    for text in expected:
        assert text in lines[0]
    assert "Traceback" not in stdout + stderr


def _healthcheck(database: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "healthcheck"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env=_env(DATABASE_PATH=str(database)))


def _wait_for_file(path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"{path} did not appear within {seconds} s")
        time.sleep(0.05)


def _free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_sigterm_shuts_down_cleanly_and_closes_the_database(tmp_path):
    db_path = tmp_path / "nexus.db"
    async with StandIn() as standin:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, stdout=asyncio.subprocess.PIPE,
            env=_env(DISCORD_TOKEN=standin.token, DISCORD_GUILD_ID=str(standin.guild.id),
                     DISCORD_API_BASE_URL=standin.api_base_url, DISCORD_GATEWAY_URL=standin.gateway_url,
                     DATABASE_PATH=str(db_path)),
        )
        try:
            await standin.wait_until_ready(timeout=60)
            await standin.wait_for_commands(timeout=60)
            reply = await standin.invoke("ada", "help", timeout=10)
            assert "Nexus" in reply.message.text
            assert (tmp_path / "nexus.db-wal").exists()  # the bot holds the database open in WAL mode
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
        log = (await process.stdout.read()).decode()
    assert code == 0, log
    assert "shutting down on signal" in log
    assert standin.token not in log
    # The last connection to close checkpoints and removes the WAL: the database was closed.
    assert not (tmp_path / "nexus.db-wal").exists()
    assert "Traceback" not in log


async def test_a_second_nexus_on_the_same_database_is_refused_in_one_line_and_the_first_keeps_answering(tmp_path):
    db_path = tmp_path / "nexus.db"
    async with StandIn() as standin:
        env = _env(DISCORD_TOKEN=standin.token, DISCORD_GUILD_ID=str(standin.guild.id),
                   DISCORD_API_BASE_URL=standin.api_base_url, DISCORD_GATEWAY_URL=standin.gateway_url,
                   DATABASE_PATH=str(db_path))
        first = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT,
                                                     stdout=asyncio.subprocess.DEVNULL, env=env)
        try:
            await standin.wait_until_ready(timeout=60)
            await standin.wait_for_commands(timeout=60)
            code, stdout, stderr = await _run_until_exit("run", env=env, seconds=60)
            _assert_one_line(code, stdout, stderr, "another Nexus", f"process {first.pid}", str(db_path))
            assert standin.sessions_started == 1  # the second never logged in to Discord
            reply = await standin.invoke("ada", "help", timeout=10)
            assert "Nexus" in reply.message.text  # the first goes on, untroubled
            code, _, stderr = await _run_until_exit("db", "backup", str(tmp_path / "copy.db"), env=env, seconds=60)
            assert code == 0, stderr  # maintenance still works beside the bot
        finally:
            first.kill()
            await first.wait()
        # kill -9 leaves no stale lock: the next start is let in.
        unreachable = dict(env, DISCORD_API_BASE_URL="http://127.0.0.1:9/api/v10")
        code, stdout, stderr = await _run_until_exit("run", env=unreachable, seconds=60)
        assert "another Nexus" not in stderr


async def test_the_sandbox_replays_a_script(tmp_path):
    script = tmp_path / "demo.txt"
    script.write_text(
        "/nexus setup channel:#prodevprojectnexus timezone:Africa/Lagos\n"
        "as ada\n"
        '/topic query query:"my celery task runs twice"\n'
        "/nexus status\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--script", str(script), cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=_env(COLUMNS="120"),
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    out = stdout.decode()
    assert process.returncode == 0, stderr.decode()
    assert "Nexus is set up" in out
    assert "Nexus is here" in out  # the introduction posted in the channel
    assert "Celery" in out
    assert "Manage Server" in out  # ada is refused /nexus status


async def test_the_shipped_demo_script_runs_without_errors(tmp_path):
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--script", str(ROOT / "data" / "sandbox-demo.txt"), cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=_env(COLUMNS="120"),
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, stdout.decode()[-2000:] + stderr.decode()
    out = stdout.decode()
    assert "prefetch_related" in out
    # The tour shows pairing: find, a request answered from the DMs, the pair's thread, a dry run and a round.
    assert "private thread opened in #prodevprojectnexus: “Pair · ada & ben” (members: nexus, ada, ben)" in out
    assert "Dry run: 1 pair" in out and "🤝 Pairing round: 1 new pair" in out


async def test_a_failing_script_line_makes_the_sandbox_exit_1(tmp_path):
    script = tmp_path / "bad.txt"
    script.write_text("/nexus sertup channel:#prodevprojectnexus\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--script", str(script), cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=_env(COLUMNS="120"),
    )
    stdout, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 1
    assert "nexus setup" in stdout.decode()  # the closest command is suggested


async def test_a_corrupt_database_stops_start_up_with_one_line_and_leaves_the_file(tmp_path):
    db_path = tmp_path / "nexus.db"
    garbage = b"not a database at all " * 300
    db_path.write_bytes(garbage)
    async with StandIn() as standin:
        result = await _run_until_exit("run", env=_env(
            DISCORD_TOKEN=standin.token, DISCORD_API_BASE_URL=standin.api_base_url,
            DISCORD_GATEWAY_URL=standin.gateway_url, DATABASE_PATH=str(db_path)))
    _assert_one_line(*result, "DATABASE_PATH: database", str(db_path))
    assert db_path.read_bytes() == garbage
    assert standin.requests == []  # refused before logging in


# -- every failure to reach Discord: one line naming what failed, exit code 2 ----------------------

async def test_an_api_host_that_does_not_resolve_is_named(tmp_path):
    result = await _run_until_exit("run", env=_env(
        DISCORD_TOKEN=TOKEN, DISCORD_API_BASE_URL="https://discord.nexus.invalid/api/v10",
        DATABASE_PATH=str(tmp_path / "nexus.db")))
    _assert_one_line(
        *result, "at https://discord.nexus.invalid/api/v10: the name discord.nexus.invalid does not resolve"
    )


async def test_a_refused_connection_is_named(tmp_path):
    port = _free_port()
    result = await _run_until_exit("run", env=_env(
        DISCORD_TOKEN=TOKEN, DISCORD_API_BASE_URL=f"http://127.0.0.1:{port}", DATABASE_PATH=str(tmp_path / "nexus.db")))
    _assert_one_line(*result, f"http://127.0.0.1:{port}/api/v10", "connection refused")


async def test_an_api_url_that_answers_404_is_named(tmp_path):
    async with StandIn() as standin:  # serves /api/v10; anything else is a JSON 404, as on discord.com
        wrong = standin.api_base_url.replace("/api/v10", "/discord/v10")
        result = await _run_until_exit("run", env=_env(
            DISCORD_TOKEN=standin.token, DISCORD_API_BASE_URL=wrong, DATABASE_PATH=str(tmp_path / "nexus.db")))
    _assert_one_line(*result, f"the Discord API at {wrong} answered 404", "GET /users/@me", "DISCORD_API_BASE_URL")


async def test_a_token_rest_refuses_is_named(tmp_path):
    async with StandIn() as standin:
        result = await _run_until_exit("run", env=_env(
            DISCORD_TOKEN=TOKEN, DISCORD_API_BASE_URL=standin.api_base_url, DISCORD_GATEWAY_URL=standin.gateway_url,
            DATABASE_PATH=str(tmp_path / "nexus.db")))
    _assert_one_line(*result, "Discord refused the token (401): DISCORD_TOKEN")
    assert TOKEN not in result[1] + result[2]


async def test_a_server_id_the_bot_is_not_in_is_named(tmp_path):
    async with StandIn() as standin:
        result = await _run_until_exit("run", env=_env(
            DISCORD_TOKEN=standin.token, DISCORD_GUILD_ID="123456789012345678",
            DISCORD_API_BASE_URL=standin.api_base_url, DISCORD_GATEWAY_URL=standin.gateway_url,
            DATABASE_PATH=str(tmp_path / "nexus.db")))
    _assert_one_line(*result, "/guilds/123456789012345678/commands", "DISCORD_GUILD_ID=123456789012345678")


@pytest.mark.parametrize(
    ("close_code", "says"),
    [
        (4004, "Discord refused the token (4004): DISCORD_TOKEN"),
        (4014, "an intent is not enabled in the Developer Portal (4014): "),
    ],
)
async def test_the_gateway_refusing_the_bot_is_named(tmp_path, close_code, says):
    async with StandIn() as standin:
        standin.refuse_identify(close_code)
        result = await _run_until_exit("run", env=_env(
            DISCORD_TOKEN=standin.token, DISCORD_API_BASE_URL=standin.api_base_url,
            DISCORD_GATEWAY_URL=standin.gateway_url, DATABASE_PATH=str(tmp_path / "nexus.db")))
    _assert_one_line(*result, says)
    assert standin.sessions_started == 0


async def test_a_bad_database_path_is_told_before_discord_is_tried(tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the database folder should be")
    result = await _run_until_exit("run", env=_env(
        DISCORD_TOKEN=TOKEN, DISCORD_API_BASE_URL=f"http://127.0.0.1:{_free_port()}",
        DATABASE_PATH=str(blocker / "nexus.db")))
    _assert_one_line(*result, "DATABASE_PATH: cannot create the folder", str(blocker))


# -- the heartbeat: beside the database, per bot, none from the sandbox ---------------------------

async def test_a_real_run_beats_beside_its_database_while_everything_else_is_read_only(tmp_path):
    data, app = tmp_path / "data", tmp_path / "app"
    data.mkdir()
    app.mkdir()
    db_path = data / "nexus.db"
    env = _env(NEXUS_TEST_WRITABLE=str(data), DATABASE_PATH=str(db_path))
    # The harness really makes the rest read-only: a write outside data/ fails as in the container.
    probe = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", f"open({str(app / 'probe')!r}, 'w')"],
                                    env=env, capture_output=True, text=True, timeout=60)
    assert "Read-only file system" in probe.stderr
    async with StandIn() as standin:
        env.update(DISCORD_TOKEN=standin.token, DISCORD_GUILD_ID=str(standin.guild.id),
                   DISCORD_API_BASE_URL=standin.api_base_url, DISCORD_GATEWAY_URL=standin.gateway_url)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=app, env=env, stdout=asyncio.subprocess.PIPE)
        try:
            await standin.wait_until_ready(timeout=60)
            await standin.wait_for_commands(timeout=60)
            reply = await standin.invoke("ada", "help", timeout=10)
            assert "Nexus" in reply.message.text
            await asyncio.to_thread(_wait_for_file, data / "nexus.db.heartbeat")
            assert (await asyncio.to_thread(_healthcheck, db_path)).returncode == 0
            other = await asyncio.to_thread(_healthcheck, tmp_path / "elsewhere" / "nexus.db")
            assert other.returncode == 1 and "no heartbeat" in other.stderr  # another bot's health is not ours
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
        log = (await process.stdout.read()).decode()
    assert code == 0, log
    assert "cannot write" not in log
    assert list(app.iterdir()) == []
    assert (await asyncio.to_thread(_healthcheck, db_path)).returncode == 1  # stopped: unhealthy at once


async def test_a_sandbox_run_leaves_the_health_check_unhealthy(tmp_path):
    script = tmp_path / "demo.txt"
    script.write_text("/nexus status\n")
    db_path = tmp_path / "sandbox" / "nexus.db"
    code, stdout, stderr = await _run_until_exit("sandbox", "--script", str(script), "--db", str(db_path),
                                                 cwd=tmp_path, env=_env(COLUMNS="120"), seconds=120)
    assert code == 0, stdout + stderr
    assert db_path.exists()
    assert not list(db_path.parent.glob("*.heartbeat"))
    result = await asyncio.to_thread(_healthcheck, db_path)
    assert result.returncode == 1
    assert "no heartbeat" in result.stderr
