import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import RedactSecrets, Secret, SettingsError, load_settings
from bot.endpoints import DISCORD_API_BASE_URL, DISCORD_GATEWAY_URL
from bot.shards import parse_shard_plan

TOKEN = "MTA5.abcdefghijklmnop.qrstuvwxyz0123456789"


def test_defaults_with_an_empty_environment():
    settings = load_settings({}, env_file=None)
    assert settings.discord.token is None
    assert settings.discord.guild_id is None
    assert settings.database.path == Path("data/nexus.db")
    assert settings.log_level == "INFO"
    assert settings.default_timezone == "UTC"
    assert settings.discord.api_base_url == DISCORD_API_BASE_URL
    assert settings.discord.gateway_url == DISCORD_GATEWAY_URL
    assert settings.pair_request_ttl == timedelta(hours=72)


def test_a_pair_request_lifetime_is_read_in_hours():
    assert load_settings({"PAIR_REQUEST_HOURS": "1.5"}, env_file=None).pair_request_ttl == timedelta(minutes=90)


def test_every_setting_is_read():
    settings = load_settings(
        {
            "DISCORD_TOKEN": TOKEN,
            "DISCORD_GUILD_ID": "123456789012345678",
            "DATABASE_PATH": "/data/nexus.db",
            "LOG_LEVEL": "debug",
            "DEFAULT_TIMEZONE": "Africa/Lagos",
            "DISCORD_API_BASE_URL": "http://127.0.0.1:8080",
            "DISCORD_GATEWAY_URL": "ws://127.0.0.1:8080/gateway",
        },
        env_file=None,
    )
    assert settings.discord.token is not None and settings.discord.token.reveal() == TOKEN
    assert settings.discord.guild_id == 123456789012345678
    assert settings.database.path == Path("/data/nexus.db")
    assert settings.log_level == "DEBUG"
    assert settings.default_timezone == "Africa/Lagos"
    assert settings.discord.api_base_url == "http://127.0.0.1:8080/api/v10"
    assert settings.discord.gateway_url == "ws://127.0.0.1:8080/gateway"


def test_env_file_is_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("LOG_LEVEL=WARNING\nDEFAULT_TIMEZONE=Europe/London\n")
    settings = load_settings({"LOG_LEVEL": "ERROR"}, env_file=env_file)
    assert settings.log_level == "ERROR"
    assert settings.default_timezone == "Europe/London"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("DISCORD_GUILD_ID", "my-server", "DISCORD_GUILD_ID: must be a Discord id"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: must be one of"),
        ("DEFAULT_TIMEZONE", "Lagos", "DEFAULT_TIMEZONE: unknown time zone 'Lagos'"),
        ("DISCORD_API_BASE_URL", "ftp://x", "DISCORD_API_BASE_URL: must be a http or https URL"),
        ("DISCORD_GATEWAY_URL", "https://x", "DISCORD_GATEWAY_URL: must be a ws or wss URL"),
        ("DISCORD_TOKEN", "Bot " + TOKEN, "DISCORD_TOKEN: give the token alone, without the 'Bot ' prefix"),
        ("DISCORD_TOKEN", "abc", "DISCORD_TOKEN: too short"),
        ("DISCORD_TOKEN", "MTA5.abc def.ghijklmnop", "DISCORD_TOKEN: a bot token has no spaces"),
        ("PAIR_REQUEST_HOURS", "three days", "PAIR_REQUEST_HOURS: must be a number of hours from 0.25 to 336"),
        ("PAIR_REQUEST_HOURS", "0", "PAIR_REQUEST_HOURS: must be a number of hours"),
    ],
)
def test_a_bad_value_names_the_setting(name, value, says):
    with pytest.raises(SettingsError) as info:
        load_settings({name: value}, env_file=None)
    assert says in str(info.value)
    assert "\n" not in str(info.value)


def test_the_token_never_shows_in_a_repr():
    settings = load_settings({"DISCORD_TOKEN": TOKEN}, env_file=None)
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings.discord.token)


def test_a_log_line_carrying_the_token_is_redacted(caplog):
    logger = logging.getLogger("test.redact")
    caplog.handler.addFilter(RedactSecrets(Secret(TOKEN)))
    with caplog.at_level(logging.INFO):
        logger.info("connecting with %s", TOKEN)
    assert TOKEN not in caplog.text
    assert "********" in caplog.text


@pytest.mark.parametrize("zone", ["Africa", "America", "Etc", "America/Argentina", "Africa/", "Lagos" * 60])
def test_a_region_or_an_overlong_default_timezone_is_a_settings_error(zone):
    # Each of these made ZoneInfo raise IsADirectoryError or "File name too long" past the check.
    with pytest.raises(SettingsError) as info:
        load_settings({"DEFAULT_TIMEZONE": zone}, env_file=None)
    assert str(info.value).startswith("DEFAULT_TIMEZONE: ")
    assert "\n" not in str(info.value)
    assert len(str(info.value)) < 200


