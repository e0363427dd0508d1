import pytest

from bot.db.postgres.placeholders import numbered


def test_placeholders_are_numbered_in_order():
    assert numbered("SELECT * FROM t WHERE a = ? AND b IN (?, ?)") == "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)"


def test_a_statement_without_placeholders_is_unchanged():
    assert numbered("DELETE FROM t") == "DELETE FROM t"


def test_a_question_mark_inside_quotes_is_not_a_placeholder():
    assert numbered("SELECT '?', \"a?\" FROM t WHERE a = ? AND b = 'it''s ?' AND c = ?") == (
        "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b = 'it''s ?' AND c = $2")


def test_an_unclosed_quote_is_refused():
    with pytest.raises(ValueError):
        numbered("SELECT 'oops WHERE a = ?")
