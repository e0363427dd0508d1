"""The entry point as an admin meets it: bad settings give one line and exit code 2."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DISCORD_", "DATABASE_", "LOG_LEVEL", "KNOWLEDGE_", "DEFAULT_TIMEZONE"))}
    clean.update(env)
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "bot", *args], env=clean, cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def test_a_bad_setting_stops_with_one_line_and_exit_2(tmp_path):
    result = run_cli("run", env={"DEFAULT_TIMEZONE": "Mars/Olympus"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "DEFAULT_TIMEZONE" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_a_token_says_what_to_do(tmp_path):
    result = run_cli("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "DISCORD_TOKEN is not set: give the bot's token in the DISCORD_TOKEN environment variable" in result.stderr
    assert ".env" not in result.stderr  # a container has no .env: the variable is what to set


def test_every_bad_setting_is_one_line_of_its_own(tmp_path):
    result = run_cli("run", env={"DISCORD_TOKEN": "abc", "DEFAULT_TIMEZONE": "America", "LOG_LEVEL": "LOUD"},
                     cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["DISCORD_TOKEN", "LOG_LEVEL", "DEFAULT_TIMEZONE"]
    assert all(line.startswith("nexus: ") for line in lines)
    assert "too short" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("make_folder", [False, True])
def test_a_missing_or_empty_knowledge_dir_stops_start_up_naming_the_folder(tmp_path, make_folder):
    folder = tmp_path / "knowledge"
    if make_folder:
        folder.mkdir()
    result = run_cli("run", env={"DISCORD_TOKEN": "MTA5.abcdefghijklmnop.qrstuvwxyz", "KNOWLEDGE_DIR": str(folder),
                                 "DATABASE_PATH": str(tmp_path / "nexus.db")}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith(f"nexus: KNOWLEDGE_DIR: the folder {folder} ")
    assert not (tmp_path / "nexus.db").exists()  # stopped before anything else


def _beat(database: Path, seconds_ago: float) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    (database.parent / f"{database.name}.heartbeat").write_text(str(time.time() - seconds_ago))


def test_healthcheck_is_healthy_while_the_bot_of_this_database_beats(tmp_path):
    database = tmp_path / "data" / "nexus.db"
    _beat(database, seconds_ago=5)
    result = run_cli("healthcheck", env={"DATABASE_PATH": str(database)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_healthcheck_finds_the_database_of_the_env_file(tmp_path):
    database = tmp_path / "data" / "nexus.db"
    _beat(database, seconds_ago=5)
    (tmp_path / ".env").write_text(f"DATABASE_PATH={database}\nDISCORD_TOKEN=abc\n")  # a bad token does not matter
    result = run_cli("healthcheck", env={}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_healthcheck_ignores_the_heartbeat_of_another_bot(tmp_path):
    _beat(tmp_path / "other" / "nexus.db", seconds_ago=5)
    database = tmp_path / "data" / "nexus.db"
    result = run_cli("healthcheck", env={"DATABASE_PATH": str(database)}, cwd=tmp_path)
    assert result.returncode == 1
    assert f"no heartbeat at {database}.heartbeat" in result.stderr


def test_healthcheck_is_unhealthy_when_the_heartbeat_is_stale(tmp_path):
    database = tmp_path / "nexus.db"
    _beat(database, seconds_ago=600)
    result = run_cli("healthcheck", env={"DATABASE_PATH": str(database)}, cwd=tmp_path)
    assert result.returncode == 1
    assert "unhealthy: last heartbeat" in result.stderr and f"{database}.heartbeat" in result.stderr


def test_backup_command_copies_the_database(tmp_path):
    import sqlite3

    db = tmp_path / "live.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
    result = run_cli("db", "backup", str(tmp_path / "copy.db"), env={"DATABASE_PATH": str(db)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "copy.db") as conn:
        assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]


def test_backup_of_a_missing_database_is_one_clear_line(tmp_path):
    result = run_cli("db", "backup", str(tmp_path / "copy.db"), env={"DATABASE_PATH": str(tmp_path / "no.db")},
                     cwd=tmp_path)
    assert result.returncode == 2
    assert f"nexus: DATABASE_PATH: no database at {tmp_path / 'no.db'}" in result.stderr
