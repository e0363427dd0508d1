"""The entry point as an admin meets it: bad settings give one line and exit code 2."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "LOG_LEVEL"))}
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
    assert "DISCORD_TOKEN is not set" in result.stderr


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
    assert "no database at" in result.stderr
