"""Generated text at every free-text input of the real bot, through the local Discord stand-in.

Every string option of every (sub)command the bot synced, its autocomplete, and every text field of
every form a command opens get generated values: any unicode, control characters, text up to and
past Discord's limits, mention markup, markdown, FTS syntax, path-like and whitespace-only strings.
Whatever a member types, they must get an answer (never "the application did not respond"), never
an error id, and nothing the bot sends may ping @everyone, @here or a role.

The inputs are found by walking the commands the bot synced, so a command added later is fuzzed
without an edit here. What Discord's client itself refuses to send (an option past its length
limit, an empty required field) is refused by the stand-in and counted, not sent.

One bot serves the whole module: it runs with the stand-in on an event loop of its own thread,
because Hypothesis drives its examples synchronously.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, TypeVar

import pytest
from _fuzz_support import (
    MEMBER,
    Autocomplete,
    BotOnItsOwnLoop,
    FormField,
    Outcome,
    TextOption,
    leaf_commands,
    plain_field_text,
    required_values,
    text_options,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.standin.demo import demo_id

T = TypeVar("T")

EXAMPLES_PER_INPUT = 30

# --- generated text --------------------------------------------------------------------------

HOSTILE = [
    # mentions of the demo server's real role, member and channel, and the global pings
    "@everyone", "@here", "hey @everyone look", f"<@&{demo_id(13)}>", f"<@{demo_id(41)}>", f"<@!{demo_id(41)}>",
    f"<#{demo_id(22)}>", "<@&0>", f"@everyone <@&{demo_id(14)}> ping",
    # markdown
    "**bold** __under__ ~~strike~~", "`code`", "```py\nprint(1)\n```", "||spoiler||", "> quote", "# heading",
    "[link](https://example.com)", "\\*escaped\\*", "*", "_", "~~", "`",
    # FTS5 and SQL syntax
    '"unbalanced', "NEAR(", "NEAR(celery redis, 2)", "celery OR", "AND", "NOT docker", "-docker*", "title:celery",
    "{title body}: x", "^celery", "a*", "(((", ")))", '""', "'", "'; DROP TABLE topics; --", "%", "%_%", "\\",
    # paths and time-zone folders
    "America", "Africa", "America/Argentina", "Etc", "Africa/Lagos", "UTC", "../../etc", "../../etc/passwd",
    "/etc/passwd", "C:\\Windows\\System32", "~/.ssh/id_rsa", "a" * 300, "é" * 300,
    # dates
    "2026-12-01", "2026-02-30", "0000-00-00", "99999-01-01", "-1",
    # whitespace, invisible and control characters
    " ", "   ", "\t", "\n", "\r\n", "\u200b", "\u00a0", "\u3000", "\u202e", "\ufeff", "\x00", "\x1b[31mred",
    # scripts and emoji
    "🐍", "👨‍👩‍👧‍👦", "Z̷̢a̶l̸g̷o̵", "中文查询", "مرحبا", "ｆｕｌｌｗｉｄｔｈ",
    # links and markup
    "https://example.com", "javascript:alert(1)", "<script>alert(1)</script>",
]
# Lengths around the limits that matter: topic query 200, choice names 100, embed title 256,
# field 1024, message 2000, description 4096, modal field 4000, Discord's option limit 6000.
EDGE_LENGTHS = [99, 100, 101, 199, 200, 201, 255, 256, 257, 1000, 1024, 1025, 2000, 2001, 4000, 4001, 4096, 4097,
                5999, 6000, 6001]

_pieces = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=20),
    st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=5),
)
fuzz_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),  # any unicode (Hypothesis leaves out lone surrogates, which JSON cannot carry)
    st.lists(_pieces, max_size=8).map("".join),
    st.builds(lambda piece, length: (piece * length)[:length], st.sampled_from(HOSTILE), st.sampled_from(EDGE_LENGTHS)),
)

@pytest.fixture(scope="module")
def fuzz_bot(tmp_path_factory: pytest.TempPathFactory, no_network_in_module: None) -> Iterator[BotOnItsOwnLoop]:
    bot = BotOnItsOwnLoop(tmp_path_factory.mktemp("fuzz") / "nexus.db")
    bot.start()
    try:
        yield bot
    finally:
        bot.stop()


# --- running the examples ----------------------------------------------------------------------

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_INPUT,
    deadline=None,
    derandomize=True,  # the same examples on every run and in CI
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def fuzz_each(targets: list[T], exercise: Callable[[T, str], Outcome]) -> list[str]:
    """Run the generated examples against every target; the failures of all targets, not just the first."""
    failures = []
    for target in targets:
        try:
            examples_for(target, exercise)()
        except AssertionError as failure:
            failures.append(str(failure).splitlines()[0])
    return failures


def examples_for(target: T, exercise: Callable[[T, str], Outcome]) -> Callable[[], None]:
    @FUZZ_SETTINGS
    @given(text=fuzz_text)
    def examples(text: str) -> None:
        outcome = exercise(target, text)
        shown = f"{text[:120]!r}" + (f" ({len(text)} characters)" if len(text) > 120 else "")
        assert not outcome.problems, f"{target} with {shown}: " + "; ".join(outcome.problems)

    return examples


def assert_covered(bot: BotOnItsOwnLoop, targets: list[Any], known_names: set[str]) -> None:
    names = {str(t) for t in targets}
    assert names, "no input found to fuzz"
    assert known_names <= names, f"not found in the synced commands: {known_names - names}"
    for name in names:
        # Each input really reached the bot (Discord's client refuses to send some examples: too long,
        # too short, empty where required).
        assert bot.sent[name] >= EXAMPLES_PER_INPUT // 3, f"{name}: sent {bot.sent}, refused {bot.refused}"


# --- the tests -----------------------------------------------------------------------------------


def test_any_text_in_any_command_option_gets_an_answer(fuzz_bot: BotOnItsOwnLoop) -> None:
    standin = fuzz_bot.standin
    targets = text_options(standin.commands)

    def exercise(target: TextOption, text: str) -> Outcome:
        options = {**required_values(target.schema, leave_out=target.option), target.option: text}
        return fuzz_bot.exchange(target, lambda: standin.invoke(MEMBER, target.command, options))

    failures = fuzz_each(targets, exercise)
    assert not failures, "\n".join(failures)
    assert_covered(fuzz_bot, targets, {"/topic query query", "/topic list category", "/nexus setup cohort_start",
                                       "/nexus setup timezone", "/pair profile timezone", "/pair profile skills",
                                       "/pair profile availability", "/pair request note", "/pair leave reason",
                                       "/pair schedule time"})


def test_any_text_typed_into_an_autocomplete_gets_choices(fuzz_bot: BotOnItsOwnLoop) -> None:
    standin = fuzz_bot.standin
    targets = [Autocomplete(t) for t in text_options(standin.commands) if t.autocomplete]

    def exercise(target: Autocomplete, text: str) -> Outcome:
        command, option = target.option.command, target.option.option
        return fuzz_bot.exchange(target, lambda: standin.autocomplete(MEMBER, command, {option: text}, focused=option))

    failures = fuzz_each(targets, exercise)
    assert not failures, "\n".join(failures)
    assert_covered(fuzz_bot, targets, {"/topic query query (autocomplete)",
                                             "/topic list category (autocomplete)",
                                             "/nexus setup timezone (autocomplete)",
                                             "/pair profile timezone (autocomplete)"})


def test_any_text_in_any_form_field_gets_an_answer(fuzz_bot: BotOnItsOwnLoop) -> None:
    standin = fuzz_bot.standin
    targets = []
    for command, options in leaf_commands(standin.commands):
        given_options = required_values(options)
        # Every command, run once with ordinary values, must answer well too; some answer with a form.
        plain = fuzz_bot.exchange(f"/{command}", partial(standin.invoke, MEMBER, command, given_options))
        assert not plain.problems and plain.refused is None, (command, plain)
        opened = fuzz_bot.run(form_after_menus(standin, plain.record))
        if opened.modal is not None:
            targets += [FormField(command, tuple(given_options.items()), f.custom_id)
                        for f in opened.modal.fields if f.component_type == 4]

    def exercise(target: FormField, text: str) -> Outcome:
        async def act() -> Any:
            opened = await form_after_menus(standin, await standin.invoke(MEMBER, target.command,
                                                                          dict(target.options)))
            assert opened.modal is not None, f"/{target.command} no longer opens a form"
            values = {f.custom_id: f.value or (plain_field_text(f.min_length, f.max_length) if f.required else None)
                      for f in opened.modal.fields if f.component_type == 4}
            values[target.field] = text
            return await standin.submit_modal(MEMBER, opened.modal, values)

        return fuzz_bot.exchange(target, act)

    failures = fuzz_each(targets, exercise)
    assert not failures, "\n".join(failures)
    assert_covered(fuzz_bot, targets, {f"/topic suggest form field {name}" for name in ("title", "explanation",
                                                                                       "links")}
                   | {f"/project announce form field {name}" for name in ("title", "description", "stack",
                                                                           "repo_url")})


async def form_after_menus(standin: Any, answer: Any, picks: int = 3) -> Any:
    """A command that asks for a missing choice with a menu (`/project announce` without a track,
    or a discipline nothing says) opens its form once the first option is picked: follow it."""
    while answer.modal is None and picks:
        message = answer.original
        menus = [] if message is None else [c for c in message.selects if c.get("options")]
        if not menus:
            break
        answer = await standin.click(MEMBER, message, menus[0]["custom_id"], [menus[0]["options"][0]["value"]])
        picks -= 1
    return answer


def test_what_members_typed_shows_back_to_everyone_without_errors(fuzz_bot: BotOnItsOwnLoop) -> None:
    """Every command, and every button and menu of its answer, once more: by now the database holds
    the generated lookups and suggestions of the tests above (a module runs in file order), which
    `/topic stats` and `/topic review` show to moderators."""
    standin = fuzz_bot.standin
    pressed = []
    for command, options in leaf_commands(standin.commands):
        answer = fuzz_bot.exchange(f"/{command}", partial(standin.invoke, MEMBER, command, required_values(options)))
        assert not answer.problems, (command, answer.problems)
        message = answer.record.message
        if message is None:  # a form: its fields are fuzzed above
            continue
        components = [(c["custom_id"], [c["options"][0]["value"]] if c.get("options") else None)
                      for c in [*message.selects, *message.buttons] if c.get("custom_id") and not c.get("disabled")]
        for custom_id, values in components:
            try:
                press = fuzz_bot.exchange(custom_id, partial(standin.click, MEMBER, message, custom_id, values))
            except ValueError:  # an earlier press replaced this component (a page turned, a review decided)
                continue
            assert not press.problems, (command, custom_id, press.problems)
            pressed.append(custom_id)
    assert any(p.startswith("nexus:topic:open:") for p in pressed), pressed
