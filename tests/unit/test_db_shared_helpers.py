from bot.db.common import counts_by_guild, like_containing, like_escaped
from bot.db.shared.knowledge import first_free_slug


def test_like_patterns_match_the_text_literally():
    assert like_escaped(r"100%_a\b") == r"100\%\_a\\b"
    assert like_containing("a_b") == r"%a\_b%"
    assert like_containing("") == "%%"


def test_counts_by_guild_reads_guild_id_and_n():
    assert counts_by_guild([{"guild_id": 1, "n": 3}, {"guild_id": 2, "n": 1}]) == {1: 3, 2: 1}
    assert counts_by_guild([]) == {}


def test_the_first_free_slug_is_the_base_then_numbered_from_two():
    assert first_free_slug("docker", set()) == "docker"
    assert first_free_slug("docker", {"docker"}) == "docker-2"
    assert first_free_slug("docker", {"docker", "docker-2", "docker-3"}) == "docker-4"
    assert first_free_slug("docker", {"docker-2"}) == "docker"
