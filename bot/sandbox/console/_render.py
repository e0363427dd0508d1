"""Show a Discord message the way a person reads it in the client, with rich renderables.

Everything here is pure: it takes a stand-in `MessageRecord` / `ModalRecord` (or the raw Discord
dict of a message or modal) and a `Names` lookup, and returns renderables. The console decides
where they go. Buttons and select menus are numbered in one fixed order (depth first, as they
appear on screen), and `iter_buttons` / `iter_selects` give the console the same order for
`press N` and `select N`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.rule import Rule
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

EPHEMERAL = 1 << 6
LOADING = 1 << 7

BUTTON = 2
STRING_SELECT = 3
TEXT_INPUT = 4
SELECTS = {3: "", 5: "member", 6: "role", 7: "member or role", 8: "channel"}
SECTION, TEXT_DISPLAY, THUMBNAIL, MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER, LABEL = 9, 10, 11, 12, 13, 14, 17, 18

# Named colours, not hex: they look right on 16-colour terminals too.
BUTTON_STYLES = {
    1: "bold bright_white on blue",  # primary (blurple in Discord)
    2: "bold bright_white on bright_black",  # secondary
    3: "bold bright_white on green",  # success
    4: "bold bright_white on red",  # danger
    5: "underline bright_blue",  # link
    6: "bold bright_white on magenta",  # premium
}
MENTION_STYLE = "bold bright_blue"
TIME_STYLE = "bright_cyan"
CODE_STYLE = "yellow"
EPHEMERAL_NOTE = "ephemeral — only you can see this"


def attr(obj: Any, name: str, default: Any = None) -> Any:
    """Read `name` from a dict payload or a record object alike."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


@dataclass
class Names:
    """Ids -> names for mentions. Unknown ids stay readable (`@unknown-user`), never raise."""

    users: dict[int, str] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)
    channels: dict[int, str] = field(default_factory=dict)
    now: Callable[[], float] = time.time

    def user(self, user_id: Any) -> str:
        return self.users.get(_int(user_id), f"unknown-user-{user_id}")

    def role(self, role_id: Any) -> str:
        return self.roles.get(_int(role_id), f"unknown-role-{role_id}")

    def channel(self, channel_id: Any) -> str:
        return self.channels.get(_int(channel_id), f"unknown-channel-{channel_id}")


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


# ------------------------------------------------------------------ Discord markup -> rich Text

_CODE_BLOCK = re.compile(r"```(?:[\w+-]*\n)?(.*?)```", re.DOTALL)
_INLINE = re.compile(
    r"\\(?P<escaped>[^\sA-Za-z0-9])"
    r"|(?P<code>`+)(?P<code_body>.+?)(?P=code)"
    r"|<@!?(?P<user>\d+)>"
    r"|<@&(?P<role>\d+)>"
    r"|<#(?P<channel>\d+)>"
    r"|<t:(?P<ts>-?\d+)(?::(?P<ts_style>[tTdDfFRsS]))?>"
    r"|</(?P<slash>[\w -]+):\d+>"
    r"|<(?P<animated>a?):(?P<emoji>\w+):\d+>"
    r"|\[(?P<link_label>[^\]\n]+)\]\(<?(?P<link_url>https?://[^\s)>]+)>?\)"
    r"|\*\*(?P<bold>.+?)\*\*"
    r"|__(?P<underline>.+?)__"
    r"|~~(?P<strike>.+?)~~"
    r"|\|\|(?P<spoiler>.+?)\|\|"
    r"|\*(?P<italic>[^*\s](?:.*?[^*\s])?)\*"
    r"|(?<!\w)_(?P<italic2>[^_\s](?:.*?[^_\s])?)_(?!\w)"
)


def format_timestamp(unix: int, style: str | None, now: float | None = None) -> str:
    """`<t:unix:style>` as Discord shows it, in UTC so a replayed script reads the same everywhere."""
    try:
        when = datetime.fromtimestamp(unix, UTC)
    except (OverflowError, OSError, ValueError):
        return f"<t:{unix}>"
    style = style or "f"
    if style == "R":
        return relative_time(unix - (time.time() if now is None else now))
    day = f"{when.day} {when:%B %Y}"
    formats = {
        "t": f"{when:%H:%M} UTC",
        "T": f"{when:%H:%M:%S} UTC",
        "d": f"{when:%d/%m/%Y}",
        "D": day,
        "f": f"{day} {when:%H:%M} UTC",
        "F": f"{when:%A}, {day} {when:%H:%M} UTC",
        "s": f"{when:%d/%m/%Y, %H:%M} UTC",
        "S": f"{when:%d/%m/%Y, %H:%M:%S} UTC",
    }
    return formats.get(style, formats["f"])


