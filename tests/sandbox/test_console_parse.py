"""The console reads a slash command line against the synced command tree (pure, no stand-in)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.scheduling.weekly import WEEKDAYS
from sandbox.console._parse import CommandIndex, ConsoleInputError, split_words

# Shaped like what discord.py 2.7 syncs (Group.to_dict / Command.to_dict), echoed back with ids.
GUILD_ID = "1000"
TREE: list[dict[str, Any]] = [
    {
        "id": "1",
        "name": "nexus",
        "description": "Set up and inspect Nexus",
        "type": 1,
        "guild_id": GUILD_ID,
        "options": [
            {
                "name": "setup",
                "description": "Configure Nexus for this server",
                "type": 1,
                "options": [
                    {
                        "type": 7,
                        "name": "channel",
                        "description": "Where Nexus posts",
                        "required": True,
                        "channel_types": [0, 5],
                    },
                    {"type": 8, "name": "backend_role", "description": "The backend role", "required": False},
                    {"type": 8, "name": "frontend_role", "description": "The frontend role", "required": False},
                    {"type": 3, "name": "cohort_start", "description": "YYYY-MM-DD", "required": False},
                    {
                        "type": 3,
                        "name": "timezone",
                        "description": "IANA time zone",
                        "required": False,
                        "autocomplete": True,
                    },
                ],
            },
            {"name": "status", "description": "What Nexus knows about this server", "type": 1, "options": []},
        ],
    },
    {
        "id": "2",
        "name": "project",
        "description": "Projects",
        "type": 1,
        "guild_id": GUILD_ID,
        "options": [
            {
                "name": "announce",
                "description": "Announce your project",
                "type": 1,
                "options": [
                    {"type": 3, "name": "title", "description": "Title", "required": True, "max_length": 40},
                    {
                        "type": 3,
                        "name": "track",
                        "description": "Track",
                        "required": True,
                        "choices": [
                            {"name": "E-commerce catalog", "value": "ecommerce"},
                            {"name": "Job board", "value": "job-board"},
                        ],
                    },
                    {"type": 3, "name": "repo", "description": "Repository link", "required": False},
                    {"type": 5, "name": "looking", "description": "Looking for a partner", "required": False},
                    {"type": 3, "name": "note", "description": "Anything else", "required": False},
                ],
            },
            {
                "name": "show",
                "description": "Show a project",
                "type": 1,
                "options": [
                    {"type": 6, "name": "member", "description": "Whose", "required": False},
                ],
            },
        ],
    },
    {
        "id": "3",
        "name": "pair",
        "description": "Pairing",
        "type": 1,
        "guild_id": GUILD_ID,
        "options": [
            {
                "name": "queue",
                "description": "The matching queue",
                "type": 2,
                "options": [
                    {
                        "name": "join",
                        "description": "Join the queue",
                        "type": 1,
                        "options": [
                            {
                                "type": 4,
                                "name": "hours",
                                "description": "Hours a week",
                                "required": False,
                                "min_value": 1,
                                "max_value": 40,
                            },
                            {"type": 10, "name": "weight", "description": "A number", "required": False},
                            {"type": 9, "name": "who", "description": "Member or role", "required": False},
                        ],
                    },
                    {"name": "leave", "description": "Leave the queue", "type": 1, "options": []},
                ],
            },
        ],
    },
    # A global command of the same name is shadowed by the guild one.
    {"id": "4", "name": "nexus", "description": "GLOBAL (stale)", "type": 1, "options": []},
    {"id": "5", "name": "ping", "description": "Is Nexus alive?", "type": 1, "options": []},
    # Context menus are not slash commands.
    {"id": "6", "name": "Show project", "description": "", "type": 2},
]


@pytest.fixture
def index() -> CommandIndex:
    return CommandIndex(TREE)


def error_of(index: CommandIndex, line: str) -> str:
    with pytest.raises(ConsoleInputError) as info:
        index.parse(line)
    message = str(info.value)
    assert "\n" not in message  # one line
    return message


def test_issue_example_is_parsed_into_path_and_typed_options(index: CommandIndex) -> None:
    parsed = index.parse(
        '/nexus setup channel:#prodevprojectnexus backend_role:@Backend cohort_start:2026-12-01 timezone:"Africa/Lagos"'
    )
    assert parsed.path == "nexus setup"
    assert parsed.options == {
        "channel": "prodevprojectnexus",
        "backend_role": "Backend",
        "cohort_start": "2026-12-01",
        "timezone": "Africa/Lagos",
    }


def test_paths_cover_subcommands_groups_and_plain_commands_only(index: CommandIndex) -> None:
    assert index.paths == [
        "nexus setup",
        "nexus status",
        "pair queue join",
        "pair queue leave",
        "ping",
        "project announce",
        "project show",
    ]
    assert index.commands["nexus setup"].description == "Configure Nexus for this server"
    assert index.parse("/ping").options == {}
    assert index.parse("/PAIR Queue leave").path == "pair queue leave"


def test_usage_marks_optional_options(index: CommandIndex) -> None:
    assert index.commands["project show"].usage == "/project show [member:<member>]"


def test_mentions_in_every_form(index: CommandIndex) -> None:
    assert index.parse("/nexus setup channel:<#123>").options == {"channel": "123"}
    assert index.parse("/nexus setup channel:#general backend_role:<@&77>").options["backend_role"] == "77"
    assert index.parse("/project show member:<@!42>").options == {"member": "42"}
    assert index.parse("/project show member:@ada").options == {"member": "ada"}
    assert index.parse("/project show member:ada").options == {"member": "ada"}
    assert index.parse("/pair queue join who:@Backend").options == {"who": "Backend"}


def test_values_are_typed_by_schema(index: CommandIndex) -> None:
    options = index.parse("/pair queue join hours:12 weight:2.5").options
    assert options == {"hours": 12, "weight": 2.5}
    assert isinstance(options["hours"], int)
    for typed, expected in (("true", True), ("yes", True), ("No", False), ("false", False)):
        parsed = index.parse(f"/project announce title:x track:ecommerce looking:{typed}")
        assert parsed.options["looking"] is expected


def test_text_runs_on_until_the_next_option_like_discord(index: CommandIndex) -> None:
    parsed = index.parse("/project announce title:Ada's shop front track:Job board note:meet at 10:30 please")
    assert parsed.options == {
        "title": "Ada's shop front",
        "track": "job-board",
        "note": "meet at 10:30 please",
    }


def test_quotes_group_words_and_apostrophes_stay_literal(index: CommandIndex) -> None:
    parsed = index.parse("""/project announce title:"It's Bob's" track:ecommerce note:'say "hi"'""")
    assert parsed.options["title"] == "It's Bob's"
    assert parsed.options["note"] == 'say "hi"'
    parsed = index.parse("/project announce title:x track:ecommerce repo:https://github.com/ada/shop")
    assert parsed.options["repo"] == "https://github.com/ada/shop"


def test_split_words_keeps_quoted_text_whole() -> None:
    words = split_words('a "b c" d:"e f" g\'s')
    assert [w.text for w in words] == ["a", "b c", "d:e f", "g's"]
    assert [w.literal for w in words] == [False, True, False, False]


def test_choices_accept_value_or_name_and_list_them_on_error(index: CommandIndex) -> None:
    assert index.parse("/project announce title:x track:ecommerce").options["track"] == "ecommerce"
    assert index.parse('/project announce title:x track:"e-commerce catalog"').options["track"] == "ecommerce"
    message = error_of(index, "/project announce title:x track:games")
    assert message == "'games' is not a choice for track; choose one of: E-commerce catalog, Job board"


# Shaped like the real `/prompts add` (cogs._choices.WEEKDAY_CHOICES): the values are the day names.
WEEKDAY_TREE: list[dict[str, Any]] = [{
    "id": "7", "name": "prompts", "description": "Prompts", "type": 1, "guild_id": GUILD_ID,
    "options": [{"name": "add", "description": "Add", "type": 1, "options": [
        {"type": 3, "name": "weekday", "description": "Day", "required": True,
         "choices": [{"name": day.capitalize(), "value": day} for day in WEEKDAYS]},
    ]}],
}]


def test_a_weekday_is_taken_by_its_name_and_a_number_is_refused() -> None:
    index = CommandIndex(WEEKDAY_TREE)
    assert index.parse("/prompts add weekday:Tuesday").options == {"weekday": "tuesday"}
    assert index.parse("/prompts add weekday:tuesday").options == {"weekday": "tuesday"}
    assert index.parse("/prompts add weekday:Tuesday").choice_notes() == []
    assert index.parse("/prompts add weekday:tuesday").choice_notes() == []
    # No number stands for a day: `weekday:2` is refused with the names, not taken as Wednesday.
    names = "Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday"
    assert error_of(index, "/prompts add weekday:2") == f"'2' is not a choice for weekday; choose one of: {names}"
    assert error_of(index, "/prompts add weekday:Tues").startswith("'Tues' is not a choice for weekday")


NUMBER_TREE: list[dict[str, Any]] = [{
    "id": "8", "name": "pick", "description": "Pick", "type": 1, "guild_id": GUILD_ID,
    "options": [{"type": 4, "name": "size", "description": "Size", "required": True,
                 "choices": [{"name": "Small", "value": 1}, {"name": "Large", "value": 3}]}],
}]


def test_a_number_choice_takes_its_name_or_its_value_said_back_by_name() -> None:
    index = CommandIndex(NUMBER_TREE)
    assert index.parse("/pick size:large").options == {"size": 3}
    given = index.parse("/pick size:3")
    assert given.options == {"size": 3}
    assert given.choice_notes() == ["size:3 is Large"]
    assert error_of(index, "/pick size:2") == "'2' is not a choice for size; choose one of: Small, Large"


def test_unknown_command_suggests_the_closest(index: CommandIndex) -> None:
    assert error_of(index, "/nexu status").startswith("unknown command /nexu; did you mean /nexus status")
    assert "did you mean /project" in error_of(index, "/projcet")
    assert error_of(index, "/nexus stats").startswith("unknown subcommand /nexus stats; did you mean /nexus status")
    assert error_of(index, "/nexus") == "/nexus needs a subcommand: /nexus setup, /nexus status"
    assert error_of(index, "/pair queue") == "/pair queue needs a subcommand: /pair queue join, /pair queue leave"
    assert error_of(index, "/").startswith("type a command after /")


def test_unknown_option_lists_the_valid_ones(index: CommandIndex) -> None:
    assert error_of(index, "/nexus setup chanel:#general") == (
        "unknown option 'chanel' for /nexus setup; did you mean channel? "
        "(options: channel, backend_role, frontend_role, cohort_start, timezone)"
    )
    assert error_of(index, "/nexus status verbose:true") == (
        "unknown option 'verbose' for /nexus status (options: (none))"
    )


def test_missing_required_option_shows_usage(index: CommandIndex) -> None:
    assert error_of(index, "/project announce title:Shop") == (
        "missing required option track: /project announce title:<text> track:<text> [repo:<text>] "
        "[looking:<true/false>] [note:<text>]"
    )
    assert error_of(index, "/project announce").startswith("missing required options title, track:")


def test_bad_values(index: CommandIndex) -> None:
    assert error_of(index, "/pair queue join hours:many") == "hours takes a whole number, got 'many'"
    assert error_of(index, "/pair queue join hours:0") == "hours must be at least 1 (got 0)"
    assert error_of(index, "/pair queue join hours:41") == "hours must be at most 40 (got 41)"
    assert error_of(index, "/pair queue join weight:heavy") == "weight takes a number, got 'heavy'"
    assert error_of(index, "/pair queue join weight:nan") == "weight takes a finite number, got 'nan'"
    assert error_of(index, "/project announce title:x track:ecommerce looking:maybe") == (
        "looking takes true or false (yes/no), got 'maybe'"
    )
    long_title = "x" * 41
    assert error_of(index, f"/project announce title:{long_title} track:ecommerce") == (
        "title takes at most 40 characters (got 41)"
    )


def test_structural_mistakes(index: CommandIndex) -> None:
    assert error_of(index, "/nexus setup channel:#a channel:#b") == "option channel given twice"
    assert error_of(index, "/nexus status now") == "/nexus status takes no options (got 'now')"
    assert error_of(index, "/pair queue join 12").startswith("options are written name:value, got '12'")
    assert error_of(index, '/nexus setup channel:"#general') == 'no closing " in: channel:"#general'
    assert error_of(index, "nexus status") == "a slash command starts with /"


def test_guild_command_shadows_global_and_context_menus_are_ignored(index: CommandIndex) -> None:
    assert index.children[""] == ["nexus", "pair", "ping", "project"]
    assert "Show project" not in " ".join(index.paths)
