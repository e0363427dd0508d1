"""One message the way a person reads it in the client: a header line, its content, embeds and components.

Pure: a stand-in `MessageRecord` (or the raw Discord dict of a message) and a `Names` lookup in,
a rich renderable out. The console decides where it goes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from ._components import render_components
from ._markup import Names, as_int, attr, colour, format_timestamp, render_markup

EPHEMERAL = 1 << 6
LOADING = 1 << 7
EPHEMERAL_NOTE = "ephemeral — only you can see this"


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
        id=as_int(attr(message, "id")),
        channel_id=as_int(attr(message, "channel_id")),
        author=author,
        content=str(attr(message, "content", "") or ""),
        embeds=list(attr(message, "embeds", None) or []),
        components=list(attr(message, "components", None) or []),
        flags=flags,
        ephemeral=bool(ephemeral),
        edited=bool(edited),
        deleted=bool(attr(message, "deleted", False)),
    )


def render_message(
    message: Any,
    names: Names,
    *,
    where: str | None = None,
    note: str | None = None,
    pings: str | None = None,
    process: str | None = None,
) -> RenderableType:
    """One message: a header line (where · author · marks · whom it pinged), then its content,
    embeds and components. `process`: which bot process made it (`[process 2 · shard 1]`)."""
    view = message_view(message, names)
    header = Text()
    if where:
        header.append(where, style="bold cyan")
        header.append(" · ", style="dim")
    header.append(view.author, style="bold")
    if process:
        header.append(f" [{process}]", style="bold magenta")
    if note:
        header.append(f" · {note}", style="dim")
    if view.ephemeral:
        header.append(f" · {EPHEMERAL_NOTE}", style="italic magenta")
    if view.edited and note != "edited":  # the feed's own "edited" note says it already
        header.append(" (edited)", style="dim")
    if view.deleted:
        header.append(" (deleted)", style="red")
    if pings:
        header.append(f" · {pings}", style="dim" if "nobody" in pings else "bold yellow")
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
        footer_bits.append(_iso_time(str(embed["timestamp"]), names.zone))
    if footer_bits:
        parts.append(render_markup(" • ".join(footer_bits), names, "dim"))
    if not parts:
        parts.append(Text("(empty embed)", style="dim"))
    return Panel(Group(*parts), border_style=colour(embed.get("color")), expand=False, padding=(0, 1))


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


def _iso_time(value: str, zone: str = "UTC") -> str:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return format_timestamp(int(when.timestamp()), "f", zone=zone)