def relative_time(seconds: float) -> str:
    """Seconds from now -> "in 3 days" / "5 minutes ago", Discord's rounding roughly."""
    ahead = seconds >= 0
    span = abs(seconds)
    if span < 45:
        return "in a few seconds" if ahead else "a few seconds ago"
    for unit, size, limit in (
        ("minute", 60, 45 * 60),
        ("hour", 3600, 22 * 3600),
        ("day", 86400, 26 * 86400),
        ("month", 30 * 86400, 320 * 86400),
        ("year", 365 * 86400, float("inf")),
    ):
        if span < limit:
            count = max(1, round(span / size))
            words = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {words}" if ahead else f"{words} ago"
    return ""  # unreachable: the last limit is infinite


def render_markup(text: str, names: Names, base_style: str = "") -> Text:
    """Discord message markup made readable: mentions resolved, timestamps dated, emphasis styled."""
    out = Text(style=base_style)
    pos = 0
    for block in _CODE_BLOCK.finditer(text):
        out.append_text(_render_lines(text[pos : block.start()], names))
        body = block.group(1).rstrip("\n")
        out.append("\n".join("  " + line for line in body.split("\n")), style=CODE_STYLE)
        pos = block.end()
    out.append_text(_render_lines(text[pos:], names))
    return out


def _render_lines(text: str, names: Names) -> Text:
    out = Text()
    lines = text.split("\n")
    quote_rest = False
    for i, line in enumerate(lines):
        style = ""
        prefix = ""
        if quote_rest or line.startswith(">>> "):
            if line.startswith(">>> "):
                line = line[4:]
                quote_rest = True
            prefix = "▎ "
        elif line.startswith("> ") or line == ">":
            line = line[2:]
            prefix = "▎ "
        if line.startswith("-# "):
            line, style = line[3:], "dim"
        else:
            heading = re.match(r"^(#{1,3}) (.*)$", line)
            if heading:
                line, style = heading.group(2), "bold underline" if len(heading.group(1)) == 1 else "bold"
        if prefix:
            out.append(prefix, style="dim")
        out.append_text(_render_inline(line, names, style))
        if i < len(lines) - 1:
            out.append("\n")
    return out


def _render_inline(text: str, names: Names, style: str) -> Text:
    out = Text()
    pos = 0
    for match in _INLINE.finditer(text):
        if match.start() > pos:
            out.append(text[pos : match.start()], style=style)
        pos = match.end()
        kind = match.lastgroup
        groups = match.groupdict()
        if groups["escaped"]:
            out.append(groups["escaped"], style=style)
        elif groups["code"]:
            out.append(groups["code_body"].strip(), style=_join(style, CODE_STYLE))
        elif groups["user"]:
            out.append("@" + names.user(groups["user"]), style=_join(style, MENTION_STYLE))
        elif groups["role"]:
            out.append("@" + names.role(groups["role"]), style=_join(style, MENTION_STYLE))
        elif groups["channel"]:
            out.append("#" + names.channel(groups["channel"]), style=_join(style, MENTION_STYLE))
        elif groups["ts"]:
            stamp = format_timestamp(int(groups["ts"]), groups["ts_style"], names.now())
            out.append(stamp, style=_join(style, TIME_STYLE))
        elif groups["slash"]:
            out.append("/" + groups["slash"], style=_join(style, MENTION_STYLE))
        elif groups["emoji"]:
            out.append(f":{groups['emoji']}:", style=style)
        elif groups["link_label"]:
            out.append_text(_render_inline(groups["link_label"], names, _join(style, "underline bright_blue")))
            out.append(f" ({groups['link_url']})", style=_join(style, "dim"))
        else:
            inner_style = {
                "bold": "bold",
                "underline": "underline",
                "strike": "strike",
                "spoiler": "reverse",
                "italic": "italic",
                "italic2": "italic",
            }[str(kind)]
            out.append_text(_render_inline(groups[str(kind)], names, _join(style, inner_style)))
    if pos < len(text):
        out.append(text[pos:], style=style)
    return out


def _join(*styles: str) -> str:
    return " ".join(s for s in styles if s)


# ------------------------------------------------------------------ messages


@dataclass
class MessageView:
    """The parts of a message the console shows, from a MessageRecord or a raw message dict."""

    id: int
    channel_id: int
    author: str
    content: str
    embeds: list[dict[str, Any]]
    components: list[dict[str, Any]]
    flags: int
    ephemeral: bool
    edited: bool
    deleted: bool


