"""The Server Members intent: an application whose intent is switched off in the Developer Portal is
refused by Discord at login (close code 4014), and `python -m bot run` says so in one line, with how
to fix it, exit code 2 and no traceback."""

import asyncio
import os
import sys
from pathlib import Path

import pytest

from sandbox.standin import StandIn

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]
PROCESS_SITE = Path(__file__).resolve().parent / "process_site"  # no network beyond loopback in the child


async def run_bot_process(env: dict[str, str], seconds: float = 90) -> tuple[int, str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DISCORD_", "DATABASE_", "KNOWLEDGE_", "NEXUS_", "DEFAULT_TIMEZONE"))}
    clean.update(PYTHONPATH=os.pathsep.join([str(PROCESS_SITE), str(ROOT)]), PYTHONDONTWRITEBYTECODE="1",
                 LOG_LEVEL="INFO", **env)
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=clean,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail(f"`python -m bot run` did not stop within {seconds} s: Discord refused nothing")
    return process.returncode or 0, stderr.decode()


async def test_a_refused_members_intent_stops_start_up_with_one_line_saying_how_to_fix_it(tmp_path):
    async with StandIn() as standin:
        standin.allow_members_intent(False)
        code, stderr = await run_bot_process({
            "DISCORD_TOKEN": standin.token, "DISCORD_API_BASE_URL": standin.api_base_url,
            "DISCORD_GATEWAY_URL": standin.gateway_url, "DATABASE_PATH": str(tmp_path / "nexus.db")})
    assert code == 2, stderr
    [line] = stderr.strip().splitlines()
    assert line.startswith("nexus: ") and "Traceback" not in stderr
    assert "(4014)" in line and "Developer Portal" in line
    assert "switch on Server Members Intent under Bot → Privileged Gateway Intents" in line
    assert standin.sessions_started == 0


async def test_the_stand_in_accepts_a_bot_without_the_members_intent_when_it_is_switched_off():
    import discord

    async with StandIn() as standin:
        standin.allow_members_intent(False)
        client = discord.Client(intents=discord.Intents(guilds=True))
        from bot.endpoints import use_discord_endpoints

        use_discord_endpoints(standin.api_base_url, standin.gateway_url)
        task = asyncio.create_task(client.start(standin.token))
        try:
            await asyncio.wait_for(client.wait_until_ready(), 30)
            assert standin.sessions_started == 1
        finally:
            await client.close()
            await asyncio.gather(task, return_exceptions=True)
