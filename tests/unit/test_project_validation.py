"""What a project form may say: links checked for their form only, blanks and over-long text
refused naming the field and the limit, text otherwise kept as written."""

from dataclasses import replace

import pytest

from bot.errors import UserError
from bot.projects.model import ProjectDraft
from bot.projects.validation import ProjectRefused, checked_draft, checked_url
from bot.tracks import load_tracks

TRACKS = load_tracks()
GOOD = ProjectDraft(track="job-board", discipline="backend", looking_for_partner=True, title="  Job board  ",
                    description="Postings and applications.", stack="Django", repo_url=" https://github.com/a/b ")


@pytest.mark.parametrize("url", ["https://github.com/ada/job-board", "http://gitlab.example.org/x?y=1#z",
                                 "HTTPS://GITHUB.COM/A", "https://localhost:8000/repo"])
def test_web_links_with_a_host_are_kept(url):
    assert checked_url(f" {url} ") == url


@pytest.mark.parametrize("url", ["github.com/ada/x", "ftp://example.com/x", "https://", "https:///path",
                                 "javascript:alert(1)", "https://exa mple.com", "https://example.com:port/x",
                                 "mailto:ada@example.com", "https://<script>"])
def test_anything_but_a_web_link_with_a_host_is_refused(url):
    with pytest.raises(ProjectRefused, match="full web address"):
        checked_url(url)


def test_an_empty_link_is_allowed():
    assert checked_url("   ") is None


def test_a_good_draft_is_trimmed_and_otherwise_kept():
    checked = checked_draft(GOOD, TRACKS)
    assert checked.title == "Job board" and checked.repo_url == "https://github.com/a/b"
    assert checked.description == GOOD.description and checked.looking_for_partner


@pytest.mark.parametrize(("changes", "says"), [
    ({"title": " \t "}, "**Title** is empty"),
    ({"description": "\n\n"}, "**What it does** is empty"),
    ({"stack": ""}, "**Stack** is empty"),
    ({"title": "t" * 101}, "**Title** is 101 characters long; the limit is 100."),
    ({"description": "d" * 1001}, "**What it does** is 1,001 characters long; the limit is 1,000."),
    ({"stack": "s" * 201}, "**Stack** is 201 characters long; the limit is 200."),
    ({"discipline": "fullstack"}, "backend or frontend"),
])
def test_blank_and_over_long_fields_are_refused_naming_the_field(changes, says):
    with pytest.raises(ProjectRefused) as refused:
        checked_draft(replace(GOOD, **changes), TRACKS)
    assert says in str(refused.value)


def test_an_unknown_track_names_the_tracks():
    with pytest.raises(UserError, match="`job-board`"):
        checked_draft(replace(GOOD, track="space-station"), TRACKS)


def test_the_tracks_come_from_the_tracks_file():
    assert [t.key for t in TRACKS][:2] == ["e-commerce-catalog", "job-board"] and TRACKS[-1].key == "other"


def test_every_problem_of_the_form_is_named_at_once():
    with pytest.raises(ProjectRefused) as refused:
        checked_draft(replace(GOOD, title=" ", stack="s" * 201, repo_url="github.com/a/b"), TRACKS)
    said = str(refused.value)
    assert len(refused.value.problems) == 3
    assert said.splitlines() == ["• **Title** is empty: write something in it.",
                                 "• **Stack** is 201 characters long; the limit is 200.",
                                 "• **Repository link** must be a full web address starting with `https://` or "
                                 "`http://`, such as `https://github.com/you/your-project` (or leave it empty)."]


def test_one_problem_reads_as_a_sentence():
    with pytest.raises(ProjectRefused) as refused:
        checked_draft(replace(GOOD, title=""), TRACKS)
    assert str(refused.value) == "**Title** is empty: write something in it."
