"""Where `/project announce` and `/project edit` start their form: the options on top of what the
learner last wrote, the discipline from their roles, and a choice nothing gives asked for (track
first), never refused as a dead end."""

import pytest

from bot.errors import ChoiceNeeded
from bot.projects.model import ProjectDraft
from bot.projects.service import starting_draft

KEPT = ProjectDraft(track="job-board", discipline="frontend", looking_for_partner=True, title="Kept title")


def test_nothing_given_asks_for_the_track_first():
    with pytest.raises(ChoiceNeeded) as needed:
        starting_draft(None, track=None, discipline=None, from_roles=None, looking=None)
    assert needed.value.choice == "track"


def test_a_track_without_a_role_or_an_earlier_form_asks_for_the_discipline():
    with pytest.raises(ChoiceNeeded) as needed:
        starting_draft(None, track="job-board", discipline=None, from_roles=None, looking=None)
    assert needed.value.choice == "discipline"


def test_the_role_gives_the_discipline_and_the_options_win_over_what_was_kept():
    fresh = starting_draft(None, track="other", discipline=None, from_roles="backend", looking=None)
    assert fresh == ProjectDraft(track="other", discipline="backend", looking_for_partner=False)
    changed = starting_draft(KEPT, track="online-poll", discipline="backend", from_roles="frontend", looking=False)
    assert (changed.track, changed.discipline, changed.looking_for_partner) == ("online-poll", "backend", False)
    assert changed.title == "Kept title"


def test_what_was_kept_fills_every_choice_not_given():
    assert starting_draft(KEPT, track=None, discipline=None, from_roles=None, looking=None) == KEPT
