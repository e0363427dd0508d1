"""The content rules of `data/KNOWLEDGE-FORMAT.md`: per topic, and across the whole set."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.discord_limits import EMBED_TOTAL_LIMIT, FIELD_VALUE_LIMIT, TITLE_LIMIT
from bot.knowledge.model import CATEGORIES, FileProblem, Topic
from bot.knowledge.other_stacks import check_other_stacks
from bot.knowledge.parsing import TopicFileError, parse_topic
from bot.knowledge.render import Section, render_sections, rendered_length
from bot.tracks import load_tracks

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ALL_TRACKS = "all"
CHALLENGE_HEADING_LIMIT = 200
MIN_CHALLENGES, MAX_CHALLENGES = 2, 5
MAX_SYMPTOMS = 12
SYMPTOM_LIMIT = 60  # characters: a phrase a learner types, not a sentence
_LINK_SCHEMES = ("http://", "https://")


@dataclass
class CheckResult:
    """Every topic that parsed (valid or not) by file name, and every problem found."""

    topics: dict[str, Topic] = field(default_factory=dict)
    problems: list[FileProblem] = field(default_factory=list)


def load_track_keys(tracks_file: Path) -> frozenset[str] | None:
    """The track keys of `data/tracks.toml`, or None when there is no such file (tracks unchecked)."""
    if not tracks_file.is_file():
        return None
    return frozenset(track.key for track in load_tracks(tracks_file))


def validate_topic(topic: Topic, file: str, track_keys: frozenset[str] | None = None) -> list[FileProblem]:
    """What is wrong with one topic on its own (the set-wide rules are `validate_collection`)."""
    problems = [FileProblem(file, p) for p in _front_matter_problems(topic, file, track_keys)]
    problems += [FileProblem(file, p) for p in _section_problems(topic)]
    return problems


def validate_collection(topics: dict[str, Topic]) -> list[FileProblem]:
    """Slugs and aliases unique across topics (case-insensitive), and `related` naming real slugs."""
    problems: list[FileProblem] = []
    owner_of_name: dict[str, tuple[str, str]] = {}  # lowercased slug or alias -> (file, slug)
    for file, topic in topics.items():
        slug = topic.slug.casefold()
        if slug in owner_of_name:
            problems.append(FileProblem(file, f"slug '{topic.slug}' is already used in {owner_of_name[slug][0]}"))
        owner_of_name.setdefault(slug, (file, topic.slug))
    for file, topic in topics.items():
        for alias in {a.strip().casefold() for a in topic.aliases}:
            owner = owner_of_name.get(alias)
            if owner is not None and owner[1] != topic.slug:
                problems.append(FileProblem(file, f"alias '{alias}' is already a slug or alias in {owner[0]}"))
            owner_of_name.setdefault(alias, (file, topic.slug))
    slugs = {topic.slug for topic in topics.values()}
    for file, topic in topics.items():
        for related in topic.related:
            if related not in slugs:
                problems.append(FileProblem(file, f"related topic '{related}' does not exist"))
    return problems


def check_directory(directory: Path, track_keys: frozenset[str] | None = None) -> CheckResult:
    """Parse and validate every `*.md` in `directory` (what `kb check` runs)."""
    result = CheckResult()
    files = sorted(directory.glob("*.md"))
    if not files:
        result.problems.append(FileProblem(str(directory), "no topic files (*.md) found"))
    for path in files:
        try:
            topic = parse_topic(path.read_text(encoding="utf-8"), path.name)
        except (TopicFileError, UnicodeDecodeError, OSError) as exc:
            result.problems.append(FileProblem(path.name, getattr(exc, "problem", str(exc))))
            continue
        result.topics[path.name] = topic
        result.problems += validate_topic(topic, path.name, track_keys)
    result.problems += validate_collection(result.topics)
    result.problems += check_other_stacks(directory, result.topics)
    return result


def _front_matter_problems(topic: Topic, file: str, track_keys: frozenset[str] | None) -> Iterable[str]:
    if not SLUG_PATTERN.match(topic.slug):
        yield f"slug '{topic.slug}' must be lowercase letters, digits and single hyphens"
    if file.endswith(".md") and topic.slug != file[: -len(".md")]:
        yield f"slug '{topic.slug}' must equal the file name ('{file[: -len('.md')]}')"
    if not topic.title:
        yield "title is empty"
    elif len(topic.title) > TITLE_LIMIT:
        yield f"title is {len(topic.title)} characters; the limit is {TITLE_LIMIT}"
    if topic.category not in CATEGORIES:
        yield f"category '{topic.category}' is not one of: {', '.join(CATEGORIES)}"
    seen: set[str] = set()
    for alias in topic.aliases:
        key = alias.strip().casefold()
        if not key:
            yield "an alias is empty"
        elif key in seen:
            yield f"alias '{alias}' is listed twice"
        seen.add(key)
    yield from _symptom_problems(topic)
    if topic.slug in topic.related:
        yield "a topic cannot be related to itself"
    if not topic.tracks:
        yield f"tracks is empty; list track keys or [\"{ALL_TRACKS}\"]"
    elif ALL_TRACKS in topic.tracks and len(topic.tracks) > 1:
        yield f"tracks: \"{ALL_TRACKS}\" stands alone"
    elif track_keys is not None:
        for track in topic.tracks:
            if track != ALL_TRACKS and track not in track_keys:
                yield f"track '{track}' is not a key in data/tracks.toml"


def _symptom_problems(topic: Topic) -> Iterable[str]:
    """Symptoms are short phrases a learner would type, each said once and none a name of the
    topic already (a name is searched anyway)."""
    names = {name.strip().casefold() for name in (topic.slug, topic.title, *topic.aliases)}
    if len(topic.symptoms) > MAX_SYMPTOMS:
        yield f"symptoms lists {len(topic.symptoms)} phrases; the limit is {MAX_SYMPTOMS}"
    seen: set[str] = set()
    for symptom in topic.symptoms:
        key = " ".join(symptom.split()).casefold()
        if not any(ch.isalnum() for ch in key):
            yield "a symptom is empty"
        elif len(key) > SYMPTOM_LIMIT:
            yield f"symptom '{symptom[:40]}…' is {len(key)} characters; the limit is {SYMPTOM_LIMIT}"
        elif key in seen:
            yield f"symptom '{symptom}' is listed twice"
        elif key in names:
            yield f"symptom '{symptom}' is already a name of the topic (its slug, title or an alias)"
        seen.add(key)


def _section_problems(topic: Topic) -> Iterable[str]:
    rendered = render_sections(topic)
    for section, text in rendered.items():
        if not text.strip():
            yield f"section '{section.label}' is empty"
        elif section is not Section.CHALLENGES and len(text) > FIELD_VALUE_LIMIT:
            yield f"section '{section.label}' is {len(text)} characters as shown; the limit is {FIELD_VALUE_LIMIT}"
    count = len(topic.challenges)
    if count and not MIN_CHALLENGES <= count <= MAX_CHALLENGES:
        yield f"'Common challenges' has {count} challenges; it needs {MIN_CHALLENGES} to {MAX_CHALLENGES}"
    for challenge in topic.challenges:
        name = challenge.challenge[:60]
        if len(challenge.challenge) > CHALLENGE_HEADING_LIMIT:
            yield f"challenge heading '{name}…' is {len(challenge.challenge)} characters; the limit is " \
                  f"{CHALLENGE_HEADING_LIMIT}"
        if not challenge.solution:
            yield f"challenge '{name}' has no solution"
        elif len(challenge.solution) > FIELD_VALUE_LIMIT:
            yield f"the solution of '{name}' is {len(challenge.solution)} characters; the limit is {FIELD_VALUE_LIMIT}"
    for link in topic.further_reading:
        if not link.url.startswith(_LINK_SCHEMES):
            yield f"further reading link '{link.url}' must be http(s)"
    total = rendered_length(topic, rendered)
    if total > EMBED_TOTAL_LIMIT:
        yield f"the whole topic is {total} characters as shown; the limit is {EMBED_TOTAL_LIMIT}"
