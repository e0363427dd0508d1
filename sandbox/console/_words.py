"""The console's own words besides actions: who acts where, what is in a channel, waiting, help.

Each word is `async def word(console, rest)`; `rest` is the rest of the line, as typed.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from ._act import settle
from ._components import iter_buttons, iter_selects
from ._parse import OPTION_TYPE_NAMES, CommandSpec, ConsoleInputError, closest

if TYPE_CHECKING:
    from sandbox.standin import DemoGuild

    from ._console import SandboxConsole

DEFAULT_CHANNEL = "prodevprojectnexus"
CHANNEL_HISTORY = 10

CONSOLE_WORDS: list[tuple[str, str]] = [
    ("/command opt:value …", "run a slash command as the current member (Tab completes)"),
    ("press N | press <label>", "press button N of the last message shown with buttons; "
                                "`press Accept on 2`: on message [on 2] of a dms or channel listing"),
    ("select N …", "pick options N (number or name) in its select menu; several menus: select MENU N …"),
    ("fill field=value …", "fill in and submit the open form (just `fill` asks field by field)"),
    ("as <member>", "act as another demo member"),
    ("server [N | name]", "the servers; `server 2` acts in the second (--processes 2 has two)"),
    ("whoami", "who is acting, and where commands are typed"),
    ("members", "the demo members and their roles"),
    ("join <name> [role]", "a new member joins the server (e.g. join grace Backend), as on Discord: the bot is told"),
    ("in <channel>", "type the next commands in another channel"),
    ("channel [name]", f"the last {CHANNEL_HISTORY} messages of a channel or thread"),
    ("threads", "the threads the bot opened"),
    ("dms [member]", "what the bot sent a member by DM (default: you)"),
    ("wait SECONDS", "let the bot work (scheduled posts), then show what it posted"),
    ("clock [+3d | 2026-12-07T09:00]",
     "the bot's simulated now; +3d, +2h, +90m, +1w or a date and time moves it forward, making each "
     "scheduled post due on the way"),
    ("downtime 2d | 6h | 2026-12-07T09:00",
     "the bot stops, the clock moves on while it is down, the bot starts again: shows what its start caught up "
     "(due within SCHEDULE_GRACE_HOURS, made late) and what it skipped"),
    ("help [/command]", "this list, or one command's options"),
    ("quit | exit", "leave the sandbox"),
]
WORDS = [
    "press",
    "select",
    "fill",
    "as",
    "server",
    "whoami",
    "members",
    "join",
    "in",
    "channel",
    "threads",
    "dms",
    "wait",
    "clock",
    "downtime",
    "help",
    "quit",
    "exit",
]


async def as_member(console: SandboxConsole, rest: str) -> None:
    if rest and await as_member_elsewhere(console, rest):
        console._note(f"{rest.strip()} is a member of {console._world.guild.name}: acting there now")
    if not rest:
        raise ConsoleInputError(f"as whom? members: {', '.join(console._world.member_names())}")
    member = console._world.member(rest)
    if member.bot:
        raise ConsoleInputError(
            f"{member.name} is the bot; act as a member: {', '.join(console._world.member_names())}"
        )
    console.member = member.name
    await whoami(console, "")


async def as_member_elsewhere(console: SandboxConsole, rest: str) -> bool:
    """`as kemi` in the first server, kemi being the second's: act in kemi's server (True when moved)."""
    world = console._world
    guild = world.server_of_member(rest) if rest else None
    if guild is None or guild is world.guild:
        return False
    _enter(console, guild)
    return True


def _enter(console: SandboxConsole, guild: DemoGuild) -> None:
    """Act in `guild`: as the same member if they are in it, else as its mentor (Manage Server);
    typing in the same channel if it has one, else in #prodevprojectnexus."""
    world = console._world
    world.guild = guild
    names = [m.name for m in guild.members if not m.bot]
    if console.member not in names:
        mentors = [m.name for m in guild.members if not m.bot and any(
            r.name == "Mentor" for r in guild.roles if r.id in m.roles)]
        console.member = (mentors or names)[0]
    try:
        console.channel = world.channel_name(console.channel)
    except ConsoleInputError:
        console.channel = world.channel_name(DEFAULT_CHANNEL)


async def server(console: SandboxConsole, rest: str) -> None:
    """`server`: the servers, and which one the console acts in; `server 2`: act in the second."""
    world = console._world
    if rest.strip():
        _enter(console, world.server(rest))
        await whoami(console, "")
        return
    for number, guild in enumerate(world.servers, start=1):
        here = " ← you act here" if guild is world.guild else ""
        console._note(f"{number} {guild.name}{here}", "bold" if here else "dim")
    if world.several:
        console._note("`server N` acts in server N; `as <member>` of another server moves there too")