def message_view(message: Any, names: Names) -> MessageView:
    flags = int(attr(message, "flags", 0) or 0)
    author_obj = attr(message, "author")
    if author_obj is not None:
        author = str(
            attr(author_obj, "global_name")
            or attr(author_obj, "username")
            or attr(author_obj, "name")
            or names.user(attr(author_obj, "id"))
        )
    else:
        author = names.user(attr(message, "author_id"))
    edited = attr(message, "edited")
    if edited is None:
        edited = bool(attr(message, "edited_timestamp"))
    ephemeral = attr(message, "ephemeral")
    if ephemeral is None:
        ephemeral = bool(flags & EPHEMERAL)
    return MessageView(
        id=_int(attr(message, "id")),
        channel_id=_int(attr(message, "channel_id")),
        author=author,
        content=str(attr(message, "content", "") or ""),
        embeds=list(attr(message, "embeds", None) or []),
        components=list(attr(message, "components", None) or []),
        flags=flags,
        ephemeral=bool(ephemeral),
        edited=bool(edited),
        deleted=bool(attr(message, "deleted", False)),
    )


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


def render_message(
    message: Any,
    names: Names,
    *,
    where: str | None = None,
    note: str | None = None,
) -> RenderableType:
    """One message: a header line (where · author · marks), then its content, embeds and components."""
    view = message_view(message, names)
    header = Text()
    if where:
        header.append(where, style="bold cyan")
        header.append(" · ", style="dim")
    header.append(view.author, style="bold")
    if note:
        header.append(f" · {note}", style="dim")
    if view.ephemeral:
        header.append(f" · {EPHEMERAL_NOTE}", style="italic magenta")
    if view.edited:
        header.append(" (edited)", style="dim")
    if view.deleted:
        header.append(" (deleted)", style="red")
    body: list[RenderableType] = []
    if view.flags & LOADING and not view.content and not view.embeds:
        body.append(Text(f"{view.author} is thinking…", style="italic dim"))
    if view.content:
        body.append(render_markup(view.content, names))
    for embed in view.embeds:
        body.append(render_embed(embed, names))
    if view.components:
        body.append(render_components(view.components, names))
    if not body:
        body.append(Text("(no content)", style="dim"))
    return Group(header, Indent(Group(*body)))


class Indent:
    """Shift a renderable right, without padding its lines to a common width (as `Padding` does):
    a replayed script's output then carries no trailing blanks."""

    def __init__(self, renderable: RenderableType, size: int = 2) -> None:
        self.renderable = renderable
        self.size = size

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width - self.size, 1)
        lines = console.render_lines(self.renderable, options.update_width(width), pad=False)
        margin = Segment(" " * self.size)
        for line in lines:
            yield margin
            yield from line
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        inner = Measurement.get(console, options.update_width(max(options.max_width - self.size, 1)), self.renderable)
        return Measurement(inner.minimum + self.size, inner.maximum + self.size)


def _colour(value: Any, default: str = "grey50") -> str:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return f"#{number:06x}" if number else default


def render_embed(embed: Mapping[str, Any], names: Names) -> RenderableType:
    parts: list[RenderableType] = []
    author = embed.get("author") or {}
    if author.get("name"):
        parts.append(Text(str(author["name"]), style="bold dim"))
    if embed.get("title"):
        title = render_markup(str(embed["title"]), names, "bold")
        if embed.get("url"):
            title.append(f"  {embed['url']}", style="dim underline")
        parts.append(title)
    if embed.get("description"):
        parts.append(render_markup(str(embed["description"]), names))
    fields = list(embed.get("fields") or [])
    row: list[Mapping[str, Any]] = []
    for item in fields:
        if item.get("inline") and len(row) < 3:
            row.append(item)
            continue
        if row:
            parts.append(_field_row(row, names))
            row = []
        if item.get("inline"):
            row.append(item)
        else:
            parts.append(_field(item, names))
    if row:
        parts.append(_field_row(row, names))
    for key in ("image", "thumbnail", "video"):
        url = (embed.get(key) or {}).get("url")
        if url:
            parts.append(Text(f"[{key}: {url}]", style="dim"))
    footer_bits: list[str] = []
    footer = embed.get("footer") or {}
    if footer.get("text"):
        footer_bits.append(str(footer["text"]))
    if embed.get("timestamp"):
        footer_bits.append(_iso_time(str(embed["timestamp"])))
    if footer_bits:
        parts.append(render_markup(" • ".join(footer_bits), names, "dim"))
    if not parts:
        parts.append(Text("(empty embed)", style="dim"))
    return Panel(Group(*parts), border_style=_colour(embed.get("color")), expand=False, padding=(0, 1))


def _field(item: Mapping[str, Any], names: Names) -> RenderableType:
    return Group(
        render_markup(str(item.get("name", "")), names, "bold"),
        render_markup(str(item.get("value", "")), names),
    )


def _field_row(items: list[Mapping[str, Any]], names: Names) -> RenderableType:
    if len(items) == 1:
        return _field(items[0], names)
    grid = Table.grid(padding=(0, 3))
    for _ in items:
        grid.add_column()
    grid.add_row(*(_field(item, names) for item in items))
    return grid


