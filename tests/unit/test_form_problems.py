"""Forms name every problem at once: a topic suggestion's fields, a prompt's key and text, and
the `Problems` collector they share."""

import pytest

from bot.errors import FormRefused, Problems, UserError
from bot.knowledge.suggestions import check_suggestion
from sandbox.standin._validate import InvalidForm, check_modal


def test_problems_keeps_every_field_problem_and_the_values_of_the_good_ones():
    problems = Problems()

    def bad() -> str:
        raise UserError("**A** is wrong.")

    assert problems.check(lambda: "kept") == "kept"
    assert problems.check(bad) is None
    assert problems.found == ["**A** is wrong."]


def test_a_suggestion_with_three_bad_fields_names_all_three():
    with pytest.raises(FormRefused) as refused:
        check_suggestion(" ", "\n \n", "see the docs")
    assert [p.split()[0:2] for p in refused.value.problems] == [["The", "title"], ["Say", "what"], ["The", "links"]]
    assert str(refused.value).count("• ") == 3


def test_a_good_suggestion_is_cleaned():
    assert check_suggestion("  Django   signals ", "When post_save helps.", "") == (
        "Django signals", "When post_save helps.", "")


def _text_input(value: str, max_length: int) -> dict:
    return {"title": "A form", "custom_id": "form", "components": [
        {"type": 18, "label": "Title", "component": {"type": 4, "custom_id": "title", "style": 1,
                                                     "value": value, "max_length": max_length}}]}


def test_the_standin_refuses_a_prefilled_value_longer_than_its_field_as_discord_does():
    check_modal(_text_input("t" * 100, 100))
    with pytest.raises(InvalidForm):
        check_modal(_text_input("t" * 101, 100))