async def whoami(console: SandboxConsole, rest: str) -> None:
    member = console._world.member(console.member)
    roles = ", ".join(console._world.role_names(member)) or "no roles"
    owner = " · server owner" if int(member.id) == int(console._world.guild.owner_id) else ""
    server = f" of {console._world.guild.name}" if console._world.several else ""
    console._note(f"you are {member.name} ({roles}{owner}), typing in #{console.channel}{server}", "bold")


async def members(console: SandboxConsole, rest: str) -> None:
    table = Table(box=None, padding=(0, 2), show_edge=False)
    table.add_column("member", style="bold")
    table.add_column("roles")
    table.add_column("")
    owner_id = int(console._world.guild.owner_id)
    for member in console._world.guild.members:
        marks = []
        if member.bot:
            marks.append("the bot")
        if int(member.id) == owner_id:
            marks.append("server owner")
        if member.name == console.member:
            marks.append("← you")
        table.add_row(*_plain(member.name, ", ".join(console._world.role_names(member)) or "-", ", ".join(marks)))
    console.out.print(table)


async def join(console: SandboxConsole, rest: str) -> None:
    """A new member joins the demo server, given a role (Backend or Frontend) if named: the stand-in
    tells the bot as Discord does (GUILD_MEMBER_ADD, then GUILD_MEMBER_UPDATE for the role)."""
    parts = rest.split()
    roles = [r.name for r in console._world.guild.roles if not r.managed and r.id != console._world.guild.id]
    if not parts or len(parts) > 2:
        raise ConsoleInputError(f"join whom? e.g. join grace Backend (a username, then one of {', '.join(roles)} "
                                "or no role)")
    name, role = parts[0].lstrip("@"), [r.lstrip("@") for r in parts[1:]]
    if role and role[0].casefold() not in {r.casefold() for r in roles}:
        raise ConsoleInputError(f"no role {role[0]!r} to give; roles: {', '.join(roles)}")
    when = console.timeline.now() if console.timeline is not None else None
    try:
        member = await console.standin.add_member(name, *role, guild=console._world.guild, joined_at=when)
    except ValueError as exc:
        raise ConsoleInputError(str(exc.args[0])) from None
    await settle(console)
    given = f" with the {', '.join(console._world.role_names(member))} role" if member.roles else " (no role)"
    console._note(f"{member.name} joined the server{given}; `as {member.name}` acts as them", "bold")


async def in_channel(console: SandboxConsole, rest: str) -> None:
    if not rest:
        raise ConsoleInputError(f"in which channel? now typing in #{console.channel}")
    console.channel = console._world.channel_name(rest)
    console._note(f"commands now typed in #{console.channel}")


async def channel(console: SandboxConsole, rest: str) -> None:
    name = console._world.channel_name(rest or DEFAULT_CHANNEL)
    try:
        records = list(console.standin.messages(name, guild=console._world.guild))
    except (KeyError, ValueError) as exc:
        raise ConsoleInputError(str(exc.args[0]) if exc.args else str(exc)) from None
    _list_messages(console, f"#{name}", records)


async def dms(console: SandboxConsole, rest: str) -> None:
    member = console._world.any_member(rest or console.member)
    records = list(console.standin.dm_messages(member))
    _list_messages(console, f"DMs to {member.name}", records)


def _list_messages(console: SandboxConsole, title: str, records: list[Any]) -> None:
    records = [r for r in records if not getattr(r, "deleted", False)]
    last = records[-CHANNEL_HISTORY:]
    if not records:
        console._note(f"{title} · no messages yet", "bold cyan")
        return
    more = f" (last {len(last)} of {len(records)})" if len(records) > len(last) else ""
    console._note(f"{title} · {len(records)} message{'s' if len(records) != 1 else ''}{more}", "bold cyan")
    names = console._names()
    # Several with buttons (ben's requests from ada and from chioma): number them, so `press … on N`
    # can answer any one, not only the last.
    actionable = [r for r in last if iter_buttons(r.components or []) or iter_selects(r.components or [])]
    numbered = actionable if len(actionable) > 1 else []
    number_of = {int(r.id): n for n, r in enumerate(numbered, start=1)}
    for record in last:
        note = f"[on {number_of[int(record.id)]}]" if int(record.id) in number_of else None
        console._show_message(record, names, note=note)
    if numbered:
        console._listed = numbered
        first = (iter_buttons(numbered[0].components or []) or [{}])[0].get("label") or "1"
        console._note(f"{len(numbered)} of these have buttons: press acts on the last; "
                      f"`press {first} on 1` on the first")


