"""The program's tracks are read once, from one place; a broken file is one line at start-up."""

import discord
import pytest

from bot.config import load_settings
from bot.startup_errors import explain_startup_failure
from bot.tracks import TracksFileError, load_tracks


def test_the_shipped_tracks_are_read_in_order():
    tracks = load_tracks()
    assert [t.key for t in tracks][:2] == ["e-commerce-catalog", "job-board"]
    assert all(t.name and t.description for t in tracks)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[[track]\nkey = 1", "is not valid TOML"),
        ("", "holds no [[track]]"),
        ('[[track]]\nname = "No key"', "track 1 has no key"),
        ('[[track]]\nkey = "a"\n[[track]]\nkey = "a"', "two tracks share a key"),
    ],
)
def test_a_broken_tracks_file_stops_start_up_in_one_line(tmp_path, text, says):
    path = tmp_path / "tracks.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TracksFileError) as refused:
        load_tracks(path)
    line = explain_startup_failure(refused.value, load_settings({}, env_file=None), discord.Intents.none())
    assert line is not None and says in line and "\n" not in line
    assert line.startswith("the project tracks file is broken:")


def test_a_missing_tracks_file_is_named(tmp_path):
    with pytest.raises(TracksFileError, match="cannot be read"):
        load_tracks(tmp_path / "nowhere.toml")
