"""Discord message markup made readable in a terminal, and the `Names` lookup it resolves mentions with.

Pure: text and a `Names` in, rich `Text` out. Timestamps are shown in the server's time zone
(`Names.zone`, UTC until the console knows one) with UTC beside, so a replayed script reads the
same everywhere and an admin sees both the members' wall time and the instant.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich.text import Text

MENTION_STYLE = "bold bright_blue"
TIME_STYLE = "bright_cyan"
CODE_STYLE = "yellow"


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
    zone: str = "UTC"  # the server's time zone (an IANA name), which timestamps are shown in

    def user(self, user_id: Any) -> str:
        return self.users.get(as_int(user_id), f"unknown-user-{user_id}")

    def role(self, role_id: Any) -> str:
        return self.roles.get(as_int(role_id), f"unknown-role-{role_id}")

    def channel(self, channel_id: Any) -> str:
        return self.channels.get(as_int(channel_id), f"unknown-channel-{channel_id}")


def as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def colour(value: Any, default: str = "grey50") -> str:
    """A Discord colour integer as a rich colour (the default for none or 0)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return f"#{number:06x}" if number else default


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


def format_timestamp(unix: int, style: str | None, now: float | None = None, zone: str = "UTC") -> str:
    """`<t:unix:style>` as Discord shows it, in the server's time zone `zone` with UTC beside
    (`Tuesday, 1 December 2026 10:00 Africa/Lagos (09:00 UTC)`); only UTC when the zone is UTC."""
    try:
        utc = datetime.fromtimestamp(unix, UTC)
        tz = ZoneInfo(zone)
        when = utc.astimezone(tz)
    except (OverflowError, OSError, ValueError, ZoneInfoNotFoundError):
        return f"<t:{unix}>"
    style = style or "f"
    if style == "R":
        return relative_time(unix - (time.time() if now is None else now))
    plain = zone in ("UTC", "Etc/UTC") and when.utcoffset() == timedelta()
    seconds = style in ("T", "S")
    clock = f"%H:%M{':%S' if seconds else ''}"
    if plain:
        at = f"{when.strftime(clock)} UTC"
    else:
        other_day = f"{utc.day} {utc:%B} " if utc.date() != when.date() else ""
        at = f"{when.strftime(clock)} {zone} ({other_day}{utc.strftime(clock)} UTC)"
    day = f"{when.day} {when:%B %Y}"
    formats = {
        "t": at,
        "T": at,
        "d": f"{when:%d/%m/%Y}",
        "D": day,
        "f": f"{day} {at}",
        "F": f"{when:%A}, {day} {at}",
        "s": f"{when:%d/%m/%Y}, {at}",
        "S": f"{when:%d/%m/%Y}, {at}",
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
            stamp = format_timestamp(int(groups["ts"]), groups["ts_style"], names.now(), names.zone)
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