def _iso_time(value: str) -> str:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return format_timestamp(int(when.timestamp()), "f")


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
            border = _colour(comp.get("accent_color"))
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
    for option in comp.get("options") or []:
        line = Text("    • ")
        line.append((_emoji(option) + str(option.get("label", ""))).strip())
        if str(option.get("value")) != str(option.get("label")):
            line.append(f"  = {option.get('value')}", style="dim")
        if option.get("description"):
            line.append(f" — {option['description']}", style="dim")
        if option.get("default"):
            line.append(" (selected)", style="green")
        lines.append(line)
    return Group(*lines)


# ------------------------------------------------------------------ modals

TEXT_STYLES = {1: "one line", 2: "paragraph"}


@dataclass
class FieldView:
    custom_id: str
    label: str
    style: int = 1
    required: bool = True
    min_length: int | None = None
    max_length: int | None = None
    placeholder: str | None = None
    value: str | None = None
    description: str | None = None
    component_type: int = TEXT_INPUT  # or a select type inside a Label
    options: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_select(self) -> bool:
        return self.component_type in SELECTS

    @property
    def key(self) -> str:
        """What a person types in `fill key=value`: the custom id, or the label's slug when the
        custom id is one discord.py generated (32 hex characters nobody wants to type)."""
        if re.fullmatch(r"[0-9a-f]{32}", self.custom_id) and self.label:
            return field_slug(self.label)
        return self.custom_id


def field_slug(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", text.strip().lower())


def modal_fields(modal: Any) -> list[FieldView]:
    """A ModalRecord's fields, or the text inputs of a raw modal dict (action rows or Labels)."""
    fields = attr(modal, "fields")
    if fields is not None:
        return [
            FieldView(
                custom_id=str(attr(f, "custom_id", "")),
                label=str(attr(f, "label", "") or attr(f, "custom_id", "")),
                style=int(attr(f, "style", 1) or 1),
                required=bool(attr(f, "required", True)),
                min_length=attr(f, "min_length"),
                max_length=attr(f, "max_length"),
                placeholder=attr(f, "placeholder"),
                value=attr(f, "value"),
                description=attr(f, "description"),
                component_type=int(attr(f, "component_type", TEXT_INPUT) or TEXT_INPUT),
                options=list(attr(f, "options", None) or []),
            )
            for f in fields
        ]
    out: list[FieldView] = []

    def visit(components: Sequence[Mapping[str, Any]], label: str | None, description: str | None) -> None:
        for comp in components:
            if comp.get("type") == LABEL:
                visit([comp.get("component") or {}], comp.get("label"), comp.get("description"))
            elif comp.get("type") in SELECTS and label is not None:
                out.append(
                    FieldView(
                        custom_id=str(comp.get("custom_id", "")),
                        label=str(label),
                        style=0,
                        required=bool(comp.get("required", True)),
                        min_length=comp.get("min_values"),
                        max_length=comp.get("max_values"),
                        placeholder=comp.get("placeholder"),
                        description=description,
                        component_type=int(comp["type"]),
                        options=list(comp.get("options") or []),
                    )
                )
            elif comp.get("type") == TEXT_INPUT:
                out.append(
                    FieldView(
                        custom_id=str(comp.get("custom_id", "")),
                        label=str(comp.get("label") or label or comp.get("custom_id", "")),
                        style=int(comp.get("style", 1) or 1),
                        required=bool(comp.get("required", True)),
                        min_length=comp.get("min_length"),
                        max_length=comp.get("max_length"),
                        placeholder=comp.get("placeholder"),
                        value=comp.get("value"),
                        description=description,
                    )
                )
            else:
                visit(comp.get("components") or [], label, description)

    visit(list(attr(modal, "components", None) or []), None, None)
    return out


def describe_field(item: FieldView) -> str:
    """`required · one line · 3–100 characters` for a modal field."""
    bits = ["required" if item.required else "optional"]
    low, high = item.min_length, item.max_length
    if item.is_select:
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
    for number, item in enumerate(modal_fields(modal), start=1):
        line = Text()
        line.append(f"{number}. ", style="bold")
        line.append(item.label, style="bold")
        line.append(f"  [{item.key}]", style="dim")
        line.append(f"  {describe_field(item)}", style="dim")
        parts.append(line)
        if item.description:
            parts.append(Text(f"     {item.description}", style="dim"))
        if item.placeholder:
            parts.append(Text(f"     placeholder: {item.placeholder}", style="dim italic"))
        if item.value:
            parts.append(Text(f"     prefilled: {item.value}", style="green"))
    if not parts:
        parts.append(Text("(no fields)", style="dim"))
    hint = Text("fill it with: fill field=value …", style="dim")
    title = Text.assemble(("form: ", "dim"), (str(attr(modal, "title", "") or ""), "bold"))
    return Panel(Group(*parts, hint), title=title, title_align="left", border_style="#5865f2", expand=False)
