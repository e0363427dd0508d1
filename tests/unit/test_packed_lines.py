"""Long lists in embeds: whole lines only, and the reader told how many were left out."""

from cogs._style import packed


def test_everything_that_fits_is_shown_as_it_is():
    assert packed(["a", "bb", "ccc"], 100) == "a\nbb\nccc"


def test_a_list_too_long_ends_with_how_many_were_left_out_within_the_limit():
    lines = [f"• pair number {n}" for n in range(200)]
    text = packed(lines, 1024, "… and {count} more pairs")
    assert len(text) <= 1024
    shown = text.split("\n")
    assert shown[:-1] == lines[:len(shown) - 1]  # whole lines, in order
    assert shown[-1] == f"… and {200 - (len(shown) - 1)} more pairs"


def test_the_last_line_fills_the_room_the_note_would_have_needed():
    assert packed(["x" * 10, "y" * 10], 21) == "x" * 10 + "\n" + "y" * 10
