"""The default prompts shipped in data/prompts.toml: the set the issue asks for, and a broken file
stops start-up with one line naming the file, the prompt and the problem."""

import re

import pytest

from bot.app import nexus_intents
from bot.config import load_settings
from bot.prompts.defaults import SHIPPED_PROMPTS_FILE, PromptsFileError, load_prompt_defaults
from bot.startup_errors import explain_startup_failure

GOOD_PROMPT = """
program_weeks = 8

[[prompt]]
key = "monday-goals"
weekday = "monday"
time = "09:00"
text = "Goals for week {week}?"
"""


def test_the_shipped_defaults_cover_the_week_and_the_program():
    defaults = load_prompt_defaults()
    by_key = {p.key: p for p in defaults.prompts}
    every_week = {(p.weekday, p.key) for p in defaults.prompts if not p.weeks}
    assert {day for day, _ in every_week} >= {0, 2, 4}  # Monday goals, Wednesday check, Friday show-and-tell
    assert "partner" in by_key["wednesday-check"].text and "blocking" in by_key["wednesday-check"].text
    # Week one's kickoff and the first round's post say these: no prompt repeats them (one calendar).
    assert "announce-your-project" not in by_key and "find-your-partner" not in by_key
    assert by_key["mid-program-retrospective"].weeks == (defaults.program_weeks // 2,)
    assert by_key["demo-day-call"].weeks == (defaults.program_weeks,)
    assert all(p.source == "default" for p in defaults.prompts)


def test_the_shipped_texts_name_no_command_that_does_not_exist_yet():
    for prompt in load_prompt_defaults().prompts:
        named = set(re.findall(r"/([a-z]+)", prompt.text))
        assert named <= {"topic", "help"}, (prompt.key, named)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (GOOD_PROMPT.replace("{week}", "{wek}"), "prompt 'monday-goals': `{wek}` is not a placeholder"),
        (GOOD_PROMPT.replace('"09:00"', '"9am"'), "prompt 'monday-goals': `9am` is not a time"),
        (GOOD_PROMPT.replace('"monday"', '"mondy"'), "prompt 'monday-goals': weekday 'mondy' is not one of"),
        (GOOD_PROMPT + 'weeks = [9]\n', "prompt 'monday-goals': Week 9 is outside the program"),
        (GOOD_PROMPT + 'colour = "red"\n', "prompt 'monday-goals': unknown field 'colour'"),
        (GOOD_PROMPT + GOOD_PROMPT.split("program_weeks = 8")[1], "the key 'monday-goals' is used by more than one"),
        (GOOD_PROMPT.replace("program_weeks = 8", "program_weeks = 0"), "program_weeks must be a whole number"),
        (GOOD_PROMPT.replace('text = "', 'text = "\n'), "is not valid TOML"),
        ("program_weeks = 8\n", "no [[prompt]] tables"),
    ],
)
def test_a_broken_prompts_file_is_one_line_naming_the_problem(tmp_path, content, says):
    path = tmp_path / "prompts.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PromptsFileError) as broken:
        load_prompt_defaults(path)
    message = str(broken.value)
    assert message.startswith(f"{path}: ") and says in message
    assert "\n" not in message
    line = explain_startup_failure(broken.value, load_settings({}, env_file=None), nexus_intents())
    assert line == f"the default prompts file is broken: {message}"


def test_a_missing_prompts_file_is_named(tmp_path):
    with pytest.raises(PromptsFileError, match="cannot be read"):
        load_prompt_defaults(tmp_path / "nowhere.toml")


def test_the_good_example_loads(tmp_path):
    path = tmp_path / "prompts.toml"
    path.write_text(GOOD_PROMPT, encoding="utf-8")
    [prompt] = load_prompt_defaults(path).prompts
    assert (prompt.key, prompt.weekday, f"{prompt.at:%H:%M}") == ("monday-goals", 0, "09:00")
    assert SHIPPED_PROMPTS_FILE.name == "prompts.toml"
