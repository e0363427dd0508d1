"""The program's project tracks (`data/tracks.toml`), in the file's order, for the roundup."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Track:
    key: str
    name: str


def load_tracks(path: Path) -> tuple[Track, ...]:
    """The tracks, or none when the file cannot be read (the roundup then shows the stored keys)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return ()
    return tuple(Track(str(t["key"]), str(t.get("name") or t["key"])) for t in data.get("track", [])
                 if isinstance(t, dict) and "key" in t)
