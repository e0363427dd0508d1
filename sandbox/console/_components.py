"""Message components as a person sees them: numbered buttons, select menus, Components V2 layouts.

Buttons and select menus are numbered in one fixed order (depth first, as they appear on screen),
and `iter_buttons` / `iter_selects` give the console the same order for `press N` and `select N`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

from ._markup import Names, colour, render_markup

BUTTON = 2
STRING_SELECT = 3
SELECTS = {3: "", 5: "member", 6: "role", 7: "member or role", 8: "channel"}
SECTION, TEXT_DISPLAY, THUMBNAIL, MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER = 9, 10, 11, 12, 13, 14, 17

# Named colours, not hex: they look right on 16-colour terminals too.
BUTTON_STYLES = {
    1: "bold bright_white on blue",  # primary (blurple in Discord)
    2: "bold bright_white on bright_black",  # secondary
    3: "bold bright_white on green",  # success
    4: "bold bright_white on red",  # danger
    5: "underline bright_blue",  # link
    6: "bold bright_white on magenta",  # premium
}


def walk_components(components: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Every component, depth first in screen order (a section's accessory after its texts)."""
    for comp in components:
        yield comp
        yield from walk_components(comp.get("components") or [])
        accessory = comp.get("accessory")
        if accessory:
            yield from walk_components([accessory])
        inner = comp.get("component")  # a modal Label wraps one component
        if inner:
            yield from walk_components([inner])


def iter_buttons(components: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The message's buttons in the order `press N` counts them (1-based on screen)."""
    return [c for c in walk_components(components) if c.get("type") == BUTTON]


def iter_selects(components: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The message's select menus in the order `select N` counts them."""
    return [c for c in walk_components(components) if c.get("type") in SELECTS]


class _Counter:
    def __init__(self) -> None:
        self.buttons = 0
        self.selects = 0


def render_components(components: Sequence[Mapping[str, Any]], names: Names) -> RenderableType:
    """Action rows of numbered buttons and select menus (and Components V2 layouts)."""
    counter = _Counter()
    return Group(*_render_component_list(components, names, counter))


def _render_component_list(
    components: Sequence[Mapping[str, Any]], names: Names, counter: _Counter
) -> list[RenderableType]:
    out: list[RenderableType] = []
    for comp in components:
        kind = comp.get("type")
        if kind == 1:
            buttons: list[Text] = []
            rest: list[RenderableType] = []
            for child in comp.get("components") or []:
                if child.get("type") == BUTTON:
                    buttons.append(_button(child, counter))
                else:
                    rest.extend(_render_component_list([child], names, counter))
            if buttons:
                out.append(ButtonRow(buttons))
            out.extend(rest)
        elif kind == BUTTON:
            out.append(_button(comp, counter))
        elif kind in SELECTS:
            out.append(_select(comp, counter, names))
        elif kind == TEXT_DISPLAY:
            out.append(render_markup(str(comp.get("content", "")), names))
        elif kind == SECTION:
            texts = _render_component_list(comp.get("components") or [], names, counter)
            accessory = comp.get("accessory") or {}
            if accessory.get("type") == BUTTON:
                texts.append(_button(accessory, counter))
            elif accessory.get("type") == THUMBNAIL:
                texts.append(Text(f"[thumbnail: {(accessory.get('media') or {}).get('url', '')}]", style="dim"))
            out.append(Group(*texts))
        elif kind == CONTAINER:
            inner = _render_component_list(comp.get("components") or [], names, counter)
            border = colour(comp.get("accent_color"))
            out.append(Panel(Group(*inner), border_style=border, expand=False, padding=(0, 1)))
        elif kind == SEPARATOR:
            out.append(Rule(style="grey35") if comp.get("divider", True) else Text(""))
        elif kind == MEDIA_GALLERY:
            for item in comp.get("items") or []:
                out.append(Text(f"[image: {(item.get('media') or {}).get('url', '')}]", style="dim"))
        elif kind == FILE:
            out.append(Text(f"[file: {(comp.get('file') or {}).get('url', '')}]", style="dim"))
        elif kind == THUMBNAIL:
            out.append(Text(f"[thumbnail: {(comp.get('media') or {}).get('url', '')}]", style="dim"))
        else:
            out.append(Text(f"[component type {kind}]", style="dim"))
    return out


class ButtonRow:
    """An action row's buttons side by side, or one per line when they do not fit the width."""

    def __init__(self, buttons: list[Text]) -> None:
        self.buttons = buttons

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        row = Text("  ").join(self.buttons)
        if row.cell_len <= options.max_width:
            yield row
        else:
            yield from self.buttons


def _emoji(comp: Mapping[str, Any]) -> str:
    emoji = comp.get("emoji") or {}
    name = emoji.get("name")
    if not name:
        return ""
    return f"{name} " if not emoji.get("id") else f":{name}: "


def _button(comp: Mapping[str, Any], counter: _Counter) -> Text:
    counter.buttons += 1
    style_no = int(comp.get("style", 2) or 2)
    disabled = bool(comp.get("disabled"))
    label = (_emoji(comp) + str(comp.get("label") or "")).strip() or "(no label)"
    text = Text()
    text.append(f"[{counter.buttons}] ", style="dim" if disabled else "bold")
    text.append(label, style="dim" if disabled else BUTTON_STYLES.get(style_no, ""))
    if style_no == 5 and comp.get("url"):
        text.append(f" ↗ {comp['url']}", style="dim")
    if disabled:
        text.append(" (disabled)", style="dim")
    return text


def _select(comp: Mapping[str, Any], counter: _Counter, names: Names) -> RenderableType:
    counter.selects += 1
    kind = int(comp.get("type", STRING_SELECT))
    disabled = bool(comp.get("disabled"))
    low, high = int(comp.get("min_values", 1) or 0), int(comp.get("max_values", 1) or 1)
    head = Text()
    head.append(f"[select {counter.selects}] ", style="dim" if disabled else "bold")
    head.append(str(comp.get("placeholder") or "Make a selection"), style="dim" if disabled else "italic")
    if high > 1 or low != 1:
        head.append(f"  (choose {low}–{high})" if low != high else f"  (choose {low})", style="dim")
    if SELECTS.get(kind):
        head.append(f"  ({SELECTS[kind]} select)", style="dim")
    if disabled:
        head.append(" (disabled)", style="dim")
    lines: list[RenderableType] = [head]
    for number, option in enumerate(comp.get("options") or [], start=1):
        line = Text(f"    {number}. ")  # `select N` picks by this number, as `press N` does
        line.append((_emoji(option) + str(option.get("label", ""))).strip())
        if str(option.get("value")) != str(option.get("label")):
            line.append(f"  = {option.get('value')}", style="dim")
        if option.get("description"):
            line.append(f" — {option['description']}", style="dim")
        if option.get("default"):
            line.append(" (selected)", style="green")
        lines.append(line)
    return Group(*lines)
