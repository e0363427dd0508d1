"""What finishing a round takes, planned from the stored round alone: what is done is left out, each
step has its own ledger key, texts say why and when the next round is."""

from datetime import UTC, datetime, timedelta

from bot.pairing.records import Pair, PairRequest, Round, StoredRound, UnmatchedEntry
from bot.pairing.round_steps import round_steps
from bot.scheduling.ledger import PostKey

NOW = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
GUILD = 1


def pair(pair_id, backend, frontend, message_id=None):
    return Pair(pair_id, GUILD, backend, frontend, "round", None, 7, None, message_id, "", NOW, None, None, None)


def request(request_id, requester, target):
    return PairRequest(request_id, GUILD, requester, target, "", "closed", None, None, None, NOW,
                       NOW + timedelta(days=3), NOW)


def stored(pairs, unmatched=(), closed=()):
    return StoredRound(Round(7, GUILD, "admin:1", None, NOW, None, None), list(pairs), list(unmatched),
                       list(closed), True)


def test_only_what_is_not_done_yet_is_planned_each_with_its_own_key():
    made, missing = pair(1, 11, 21, message_id=500), pair(2, 12, 22)
    steps = round_steps(stored([made, missing], [UnmatchedEntry(13, "backend", "no-one-left")],
                               [request(40, 11, 30), request(41, 31, 12)]), NOW + timedelta(days=7))
    assert steps.threads == [missing]  # the first pair's thread and its first message exist
    assert [n.key for n in steps.notices] == [PostKey(GUILD, "pair-notice", "round:7:closed:41"),
                                              PostKey(GUILD, "pair-notice", "round:7:13")]
    closed, left = steps.notices
    assert closed.member_id == 31 and "<@12>" in closed.text  # 11 was paired: no notice for them
    assert left.member_id == 13 and "everyone on the other side was already matched" in left.text
    assert f"<t:{int((NOW + timedelta(days=7)).timestamp())}:F>" in left.text
    assert steps.announce == PostKey(GUILD, "pair-round-post", "7")
    assert [r.id for r in steps.closed_requests] == [40, 41]


def test_a_round_that_paired_nobody_is_not_announced_and_names_no_next_round_it_does_not_know():
    steps = round_steps(stored([], [UnmatchedEntry(13, "backend", "only-previous-partners")]), None)
    assert steps.announce is None and steps.threads == []
    [left] = steps.notices
    assert "previous partners" in left.text and "<t:" not in left.text and "`/pair find`" in left.text
