"""A form (modal) the bot opened, shown as numbered fields with how to fill them in from the console.

Fields are the stand-in's own `ModalField` records; the raw Discord dict of a modal (action rows of
text inputs, or Labels around a text input or a select) is read into the same type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from sandbox.standin import ModalField

from ._components import SELECTS
from ._markup import Names, attr

TEXT_INPUT = 4
LABEL = 18
TEXT_STYLES = {1: "one line", 2: "paragraph"}


def is_select(item: ModalField) -> bool:
    """A select menu inside the form (its value is a comma-separated list of choices)."""
    return item.component_type in SELECTS


def field_key(item: ModalField) -> str:
    """What a person types in `fill key=value`: the custom id, or the label's slug when the
    custom id is one discord.py generated (32 hex characters nobody wants to type)."""
    if re.fullmatch(r"[0-9a-f]{32}", item.custom_id) and item.label:
        return field_slug(item.label)
    return item.custom_id


def field_slug(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", text.strip().lower())


def modal_fields(modal: Any) -> list[ModalField]:
    """A ModalRecord's fields, or the text inputs and selects of a raw modal dict."""
    return [item for item, _ in described_fields(modal)]


def described_fields(modal: Any) -> list[tuple[ModalField, str | None]]:
    """The form's fields, each with the description its Label gives it (raw modal dicts carry one)."""
    fields = attr(modal, "fields")
    if fields is not None:
        return [(_as_field(f), attr(f, "description")) for f in fields]
    out: list[tuple[ModalField, str | None]] = []

    def visit(components: Sequence[Mapping[str, Any]], label: str | None, description: str | None) -> None:
        for comp in components:
            if comp.get("type") == LABEL:
                visit([comp.get("component") or {}], comp.get("label"), comp.get("description"))
            elif comp.get("type") in SELECTS and label is not None:
                item = ModalField(
                    custom_id=str(comp.get("custom_id", "")),
                    label=str(label),
                    style=0,
                    required=bool(comp.get("required", True)),
                    min_length=comp.get("min_values"),
                    max_length=comp.get("max_values"),
                    placeholder=comp.get("placeholder"),
                    component_type=int(comp["type"]),
                    in_label=True,
                    options=list(comp.get("options") or []),
                    value=_chosen_by_default(comp.get("options") or []),
                )
                out.append((item, description))
            elif comp.get("type") == TEXT_INPUT:
                item = ModalField(
                    custom_id=str(comp.get("custom_id", "")),
                    label=str(comp.get("label") or label or comp.get("custom_id", "")),
                    style=int(comp.get("style", 1) or 1),
                    required=bool(comp.get("required", True)),
                    min_length=comp.get("min_length"),
                    max_length=comp.get("max_length"),
                    placeholder=comp.get("placeholder"),
                    value=comp.get("value"),
                    in_label=label is not None,
                )
                out.append((item, description))
            else:
                visit(comp.get("components") or [], label, description)

    visit(list(attr(modal, "components", None) or []), None, None)
    return out


def _chosen_by_default(options: Sequence[Mapping[str, Any]]) -> str | None:
    """A select's default options as `fill` takes them (comma-separated), or None."""
    return ",".join(str(o.get("value")) for o in options if o.get("default")) or None


def _as_field(f: Any) -> ModalField:
    """A record's field as a ModalField: the stand-in's own as it is (named by its custom id when it
    has no label), anything shaped like one (a test's namespace) read attribute by attribute."""
    if isinstance(f, ModalField):
        if f.defaults and f.value is None:  # a select starts at its default options, as in Discord
            f = replace(f, value=",".join(f.defaults))
        return f if f.label else replace(f, label=f.custom_id)
    return ModalField(
        custom_id=str(attr(f, "custom_id", "")),
        label=str(attr(f, "label", "") or attr(f, "custom_id", "")),
        style=int(attr(f, "style", 1) or 1),
        required=bool(attr(f, "required", True)),
        min_length=attr(f, "min_length"),
        max_length=attr(f, "max_length"),
        placeholder=attr(f, "placeholder"),
        value=attr(f, "value"),
        component_type=int(attr(f, "component_type", TEXT_INPUT) or TEXT_INPUT),
        in_label=bool(attr(f, "in_label", False)),
        options=list(attr(f, "options", None) or []),
    )


def describe_field(item: ModalField) -> str:
    """`required · one line · 3–100 characters` for a modal field."""
    bits = ["required" if item.required else "optional"]
    low, high = item.min_length, item.max_length
    if is_select(item):
        least, most = 1 if low is None else low, 1 if high is None else high
        kind = SELECTS.get(item.component_type) or "option"
        bits.append(f"choose {least}–{most} {kind}s" if least != most else f"choose {least} {kind}")
        if item.options:
            bits.append("values: " + ", ".join(str(o.get("value")) for o in item.options))
        return " · ".join(bits)
    bits.append(TEXT_STYLES.get(item.style, "text"))
    if low and high:
        bits.append(f"{low}–{high} characters")
    elif high:
        bits.append(f"up to {high} characters")
    elif low:
        bits.append(f"at least {low} characters")
    return " · ".join(bits)


def render_modal(modal: Any, names: Names | None = None) -> RenderableType:
    """A modal: its title and numbered fields, with how to fill it in from the console."""
    parts: list[RenderableType] = []
    for number, (item, description) in enumerate(described_fields(modal), start=1):
        line = Text()
        line.append(f"{number}. ", style="bold")
        line.append(item.label, style="bold")
        line.append(f"  [{field_key(item)}]", style="dim")
        line.append(f"  {describe_field(item)}", style="dim")
        parts.append(line)
        if description:
            parts.append(Text(f"     {description}", style="dim"))
        if item.placeholder:
            parts.append(Text(f"     placeholder: {item.placeholder}", style="dim italic"))
        if item.value:
            parts.append(Text(f"     prefilled: {item.value}", style="green"))
    if not parts:
        parts.append(Text("(no fields)", style="dim"))
    hint = Text("fill it with: fill field=value …", style="dim")
    title = Text.assemble(("form: ", "dim"), (str(attr(modal, "title", "") or ""), "bold"))
    return Panel(Group(*parts, hint), title=title, title_align="left", border_style="#5865f2", expand=False)
