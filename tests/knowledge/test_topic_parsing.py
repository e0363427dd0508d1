"""Reading topic files: the structure the parser insists on, and the content rules of validation."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.knowledge.model import Challenge, Link
from bot.knowledge.parsing import TopicFileError, _plain_front_matter, parse_topic
from bot.knowledge.validation import check_directory, load_track_keys, validate_collection, validate_topic

from ._support import SHIPPED_KNOWLEDGE, topic_markdown

TRACKS = frozenset({"e-commerce-catalog", "job-board", "movie-recommendation", "social-media-feed",
                    "online-poll", "other"})


def problems_of(text: str, file: str = "celery.md") -> list[str]:
    return [p.problem for p in validate_topic(parse_topic(text, file), file, TRACKS)]


def test_a_good_file_gives_every_field() -> None:
    text = topic_markdown(
        "celery",
        title="Celery: background tasks",
        category="Async & messaging",
        aliases=["celery worker", "celary"],
        related=["celery-beat"],
        tracks=["job-board", "online-poll"],
        links=[("Celery docs", "https://docs.celeryq.dev/")],
    )
    topic = parse_topic(text, "celery.md")
    assert topic.slug == "celery"
    assert topic.title == "Celery: background tasks"
    assert topic.aliases == ("celery worker", "celary")
    assert topic.related == ("celery-beat",)
    assert topic.tracks == ("job-board", "online-poll")
    assert topic.key_ideas == ("One idea per bullet.", "Another idea, with `inline code`.")
    assert topic.challenges[0] == Challenge(
        "It does not work the first time", "Read the error message from the top, then check the settings."
    )
    challenge, solution = topic.challenges[1]  # challenges unpack as (challenge, solution)
    assert challenge.startswith("It works locally") and solution.startswith("Compare")
    assert topic.further_reading == (Link("Celery docs", "https://docs.celeryq.dev/"),)
    assert problems_of(text) == []


def test_paragraphs_and_wrapped_bullets_are_kept_as_written() -> None:
    text = topic_markdown("celery").replace(
        "- One idea per bullet.", "- One idea per bullet,\n  wrapped onto a second line."
    ).replace("What celery is", "First paragraph\nstill first.\n\n\nSecond paragraph. What celery is")
    topic = parse_topic(text, "celery.md")
    assert topic.key_ideas[0] == "One idea per bullet, wrapped onto a second line."
    assert topic.summary.startswith("First paragraph still first.\n\nSecond paragraph.")


@pytest.mark.parametrize(
    ("mangle", "expected"),
    [
        (lambda t: t.replace('slug = "celery"', 'slug = "celery'), "front matter is not valid TOML"),
        (lambda t: t.replace("+++\n", "", 1), "must start with front matter"),
        (lambda t: t.replace("+++\n\n## Summary", "\n## Summary"), "not closed"),
        (lambda t: t.replace('category = "Databases"\n', ""), "missing the key 'category'"),
        (lambda t: t.replace('aliases = []', 'aliases = "celery"'), "'aliases' must be a list"),
        (lambda t: t.replace('aliases = []', 'aliases = [1, 2]'), "'aliases' must be a list of strings"),
        (lambda t: t.replace('tracks = ["all"]', 'tracks = ["all"]\ncolour = "blue"'), "unknown key(s): colour"),
        (lambda t: t.replace("## Best practices", "## Good practices"), "unknown section '## Good practices'"),
        (lambda t: t.replace("## Best practices\n- Measure before you change anything.\n", ""),
         "missing section '## Best practices'"),
        (lambda t: t.replace("## Summary", "## Key ideas\n- first\n\n## Summary", 1), "appears twice"),
        (lambda t: t.replace("## Summary", "Some intro text.\n\n## Summary"), "text before the first section"),
        (lambda t: t.replace("- One idea per bullet.", "One idea, not a bullet."), "holds bullets only"),
        (lambda t: t.replace("### It does not work", "Stray text.\n### It does not work"),
         "must start with a '### challenge' heading"),
        (lambda t: t.replace("- [Official documentation](https://docs.example.org/guide/)", "- see the docs"),
         "not a markdown link"),
    ],
)
def test_a_malformed_file_names_the_file_and_the_problem(mangle, expected) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TopicFileError) as caught:
        parse_topic(mangle(topic_markdown("celery")), "celery.md")
    assert str(caught.value).startswith("celery.md: ")
    assert expected in caught.value.problem


def test_sections_out_of_order_are_refused() -> None:
    text = topic_markdown("celery")
    key_ideas = text[text.index("## Key ideas"): text.index("## Common challenges")]
    swapped = text.replace(key_ideas, "").replace("## Best practices", key_ideas + "## Best practices")
    with pytest.raises(TopicFileError, match="must come in this order"):
        parse_topic(swapped, "celery.md")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"category": "Cooking"}, "category 'Cooking' is not one of"),
        ({"tracks": ["space-station"]}, "track 'space-station' is not a key in data/tracks.toml"),
        ({"tracks": []}, "tracks is empty"),
        ({"tracks": ["all", "job-board"]}, '"all" stands alone'),
        ({"aliases": ["Celery Worker", "celery worker"]}, "alias 'celery worker' is listed twice"),
        ({"related": ["celery"]}, "cannot be related to itself"),
        ({"title": "T" * 257}, "title is 257 characters; the limit is 256"),
        ({"key_ideas": ["word " * 210]}, "section 'Key ideas' is 1051 characters as shown; the limit is 1024"),
        ({"key_ideas": []}, "section 'Key ideas' is empty"),
        ({"challenges": [("Only one", "Solution.")]}, "has 1 challenges; it needs 2 to 5"),
        ({"challenges": [(f"Challenge {i}", "Solution.") for i in range(6)]}, "has 6 challenges"),
        ({"challenges": [("H" * 201, "Solution."), ("Second", "Solution.")]}, "characters; the limit is 200"),
        ({"challenges": [("First", "s" * 1025), ("Second", "Solution.")]}, "the solution of 'First' is 1025"),
        ({"links": [("FTP mirror", "ftp://example.org/file")]}, "must be http(s)"),
        ({"summary": "x " * 520, "best_practices": ["y " * 500], "key_ideas": ["z " * 500],
          "challenges": [("First", "s " * 500), ("Second", "t " * 500), ("Third", "u " * 500)]},
         "the whole topic is"),
    ],
)
def test_content_rules_report_each_problem(fields: dict[str, object], expected: str) -> None:
    problems = problems_of(topic_markdown("celery", **fields))  # type: ignore[arg-type]
    assert any(expected in p for p in problems), problems


def test_the_slug_must_be_well_formed_and_match_the_file_name() -> None:
    assert "slug 'celery' must equal the file name ('celery-tasks')" in problems_of(
        topic_markdown("celery"), "celery-tasks.md"
    )
    assert any("lowercase letters" in p for p in problems_of(topic_markdown("Celery_Tasks"), "Celery_Tasks.md"))


def test_set_wide_rules_unknown_related_and_shared_names() -> None:
    topics = {
        "celery.md": parse_topic(topic_markdown("celery", aliases=["Background Jobs"], related=["celery-beat"]),
                                 "celery.md"),
        "rq.md": parse_topic(topic_markdown("rq", aliases=["background jobs", "CELERY"]), "rq.md"),
    }
    problems = [str(p) for p in validate_collection(topics)]
    assert "celery.md: related topic 'celery-beat' does not exist" in problems
    assert "rq.md: alias 'background jobs' is already a slug or alias in celery.md" in problems
    assert "rq.md: alias 'celery' is already a slug or alias in celery.md" in problems


def test_the_check_of_a_folder_skips_nothing_and_reports_every_file(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(topic_markdown("good", related=["missing"]), encoding="utf-8")
    (tmp_path / "broken.md").write_text("+++\nslug = \n+++\n", encoding="utf-8")
    result = check_directory(tmp_path, TRACKS)
    assert list(result.topics) == ["good.md"]
    assert {p.file for p in result.problems} == {"good.md", "broken.md"}


def test_the_shipped_topics_pass_every_rule() -> None:
    result = check_directory(SHIPPED_KNOWLEDGE, load_track_keys(SHIPPED_KNOWLEDGE.parent / "tracks.toml"))
    assert result.problems == []
    assert len(result.topics) >= 40


def test_the_fast_front_matter_reader_agrees_with_tomllib() -> None:
    for path in SHIPPED_KNOWLEDGE.glob("*.md"):
        lines = path.read_text(encoding="utf-8").split("\n")
        block = lines[1 : lines.index("+++", 1)]
        assert _plain_front_matter(block) == tomllib.loads("\n".join(block)), path.name
    # Anything it does not fully understand goes to tomllib instead.
    for unusual in ['a = "with \\"escape\\""', "a = 'literal'", 'a = "x" # comment', 'a = "x"\na = "y"',
                    'a = [\n  "multi-line",\n]', "a = 1", 'a.b = "x"', 'a = "tab\there"']:
        assert _plain_front_matter(unusual.split("\n")) is None, unusual
    escaped = topic_markdown("celery").replace('title = "Celery"', 'title = "Celery \\"quoted\\" \\u00e9"')
    assert parse_topic(escaped, "celery.md").title == 'Celery "quoted" é'
