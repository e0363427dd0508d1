"""The bot as its own process, as an admin runs it: `python -m bot run` and `python -m bot sandbox`."""

import asyncio
import os
import signal
import sys
from pathlib import Path

from sandbox.standin import StandIn

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env.update(PYTHONPATH=str(ROOT), LOG_LEVEL="INFO", **extra)
    return env


async def test_sigterm_shuts_down_cleanly_and_closes_the_database(tmp_path):
    db_path = tmp_path / "nexus.db"
    async with StandIn() as standin:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, stderr=asyncio.subprocess.PIPE,
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
        log = (await process.stderr.read()).decode()
    assert code == 0, log
    assert "shutting down on signal" in log
    assert standin.token not in log
    # The last connection to close checkpoints and removes the WAL: the database was closed.
    assert not (tmp_path / "nexus.db-wal").exists()
    assert "Traceback" not in log


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
    assert "prefetch_related" in stdout.decode()


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
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, stderr=asyncio.subprocess.PIPE,
            env=_env(DISCORD_TOKEN=standin.token, DISCORD_API_BASE_URL=standin.api_base_url,
                     DISCORD_GATEWAY_URL=standin.gateway_url, DATABASE_PATH=str(db_path)),
        )
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    last = stderr.decode().strip().splitlines()[-1]
    assert last.startswith("nexus: database") and str(db_path) in last
    assert "Traceback" not in stderr.decode()
    assert db_path.read_bytes() == garbage