def test_a_region_gets_a_zone_inside_it_as_an_example():
    with pytest.raises(SettingsError) as info:
        load_settings({"DEFAULT_TIMEZONE": "America/Argentina"}, env_file=None)
    assert "is a region" in str(info.value)
    assert "America/Argentina/" in str(info.value)


def test_every_bad_setting_is_reported_at_once_one_line_each(tmp_path):
    with pytest.raises(SettingsError) as info:
        load_settings(
            {
                "DISCORD_TOKEN": "abc",
                "DISCORD_GUILD_ID": "my-server",
                "LOG_LEVEL": "LOUD",
                "DEFAULT_TIMEZONE": "Africa",
                "DISCORD_GATEWAY_URL": "https://x",
                "KNOWLEDGE_DIR": str(tmp_path / "nowhere"),
            },
            env_file=None,
        )
    lines = str(info.value).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "DISCORD_TOKEN", "DISCORD_GUILD_ID", "DISCORD_GATEWAY_URL", "LOG_LEVEL", "DEFAULT_TIMEZONE", "KNOWLEDGE_DIR",
    ]
    assert info.value.problems == lines


def test_a_missing_knowledge_folder_is_named(tmp_path):
    missing = tmp_path / "knowledge"
    with pytest.raises(SettingsError) as info:
        load_settings({"KNOWLEDGE_DIR": str(missing)}, env_file=None)
    assert str(info.value).startswith("KNOWLEDGE_DIR: ")
    assert f"{missing} does not exist" in str(info.value)


def test_a_knowledge_folder_without_topic_files_is_named(tmp_path):
    (tmp_path / "README.txt").write_text("topics go here")
    with pytest.raises(SettingsError) as info:
        load_settings({"KNOWLEDGE_DIR": str(tmp_path)}, env_file=None)
    assert f"{tmp_path} holds no topic files (*.md)" in str(info.value)


def test_a_knowledge_folder_with_a_topic_file_is_accepted(tmp_path):
    (tmp_path / "celery.md").write_text("+++\n+++\n")
    assert load_settings({"KNOWLEDGE_DIR": str(tmp_path)}, env_file=None).knowledge_dir == tmp_path


# --- shards -------------------------------------------------------------------------------------

def test_without_shard_settings_one_process_holds_every_server():
    assert load_settings({}, env_file=None).shards is None


@pytest.mark.parametrize(("count", "ids", "held"), [
    ("4", "", (0, 1, 2, 3)), ("4", "0-1", (0, 1)), ("8", "0, 2,5-6", (0, 2, 5, 6)), ("2", "1", (1,)),
])
def test_shard_ids_take_numbers_and_ranges(count, ids, held):
    settings = load_settings({"SHARD_COUNT": count, "SHARD_IDS": ids,
                              "DATABASE_URL": "postgresql://nexus@db/nexus"}, env_file=None)
    assert settings.shards is not None and settings.shards.ids == held and settings.shards.count == int(count)


@pytest.mark.parametrize(("env", "says"), [
    ({"SHARD_IDS": "0-1"}, "SHARD_IDS needs SHARD_COUNT"),
    ({"SHARD_COUNT": "0"}, "SHARD_COUNT must be a whole number"),
    ({"SHARD_COUNT": "four"}, "SHARD_COUNT must be a whole number"),
    ({"SHARD_COUNT": "4", "SHARD_IDS": "2-5"}, "shard 5 does not exist with SHARD_COUNT=4"),
    ({"SHARD_COUNT": "4", "SHARD_IDS": "3-1"}, "runs backwards"),
    ({"SHARD_COUNT": "4", "SHARD_IDS": "a"}, "SHARD_IDS must be shard numbers and ranges"),
    ({"SHARD_COUNT": "4", "SHARD_IDS": "0-1"}, "set DATABASE_URL to a PostgreSQL database"),
])
def test_a_bad_shard_setting_is_one_line_naming_it(env, says):
    with pytest.raises(SettingsError) as refused:
        load_settings(env, env_file=None)
    [line] = refused.value.problems
    assert says in line, line


def test_a_server_belongs_to_the_shard_discord_gives_it():
    plan = parse_shard_plan("4", "1")
    assert plan is not None
    guild_on_shard_1 = (1 << 22) * 5 + 1  # (guild_id >> 22) % 4 == 1
    assert plan.owns(guild_on_shard_1) and not plan.owns(guild_on_shard_1 + (1 << 22))
    assert plan.share == 0.25 and not plan.receives_dms and plan.describe() == "shards 1 of 4"
    assert parse_shard_plan("8", "0-2,5").describe() == "shards 0-2, 5 of 8"
