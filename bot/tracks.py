"""The program's project tracks (`data/tracks.toml`), in the file's order: what projects, the
week-one roundup and the knowledge base's topics are grouped by. Read once at start; a broken file
stops start-up in one line (`TracksFileError`), before any command offers its tracks."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

TRACKS_FILE = Path(__file__).resolve().parents[1] / "data" / "tracks.toml"


class TracksFileError(Exception):
    """The tracks file cannot be used; the message says which file and why, in one line."""


@dataclass(frozen=True)
class Track:
    key: str  # what the database and topic files store, e.g. "job-board"
    name: str  # what members read, e.g. "Job board platform"
    description: str = ""


def load_tracks(path: Path = TRACKS_FILE) -> tuple[Track, ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TracksFileError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TracksFileError(f"{path}: is not valid TOML ({' '.join(str(exc).split())})") from exc
    tracks = []
    for number, entry in enumerate(data.get("track", []), start=1):
        if not isinstance(entry, dict) or not str(entry.get("key") or "").strip():
            raise TracksFileError(f"{path}: track {number} has no key")
        key = str(entry["key"]).strip()
        tracks.append(Track(key, str(entry.get("name") or key), str(entry.get("description") or "")))
    if not tracks:
        raise TracksFileError(f"{path}: holds no [[track]]")
    if len({t.key for t in tracks}) != len(tracks):
        raise TracksFileError(f"{path}: two tracks share a key")
    return tuple(tracks)
