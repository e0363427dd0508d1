"""The console shows messages and forms the way a person reads them in Discord (pure, no stand-in)."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

from rich.console import Console, RenderableType

from sandbox.console._components import iter_buttons, iter_selects
from sandbox.console._forms import modal_fields, render_modal
from sandbox.console._markup import Names, format_timestamp, relative_time, render_markup
from sandbox.console._message import render_message
from sandbox.standin import ModalField

NOW = 1_764_576_000  # 2025-12-01 08:00:00 UTC
NAMES = Names(
    users={1: "ada", 2: "nexus", 3: "ben"},
    roles={10: "everyone", 11: "Backend"},
    channels={20: "prodevprojectnexus", 21: "Shop thread"},
    now=lambda: NOW,
)


def show(renderable: RenderableType) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(renderable)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(out, str)
    return out


def message(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "500",
        "channel_id": "20",
        "author": {"id": "2", "username": "nexus", "global_name": None},
        "content": "",
        "embeds": [],
        "components": [],
        "flags": 0,
        "edited_timestamp": None,
    }
    base.update(fields)
    return base


def test_mentions_and_channels_become_names() -> None:
    text = render_markup("hi <@1> and <@!3>, <@&11> see <#20> / <#21>; <@999> <@&10>", NAMES).plain
    assert text == "hi @ada and @ben, @Backend see #prodevprojectnexus / #Shop thread; @unknown-user-999 @everyone"


def test_timestamps_are_dated_in_utc_and_relative() -> None:
    start = 1_764_835_200  # 2025-12-04 08:00 UTC
    assert render_markup(f"<t:{start}:F>", NAMES).plain == "Thursday, 4 December 2025 08:00 UTC"
    assert render_markup(f"<t:{start}:R>", NAMES).plain == "in 3 days"
    assert render_markup(f"<t:{start}>", NAMES).plain == "4 December 2025 08:00 UTC"
    assert format_timestamp(start, "d") == "04/12/2025"
    assert format_timestamp(start, "D") == "4 December 2025"
    assert format_timestamp(start, "t") == "08:00 UTC"
    assert format_timestamp(start - 7200, "R", now=start) == "2 hours ago"


def test_relative_time_units() -> None:
    assert relative_time(10) == "in a few seconds"
    assert relative_time(-90) == "2 minutes ago"
    assert relative_time(3600) == "in 1 hour"
    assert relative_time(86400 * 2) == "in 2 days"
    assert relative_time(-86400 * 60) == "2 months ago"
    assert relative_time(86400 * 800) == "in 2 years"


def test_markup_is_simplified_not_lost() -> None:
    text = render_markup(
        "# Week one\n**Bold** and *it* and __u__ ~~s~~ `code` [docs](https://example.org)\n> quoted\n-# small "
        "</pair find:123> <:party:99>",
        NAMES,
    ).plain
    assert text == ("Week one\nBold and it and u s code docs (https://example.org)\n▎ quoted\nsmall /pair find :party:")
    block = render_markup("before\n```py\nprint(1)\n```\nafter", NAMES).plain
    assert block == "before\n  print(1)\nafter"


def test_message_with_embed_fields_and_footer() -> None:
    out = show(
        render_message(
            message(
                content="Welcome <@1>!",
                embeds=[
                    {
                        "title": "Shop — a project by ada",
                        "url": "https://github.com/ada/shop",
                        "description": "Sells **things**",
                        "color": 0x3498DB,
                        "author": {"name": "Project announcement"},
                        "fields": [
                            {"name": "Track", "value": "E-commerce", "inline": True},
                            {"name": "Discipline", "value": "Backend", "inline": True},
                            {"name": "Stack", "value": "Django, DRF", "inline": False},
                        ],
                        "footer": {"text": "Looking for a partner"},
                        "timestamp": "2026-12-01T09:00:00+00:00",
                        "image": {"url": "https://img.example/x.png"},
                    }
                ],
            ),
            NAMES,
            where="#prodevprojectnexus",
        )
    )
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines[0] == "#prodevprojectnexus · nexus"
    assert lines[1] == "  Welcome @ada!"
    assert "Project announcement" in out
    assert "Shop — a project by ada  https://github.com/ada/shop" in out
    assert "Sells things" in out
    track_line = next(line for line in lines if "Track" in line)
    assert "Discipline" in track_line  # inline fields side by side
    assert "Stack" in out and "Django, DRF" in out
    assert "Looking for a partner • 1 December 2026 09:00 UTC" in out
    assert "[image: https://img.example/x.png]" in out
    assert lines[2].startswith("  ╭")  # the embed is a panel


def test_buttons_are_numbered_across_rows_with_states() -> None:
    components = [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 3, "label": "Accept", "custom_id": "pair:accept:1"},
                {"type": 2, "style": 4, "label": "Decline", "custom_id": "pair:decline:1", "disabled": True},
            ],
        },
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 5, "label": "Repository", "url": "https://github.com/ada/shop"},
                {"type": 2, "style": 2, "label": "Next", "custom_id": "page:2", "emoji": {"name": "➡️"}},
            ],
        },
    ]
    out = show(render_message(message(content="A request", components=components), NAMES))
    assert "[1] Accept  [2] Decline (disabled)" in out
    assert "[3] Repository ↗ https://github.com/ada/shop  [4] ➡️ Next" in out
    assert [b["label"] for b in iter_buttons(components)] == ["Accept", "Decline", "Repository", "Next"]


def test_select_menus_show_their_options() -> None:
    components = [
        {
            "type": 1,
            "components": [
                {
                    "type": 3,
                    "custom_id": "track",
                    "placeholder": "Pick a track",
                    "min_values": 1,
                    "max_values": 2,
                    "options": [
                        {"label": "E-commerce", "value": "ecommerce", "description": "A catalog"},
                        {"label": "job-board", "value": "job-board", "default": True},
                    ],
                }
            ],
        },
        {"type": 1, "components": [{"type": 5, "custom_id": "who", "placeholder": "Pick a partner"}]},
    ]
    out = show(render_message(message(components=components), NAMES))
    assert "[select 1] Pick a track  (choose 1–2)" in out
    assert "1. E-commerce  = ecommerce — A catalog" in out
    assert "2. job-board (selected)" in out
    assert "[select 2] Pick a partner  (member select)" in out
    assert [s["custom_id"] for s in iter_selects(components)] == ["track", "who"]


def test_ephemeral_edited_and_empty_messages_are_marked() -> None:
    out = show(render_message(message(content="Only for you", flags=64, edited_timestamp="x"), NAMES, note="replied"))
    assert out.splitlines()[0].rstrip() == "nexus · replied · ephemeral — only you can see this (edited)"
    out = show(render_message(message(flags=128), NAMES))
    assert "nexus is thinking…" in out
    out = show(render_message(message(), NAMES))
    assert "(no content)" in out


def test_record_objects_render_like_dicts() -> None:
    record = SimpleNamespace(
        id=7,
        channel_id=20,
        author_id=2,
        content="<@3> hello",
        embeds=[],
        components=[],
        flags=64,
        ephemeral=True,
        edited=False,
        deleted=True,
    )
    out = show(render_message(record, NAMES))
    assert out.splitlines()[0].rstrip() == "nexus · ephemeral — only you can see this (deleted)"
    assert "@ben hello" in out


def test_components_v2_layout_numbering_matches_press_order() -> None:
    components = [
        {
            "type": 17,
            "accent_color": 0x2ECC71,
            "components": [
                {"type": 10, "content": "## Your matches"},
                {
                    "type": 9,
                    "components": [{"type": 10, "content": "**ben** — frontend"}],
                    "accessory": {"type": 2, "style": 1, "label": "Request ben", "custom_id": "req:3"},
                },
                {"type": 14, "divider": True},
                {"type": 1, "components": [{"type": 2, "style": 2, "label": "More", "custom_id": "more"}]},
            ],
        },
    ]
    out = show(render_message(message(flags=1 << 15, components=components), NAMES))
    assert "Your matches" in out and "ben — frontend" in out
    assert out.index("[1] Request ben") < out.index("[2] More")
    assert [b["label"] for b in iter_buttons(components)] == ["Request ben", "More"]


def test_modal_from_record_lists_numbered_fields() -> None:
    modal = SimpleNamespace(
        custom_id="announce",
        title="Announce your project",
        fields=[
            SimpleNamespace(
                custom_id="title",
                label="Title",
                style=1,
                required=True,
                min_length=3,
                max_length=80,
                placeholder="My shop",
                value=None,
            ),
            SimpleNamespace(
                custom_id="body",
                label="What it does",
                style=2,
                required=False,
                min_length=None,
                max_length=1000,
                placeholder=None,
                value="Sells things",
            ),
        ],
    )
    out = show(render_modal(modal))
    assert "form: Announce your project" in out
    assert "1. Title  [title]  required · one line · 3–80 characters" in out
    assert "placeholder: My shop" in out
    assert "2. What it does  [body]  optional · paragraph · up to 1000 characters" in out
    assert "prefilled: Sells things" in out
    assert "fill it with: fill field=value" in out


def test_modal_from_raw_payload_with_action_rows_and_labels() -> None:
    raw = {
        "custom_id": "m",
        "title": "Check-in",
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "done", "label": "Done", "style": 2}]},
            {
                "type": 18,
                "label": "Next",
                "description": "What comes next",
                "component": {"type": 4, "custom_id": "next", "style": 1, "required": False},
            },
        ],
    }
    fields = modal_fields(raw)
    assert [(f.custom_id, f.label, f.required) for f in fields] == [("done", "Done", True), ("next", "Next", False)]
    assert "What comes next" in show(render_modal(raw))


def test_a_select_in_a_form_is_prefilled_with_its_default_options() -> None:
    options = [{"label": "Python", "value": "Python"}, {"label": "Django", "value": "Django", "default": True}]
    raw = {"custom_id": "m", "title": "Write the topic", "components": [
        {"type": 18, "label": "Category", "component": {"type": 3, "custom_id": "category", "options": options}}]}
    (field,) = modal_fields(raw)
    assert field.value == "Django"
    record = SimpleNamespace(custom_id="m", title="Write the topic", fields=[
        ModalField("category", "Category", style=0, component_type=3, in_label=True, options=options,
                   defaults=["Django"])])
    assert modal_fields(record)[0].value == "Django"
    assert "prefilled: Django" in show(render_modal(record))


def test_markdown_escapes_are_shown_as_typed() -> None:
    assert render_markup(r"sync\_to\_async \*not bold\* \<@1>", NAMES).plain == "sync_to_async *not bold* <@1>"


def test_a_row_of_long_buttons_wraps_one_per_line() -> None:
    labels = [f"Topic number {n} with a rather long descriptive label" for n in range(1, 4)]
    row = [{"type": 2, "style": 2, "label": label, "custom_id": f"t{n}"} for n, label in enumerate(labels)]
    out = show(render_message(message(components=[{"type": 1, "components": row}]), NAMES))
    lines = [line.strip() for line in out.splitlines()[1:]]
    assert lines == [f"[{n}] {label}" for n, label in enumerate(labels, start=1)]