async def threads(console: SandboxConsole, rest: str) -> None:
    """One line a thread (a table squeezed the names into stubs at 80 columns), and how to read one."""
    opened = console._world.threads()
    if not opened:
        console._note("no threads yet")
        return
    names = console._names()
    console._note(f"{len(opened)} thread{'s' if len(opened) != 1 else ''} the bot opened", "bold cyan")
    for thread in opened:
        try:
            count = len(list(console.standin.messages(thread.id)))
        except (KeyError, ValueError):
            count = -1
        messages = "? messages" if count < 0 else f"{count} message{'s' if count != 1 else ''}"
        kind = "private thread" if thread.private else "thread"
        members = ", ".join(names.user(m) for m in (thread.member_ids or [])) or "none"
        line = Text("  ")
        line.append(f"“{thread.name}”", style="bold")
        line.append(f" · {kind} in #{names.channel(thread.parent_id)} · {messages} · members: {members}")
        console.out.print(line, highlight=False, soft_wrap=True)
    example = opened[-1].name
    console._note(f"channel {_quoted(str(example))} shows a thread's messages; in {_quoted(str(example))} types there")


def _quoted(name: str) -> str:
    return f'"{name}"' if any(ch.isspace() for ch in name) else name


async def wait(console: SandboxConsole, rest: str) -> None:
    try:
        seconds = float(rest or "1")
    except ValueError:
        raise ConsoleInputError(f"wait how long? e.g. wait 2 (seconds), got {rest!r}") from None
    if not 0 <= seconds <= 3600:
        raise ConsoleInputError("wait between 0 and 3600 seconds")
    if seconds >= 2:  # long enough to want to stop it
        console._note(f"waiting {seconds:g} s for the bot (Ctrl-C stops waiting)…")
    await asyncio.sleep(seconds)
    await settle(console)
    if not console._show_changes(set()):
        console._note(f"nothing new from the bot in {seconds:g} s")


async def help_words(console: SandboxConsole, rest: str) -> None:
    if rest:
        _help_command(console, rest)
        return
    words = Table.grid(padding=(0, 3))
    words.add_column(style="bold")
    words.add_column(style="dim")
    for usage, what in CONSOLE_WORDS:
        if usage.startswith("server") and not console._world.several:
            continue  # one server: nothing to switch to
        words.add_row(*_plain(usage, what))
    console._note("Console words", "bold underline")
    console.out.print(words)
    index = console.index
    commands = Table.grid(padding=(0, 3))
    commands.add_column(style="bold")
    commands.add_column(style="dim")
    visible = console.visible_paths()
    for path in visible:
        commands.add_row(*_plain(f"/{path}", index.commands[path].description))
    console._note(
        f"Slash commands {console.member} can use here (as synced by the bot; help /command for its options)",
        "bold underline",
    )
    if visible:
        console.out.print(commands)
    elif not index.paths:
        console._note("(the bot has not synced any command yet)")
    hidden = [p for p in index.paths if p not in visible]
    if hidden:
        needs = sorted({name for p in hidden for name in console.missing_for(index.commands[p])})
        who = console._world.members_who_see(index.commands[hidden[0]].needs, console.channel)
        switch = f"; {' or '.join(f'`as {name}`' for name in who)} to see them" if who else ""
        console._note(
            f"Hidden from {console.member}, as in Discord (needs {', '.join(needs)}): "
            f"{', '.join('/' + p for p in hidden)}{switch}"
        )


def _help_command(console: SandboxConsole, rest: str) -> None:
    index = console.index
    path = " ".join(rest.strip().lstrip("/").lower().split())
    spec: CommandSpec | None = index.commands.get(path)
    if spec is None:
        below = [p for p in index.paths if p.startswith(path + " ")]
        if below:
            for sub in below:
                missing = console.missing_for(index.commands[sub])
                hidden = f"  (hidden from {console.member}: needs {', '.join(missing)})" if missing else ""
                console.out.print(
                    Text.assemble((f"/{sub}", "bold"), ("  " + index.commands[sub].description + hidden, "dim"))
                )
            return
        near = closest(path, index.paths)
        hint = f"; did you mean {' or '.join('/' + n for n in near)}?" if near else ""
        raise ConsoleInputError(f"unknown command /{path}{hint}")
    console.out.print(Text.assemble((spec.usage, "bold"), ("\n" + spec.description, "dim")))
    missing = console.missing_for(spec)
    if missing:
        console._note(f"Hidden from {console.member} in Discord: needs {', '.join(missing)}")
    for option in spec.options:
        line = Text("  ")
        line.append(str(option["name"]), style="bold")
        kind = int(option.get("type", 3))
        line.append(f"  {OPTION_TYPE_NAMES.get(kind, 'value')}", style="cyan")
        line.append("  required" if option.get("required") else "  optional", style="dim")
        if option.get("description"):
            line.append(f"  {option['description']}")
        if option.get("choices"):
            line.append("  choices: " + ", ".join(str(c.get("name")) for c in option["choices"]), style="dim")
        if option.get("autocomplete"):
            line.append("  (suggestions: Tab)", style="dim")
        console.out.print(line)


def _plain(*cells: str) -> list[Text]:
    """Table cells as Text: names and descriptions are shown as typed, never parsed as rich markup."""
    return [Text(cell) for cell in cells]
