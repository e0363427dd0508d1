"""The sandbox console: a person types what they would type in Discord and reads what the bot did.

`SandboxConsole.execute(line)` runs one console line against a running stand-in (see
/work/plan/standin-api.md); `run_interactive()` wraps it in a prompt_toolkit prompt with
completion, and `run_script(path)` replays a file of lines for demos and CI.

After every action the console shows three things, in this order: the interaction's own answer
(reply, form, or the message a button updated), its follow-ups, and whatever else the bot posted or
edited anywhere (channels, threads, DMs), found by diffing the stand-in's message records against
what the console already showed. The diff runs against "last shown", not "before this command", so
a scheduled post that landed between two commands is shown by the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.patch_stdout import patch_stdout
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ._parse import (
    BOOLEAN,
    CHANNEL,
    MENTIONABLE,
    OPTION_TYPE_NAMES,
    ROLE,
    USER,
    CommandIndex,
    CommandSpec,
    ConsoleInputError,
    closest,
    mention_target,
    split_words,
)
from ._render import (
    LOADING,
    FieldView,
    Names,
    attr,
    describe_field,
    field_slug,
    iter_buttons,
    iter_selects,
    modal_fields,
    render_message,
    render_modal,
)

if TYPE_CHECKING:
    from bot.sandbox.standin import (
        DemoChannel,
        DemoGuild,
        DemoMember,
        InteractionRecord,
        MessageRecord,
        ModalRecord,
        StandIn,
        ThreadRecord,
    )

log = logging.getLogger(__name__)

DEFAULT_CHANNEL = "prodevprojectnexus"
CHANNEL_HISTORY = 10
TEXT_CHANNEL_TYPES = {0, 5}  # guild text, announcement

CONSOLE_WORDS: list[tuple[str, str]] = [
    ("/command opt:value …", "run a slash command as the current member (Tab completes)"),
    ("press N | press <label>", "press button N of the last message shown with buttons"),
    ("select N value …", "choose values in select menu N of that message"),
    ("fill field=value …", "fill in and submit the open form (just `fill` asks field by field)"),
    ("as <member>", "act as another demo member"),
    ("whoami", "who is acting, and where commands are typed"),
    ("members", "the demo members and their roles"),
    ("in <channel>", "type the next commands in another channel"),
    ("channel [name]", f"the last {CHANNEL_HISTORY} messages of a channel or thread"),
    ("threads", "the threads the bot opened"),
    ("dms [member]", "what the bot sent a member by DM (default: you)"),
    ("wait SECONDS", "let the bot work (scheduled posts), then show what it posted"),
    ("help [/command]", "this list, or one command's options"),
    ("quit | exit", "leave the sandbox"),
]
WORDS = [
    "press",
    "select",
    "fill",
    "as",
    "whoami",
    "members",
    "in",
    "channel",
    "threads",
    "dms",
    "wait",
    "help",
    "quit",
    "exit",
]


class BotProblem(Exception):
    """The bot did not do what Discord requires (no answer in time): reported, not a typing mistake."""


@dataclass
class _Seen:
    where: str
    fingerprint: str
    record: MessageRecord


class SandboxConsole:
    """Drive a running stand-in the way a person drives Discord. See the module docstring."""

    def __init__(
        self,
        standin: StandIn,
        *,
        output: Console | None = None,
        member: str = "mentor",
        channel: str = DEFAULT_CHANNEL,
        timeout: float = 10.0,
        settle: float = 0.15,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.standin = standin
        self.out = output or Console()
        self.timeout = timeout
        self.settle = settle
        self.clock = clock
        self.errors: list[str] = []
        self.member = self._member(member).name
        self.channel = self._channel_name(channel)
        self._index: tuple[str, CommandIndex] | None = None
        self._target: MessageRecord | None = None  # the last message shown with buttons or selects
        self._modal: ModalRecord | None = None  # the form the last interaction opened
        self._session: PromptSession[str] | None = None
        self._lock = asyncio.Lock()
        self._location = ""  # "demo.txt:3: " while a script runs, to prefix errors
        self._threads_seen: set[int] = {int(t.id) for t in self._threads()}
        self._where_by_channel: dict[int, str] = {}
        self._ephemeral_owner: dict[int, str] = {}  # ephemeral message id -> the member who saw it
        self._seen: dict[int, _Seen] = self._snapshot()

    # ------------------------------------------------------------------ entry points

    async def execute(self, line: str) -> bool:
        """Run one console line; False when it asks to quit. Never raises for a person's mistake."""
        async with self._lock:
            try:
                return await self._execute(line.strip())
            except ConsoleInputError as exc:
                self._error(str(exc))
            except BotProblem as exc:
                self._error(str(exc))
            except Exception as exc:
                log.debug("console line %r failed", line, exc_info=True)
                self._error(f"{type(exc).__name__}: {exc}")
            return True

    async def run_script(self, path: str | Path) -> int:
        """Replay a file of console lines (`#` lines are comments); returns 1 if any line failed."""
        lines = (await asyncio.to_thread(Path(path).read_text, encoding="utf-8")).splitlines()
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#"):  # a comment: shown, as a demo's narration, but not run
                self.out.print(Text(line, style="dim italic"), highlight=False, soft_wrap=True)
                continue
            self.out.print(Text(f"» {line}", style="bold"), highlight=False, soft_wrap=True)
            self._location = f"{Path(path).name}:{number}: "
            try:
                keep_going = await self.execute(line)
            finally:
                self._location = ""
            if not keep_going:
                break
        return 1 if self.errors else 0

    async def run_interactive(self) -> None:
        """The interactive prompt: history, Tab completion, bot posts shown while you are idle."""
        self._session = PromptSession(
            history=InMemoryHistory(),
            completer=ConsoleCompleter(self),
            complete_while_typing=True,
        )
        with patch_stdout(raw=True):
            watcher = asyncio.create_task(self._watch())
            try:
                while True:
                    try:
                        line = await self._session.prompt_async(self._prompt)
                    except KeyboardInterrupt:
                        continue
                    except EOFError:
                        break
                    if not await self.execute(line):
                        break
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher

    def _prompt(self) -> str:
        return f"{self.member} in #{self.channel} › "

    async def _watch(self) -> None:
        # Scheduled posts and other unprompted bot work, shown above the prompt while idle.
        while True:
            await asyncio.sleep(0.5)
            if self._lock.locked():
                continue
            async with self._lock:
                with contextlib.suppress(Exception):
                    self._show_changes(set())

    # ------------------------------------------------------------------ dispatch

    async def _execute(self, line: str) -> bool:
        if not line or line.startswith("#"):
            return True
        if line.startswith("/"):
            await self._slash(line)
            return True
        word, _, rest = line.partition(" ")
        word, rest = word.lower(), rest.strip()
        if word in ("quit", "exit"):
            return False
        handler = {
            "press": self._press,
            "click": self._press,
            "select": self._select,
            "fill": self._fill,
            "as": self._as,
            "whoami": self._whoami,
            "members": self._members,
            "in": self._in,
            "channel": self._channel_cmd,
            "threads": self._threads_cmd,
            "dms": self._dms,
            "wait": self._wait,
            "help": self._help,
        }.get(word)
        if handler is None:
            near = closest(word, WORDS)
            hint = f"; did you mean {' or '.join(near)}?" if near else ""
            raise ConsoleInputError(f"unknown word {word!r}{hint} (slash commands start with /; try help)")
        await handler(rest)
        return True

    def _error(self, message: str) -> None:
        self.errors.append(self._location + message)
        self.out.print(Text(f"✗ {message}", style="bold red"), highlight=False, soft_wrap=True)

    def _note(self, message: str, style: str = "dim") -> None:
        self.out.print(Text(message, style=style), highlight=False, soft_wrap=True)

    # ------------------------------------------------------------------ the demo guild

    @property
    def index(self) -> CommandIndex:
        commands = list(self.standin.commands or [])
        key = json.dumps(commands, sort_keys=True, default=str)
        if self._index is None or self._index[0] != key:
            self._index = (key, CommandIndex(commands))
        return self._index[1]

    def _guild(self) -> DemoGuild:
        return self.standin.guild

    def _member(self, name: str) -> DemoMember:
        try:
            member = self._guild().member(str(name).strip())
        except KeyError:
            raise ConsoleInputError(f"unknown member {name!r}; members: {', '.join(self._member_names())}") from None
        return member

    def _member_names(self) -> list[str]:
        return [m.name for m in self._guild().members if not m.bot]

    def _threads(self) -> list[ThreadRecord]:
        return list(self.standin.threads or [])

    def _text_channels(self) -> list[DemoChannel]:
        return [c for c in self._guild().channels if int(getattr(c, "type", 0) or 0) in TEXT_CHANNEL_TYPES]

    def _channel_name(self, name: str) -> str:
        key = str(name).strip().strip("\"'").lstrip("#").strip()
        for thread in self._threads():
            if key.lower() in (str(thread.name).lower(), str(thread.id)):
                return str(thread.name)
        try:
            return str(self._guild().channel(key).name)
        except KeyError:
            names = [c.name for c in self._text_channels()] + [t.name for t in self._threads()]
            raise ConsoleInputError(f"unknown channel {name!r}; channels: {', '.join(names)}") from None

    def _names(self) -> Names:
        guild = self._guild()
        names = Names(
            users={int(m.id): m.name for m in guild.members},
            roles={int(r.id): r.name.lstrip("@") for r in guild.roles},
            channels={int(c.id): c.name for c in guild.channels},
        )
        names.channels.update({int(t.id): t.name for t in self._threads()})
        if self.clock is not None:
            names.now = self.clock
        return names

    def _role_names(self, member: DemoMember) -> list[str]:
        guild = self._guild()
        by_id = {int(r.id): r.name for r in guild.roles}
        return [by_id.get(int(r), str(r)) for r in member.roles if int(r) != int(guild.id)]

    # ------------------------------------------------------------------ message bookkeeping

    def _places(self) -> Iterator[tuple[str, str, int]]:
        """(where, "channel" | "dm", id) for every place the bot can post."""
        for channel in self._text_channels():
            yield f"#{channel.name}", "channel", int(channel.id)
        parents = {int(c.id): c.name for c in self._guild().channels}
        for thread in self._threads():
            parent = parents.get(int(thread.parent_id or 0), "?")
            kind = "private thread" if thread.private else "thread"
            yield f"#{parent} › {kind} “{thread.name}”", "channel", int(thread.id)
        for member in self._guild().members:
            if not member.bot:
                yield f"DM to {member.name}", "dm", int(member.id)

    def _snapshot(self) -> dict[int, _Seen]:
        seen: dict[int, _Seen] = {}
        for where, kind, place_id in self._places():
            if kind == "channel":
                self._where_by_channel[place_id] = where
            try:
                if kind == "dm":
                    records = list(self.standin.dm_messages(place_id))
                else:
                    records = list(self.standin.messages(place_id))
            except (KeyError, ValueError):
                continue
            for record in records:
                seen[int(record.id)] = _Seen(where, _fingerprint(record), record)
                self._where_by_channel[int(record.channel_id)] = where
        return seen

    def _show_changes(self, shown: set[int]) -> None:
        """Show what changed since the console last looked: new threads, new/edited/deleted messages.

        Everything is shown in the order it happened (snowflake order); a thread opened on a message
        is announced right after that message.
        """
        names = self._names()
        now = self._snapshot()
        # (snowflake, 0 for a message / 1 for a thread opened on it): the order things happened.
        events: list[tuple[tuple[int, int], Callable[[], None]]] = []
        for thread in self._threads():
            if int(thread.id) in self._threads_seen:
                continue
            self._threads_seen.add(int(thread.id))
            members = ", ".join(names.user(m) for m in (thread.member_ids or []))
            kind = "private thread" if thread.private else "thread"
            opened = f"{kind} opened in #{names.channel(thread.parent_id)}: “{thread.name}”"
            opened += f" (members: {members})" if members else ""
            at = (int(thread.message_id), 1) if thread.message_id else (int(thread.id), 0)
            events.append((at, partial(self._note, opened, "bold cyan")))
        for message_id, entry in now.items():
            before = self._seen.get(message_id)
            if message_id in shown or (before is not None and before.fingerprint == entry.fingerprint):
                continue
            note = None if before is None else "edited"
            show = partial(self._show_message, entry.record, names, where=entry.where, note=note)
            events.append(((message_id, 0), show))
        for message_id, entry in self._seen.items():
            if message_id not in now and message_id not in shown:
                gone = f"{entry.where} · a message by {names.user(entry.record.author_id)} was deleted"
                events.append(((message_id, 0), partial(self._note, gone)))
        for _, action in sorted(events, key=lambda event: event[0]):
            action()
        self._seen = now

    def _show_message(
        self, record: MessageRecord, names: Names, *, where: str | None = None, note: str | None = None
    ) -> None:
        self.out.print(render_message(record, names, where=where, note=note))
        components = attr(record, "components") or []
        if iter_buttons(components) or iter_selects(components):
            self._target = record

    async def _settle(self) -> None:
        """Wait until the bot stopped calling the API for a moment (it may post after answering)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(self.timeout, 1.0)
        step = max(self.settle / 3, 0.01)
        last, quiet = len(self.standin.requests), 0
        while loop.time() < deadline:
            await asyncio.sleep(step)
            count = len(self.standin.requests)
            if count == last:
                quiet += 1
                if quiet >= 3:
                    return
            else:
                last, quiet = count, 0

    # ------------------------------------------------------------------ interactions

    async def _interact(
        self,
        start: Callable[[], Awaitable[InteractionRecord]],
        what: str,
        clicked: MessageRecord | None = None,
    ) -> None:
        before = _fingerprint(clicked) if clicked is not None else None
        try:
            rec = await start()
        except TimeoutError:
            raise BotProblem(f"the bot did not answer {what} within {self.timeout:g} s") from None
        except (ValueError, KeyError) as exc:
            raise ConsoleInputError(str(exc.args[0]) if exc.args else str(exc)) from None
        self._modal = None
        kind = int(rec.response_type or 0)
        problem = None
        if kind == 5:
            try:
                await rec.wait_done(timeout=self.timeout)
            except TimeoutError:
                problem = f"the bot deferred {what} but did not answer within {self.timeout:g} s"
        await self._settle()
        names = self._names()
        shown: set[int] = set()
        if kind == 9 and rec.modal is not None:
            self._modal = rec.modal
            self.out.print(render_modal(rec.modal, names))
        elif rec.message is not None:
            message = rec.message
            shown.add(int(message.id))
            still_loading = bool(int(message.flags or 0) & LOADING) and not message.content and not message.embeds
            if not (still_loading and rec.followups):
                note = "updated the message" if kind in (6, 7) else "replied"
                where = None if message.ephemeral else self._where_by_channel.get(int(message.channel_id))
                self._show_message(message, names, where=where, note=note)
            if message.ephemeral:
                self._ephemeral_owner.setdefault(int(message.id), self.member)
        elif clicked is not None and _fingerprint(clicked) != before:
            self._show_message(clicked, names, note="updated the message")
            shown.add(int(clicked.id))
        for followup in rec.followups or []:
            if int(followup.id) in shown:  # the first follow-up of a deferral can be @original itself
                continue
            if followup.ephemeral:
                self._ephemeral_owner.setdefault(int(followup.id), self.member)
            where = None if followup.ephemeral else self._where_by_channel.get(int(followup.channel_id))
            self._show_message(followup, names, where=where, note="follow-up")
            shown.add(int(followup.id))
        if kind in (6, 7) and clicked is not None:
            shown.add(int(clicked.id))
        self._show_changes(shown)
        if problem:
            raise BotProblem(problem)

    async def _slash(self, line: str) -> None:
        parsed = self.index.parse(line)
        for option in parsed.spec.options:
            name = str(option["name"])
            if name in parsed.options:
                self._check_target(name, int(option.get("type", 3)), str(parsed.options[name]))
        member, channel = self.member, self.channel
        await self._interact(
            lambda: self.standin.invoke(member, parsed.path, parsed.options, channel=channel, timeout=self.timeout),
            f"/{parsed.path}",
        )

    def _check_target(self, name: str, kind: int, value: str) -> None:
        """A member/role/channel named in an option or select must exist: say which ones do."""
        guild = self._guild()
        lookups: dict[int, list[tuple[str, Callable[[str], object], list[str]]]] = {
            USER: [("member", guild.member, [m.name for m in guild.members])],
            ROLE: [("role", guild.role, [r.name for r in guild.roles])],
            CHANNEL: [("channel", lambda v: self._channel_name(v), [c.name for c in self._text_channels()])],
        }
        lookups[MENTIONABLE] = lookups[USER] + lookups[ROLE]
        if kind not in lookups:
            return
        for _, lookup, _ in lookups[kind]:
            try:
                lookup(value)
                return
            except (KeyError, ConsoleInputError):
                continue
        what = " or ".join(label for label, _, _ in lookups[kind])
        known = ", ".join(n for _, _, names in lookups[kind] for n in names)
        raise ConsoleInputError(f"{name}: no {what} {value!r}; known: {known}")

    def _target_message(self, what: str) -> MessageRecord:
        target = self._target
        if target is None:
            raise ConsoleInputError(f"no message with {what} shown yet")
        if target.deleted:
            raise ConsoleInputError("the last message with buttons was deleted")
        owner = self._ephemeral_owner.get(int(target.id))
        if target.ephemeral and owner is not None and owner != self.member:
            raise ConsoleInputError(
                f"that message was only shown to {owner} (ephemeral); `as {owner}` to use its {what}"
            )
        return target

    async def _press(self, rest: str) -> None:
        if not rest:
            raise ConsoleInputError("press which button? e.g. press 1 or press Accept")
        target = self._target_message("buttons")
        buttons = iter_buttons(target.components or [])
        if not buttons:
            if iter_selects(target.components or []):
                raise ConsoleInputError("the last message shown has only select menus: select N value …")
            raise ConsoleInputError("the last message shown with buttons has none any more")
        listing = ", ".join(f"[{i}] {b.get('label') or '?'}" for i, b in enumerate(buttons, start=1))
        key = rest.strip().strip("[]")
        if key.isdigit():
            number = int(key)
            if not 1 <= number <= len(buttons):
                raise ConsoleInputError(f"no button {number}; buttons: {listing}")
            button = buttons[number - 1]
        else:
            low = rest.strip().strip("\"'").lower()
            exact = [b for b in buttons if str(b.get("label") or "").lower() == low]
            partial = [b for b in buttons if low in str(b.get("label") or "").lower()]
            found = exact or partial
            if len(found) != 1:
                problem = "no button" if not found else "more than one button"
                raise ConsoleInputError(f"{problem} labelled {rest!r}; buttons: {listing}")
            button = found[0]
        label = button.get("label") or "?"
        if button.get("disabled"):
            raise ConsoleInputError(f"button {label!r} is disabled")
        if int(button.get("style", 0) or 0) == 5 or button.get("url"):
            self._note(f"link button {label!r} opens {button.get('url')} in the browser; the bot is not told")
            return
        custom_id = button.get("custom_id")
        if not custom_id:
            raise ConsoleInputError(f"button {label!r} has no custom_id to send")
        member = self.member
        await self._interact(
            lambda: self.standin.click(member, target, custom_id), f"the {label!r} button", clicked=target
        )

    async def _select(self, rest: str) -> None:
        target = self._target_message("select menus")
        selects = iter_selects(target.components or [])
        if not selects:
            raise ConsoleInputError("the last message shown has no select menu")
        words = [w.text for w in split_words(rest, separators="")]
        if words and words[0].isdigit() and (len(selects) > 1 or len(words) > 1):
            number = int(words.pop(0))
            if not 1 <= number <= len(selects):
                raise ConsoleInputError(f"no select menu {number}; the message has {len(selects)}")
            menu = selects[number - 1]
        elif len(selects) == 1:
            menu = selects[0]
        else:
            raise ConsoleInputError(f"which select menu? select N value … (N from 1 to {len(selects)})")
        if menu.get("disabled"):
            raise ConsoleInputError("that select menu is disabled")
        values = self._select_values(menu, words)
        member, custom_id = self.member, str(menu.get("custom_id"))
        await self._interact(
            lambda: self.standin.click(member, target, custom_id, values=values),
            "the select menu",
            clicked=target,
        )

    def _select_values(self, menu: Mapping[str, Any], words: list[str]) -> list[str]:
        low = int(menu.get("min_values", 1) if menu.get("min_values") is not None else 1)
        high = int(menu.get("max_values", 1) or 1)
        if not low <= len(words) <= high:
            span = f"{low}" if low == high else f"{low} to {high}"
            raise ConsoleInputError(f"this menu takes {span} value{'s' if high > 1 else ''}, got {len(words)}")
        kind = int(menu.get("type", 3))
        values: list[str] = []
        for word in words:
            if kind == 3:
                options = menu.get("options") or []
                found = [
                    o for o in options if word.lower() in (str(o.get("value")).lower(), str(o.get("label")).lower())
                ]
                if not found:
                    shown = ", ".join(str(o.get("value")) for o in options)
                    raise ConsoleInputError(f"{word!r} is not an option; options: {shown}")
                values.append(str(found[0]["value"]))
                continue
            # Member, role and channel selects: the stand-in resolves names, as for options.
            target = mention_target(word)
            self._check_target("select", {5: USER, 6: ROLE, 7: MENTIONABLE, 8: CHANNEL}.get(kind, 0), target)
            values.append(target)
        return values

    async def _fill(self, rest: str) -> None:
        modal = self._modal
        if modal is None:
            raise ConsoleInputError("no form is open (a command or a button opens one)")
        fields = modal_fields(modal)
        if not rest and self._session is not None:
            given = await self._ask_fields(fields)
        else:
            given = _parse_fill(rest, fields)
        values: dict[str, Any] = {}
        for item in fields:
            value = given.get(item.custom_id, item.value or "")
            if item.required and not value.strip():
                missing = [f.label for f in fields if f.required and not given.get(f.custom_id, f.value or "")]
                raise ConsoleInputError(
                    f"required field{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)} "
                    f"(fill {' '.join(f'{f.key}=…' for f in fields)})"
                )
            if item.is_select:
                values[item.custom_id] = self._field_choices(item, value)
                continue
            if value and item.min_length and len(value) < int(item.min_length):
                raise ConsoleInputError(f"{item.label} needs at least {item.min_length} characters")
            if item.max_length and len(value) > int(item.max_length):
                raise ConsoleInputError(f"{item.label} takes at most {item.max_length} characters")
            values[item.custom_id] = value
        member = self.member
        await self._interact(lambda: self.standin.submit_modal(member, modal, values), "the form")

    def _field_choices(self, item: FieldView, value: str) -> list[str]:
        """A select inside a form: comma-separated values (option values or labels, or names)."""
        chosen = [v.strip() for v in value.split(",") if v.strip()]
        least = 1 if item.min_length is None else int(item.min_length)
        most = 1 if item.max_length is None else int(item.max_length)
        if chosen and not least <= len(chosen) <= most:
            raise ConsoleInputError(f"{item.label} takes {least} to {most} values, got {len(chosen)}")
        if item.component_type != 3:
            return chosen
        out = []
        for word in chosen:
            found = [
                o for o in item.options if word.lower() in (str(o.get("value")).lower(), str(o.get("label")).lower())
            ]
            if not found:
                shown = ", ".join(str(o.get("value")) for o in item.options)
                raise ConsoleInputError(f"{word!r} is not an option of {item.label}; options: {shown}")
            out.append(str(found[0]["value"]))
        return out

    async def _ask_fields(self, fields: list[FieldView]) -> dict[str, str]:
        """Ask field by field (interactive `fill`), the way the form's boxes would in Discord."""
        # A session of its own: answers stay out of the command history and its completion.
        session: PromptSession[str] = PromptSession()
        answers: dict[str, str] = {}
        for item in fields:
            multiline = item.style == 2 and not item.is_select
            hint = " · Esc then Enter to finish" if multiline else ""
            if item.is_select:
                hint = " · comma-separated"
            message = f"{item.label} ({describe_field(item)}{hint})\n  › "
            try:
                answers[item.custom_id] = await session.prompt_async(
                    message, default=item.value or "", multiline=multiline
                )
            except (KeyboardInterrupt, EOFError):
                raise ConsoleInputError("form not sent; it stays open (fill again, or carry on)") from None
        return answers

    # ------------------------------------------------------------------ people and places

    async def _as(self, rest: str) -> None:
        if not rest:
            raise ConsoleInputError(f"as whom? members: {', '.join(self._member_names())}")
        member = self._member(rest)
        if member.bot:
            raise ConsoleInputError(f"{member.name} is the bot; act as a member: {', '.join(self._member_names())}")
        self.member = member.name
        await self._whoami("")

    async def _whoami(self, rest: str) -> None:
        member = self._member(self.member)
        roles = ", ".join(self._role_names(member)) or "no roles"
        owner = " · server owner" if int(member.id) == int(self._guild().owner_id) else ""
        self._note(f"you are {member.name} ({roles}{owner}), typing in #{self.channel}", "bold")

    async def _members(self, rest: str) -> None:
        table = Table(box=None, padding=(0, 2), show_edge=False)
        table.add_column("member", style="bold")
        table.add_column("roles")
        table.add_column("")
        owner_id = int(self._guild().owner_id)
        for member in self._guild().members:
            marks = []
            if member.bot:
                marks.append("the bot")
            if int(member.id) == owner_id:
                marks.append("server owner")
            if member.name == self.member:
                marks.append("← you")
            table.add_row(*_plain(member.name, ", ".join(self._role_names(member)) or "-", ", ".join(marks)))
        self.out.print(table)

    async def _in(self, rest: str) -> None:
        if not rest:
            raise ConsoleInputError(f"in which channel? now typing in #{self.channel}")
        self.channel = self._channel_name(rest)
        self._note(f"commands now typed in #{self.channel}")

    async def _channel_cmd(self, rest: str) -> None:
        name = self._channel_name(rest or DEFAULT_CHANNEL)
        try:
            records = list(self.standin.messages(name))
        except (KeyError, ValueError) as exc:
            raise ConsoleInputError(str(exc.args[0]) if exc.args else str(exc)) from None
        self._list_messages(f"#{name}", records)

    async def _dms(self, rest: str) -> None:
        member = self._member(rest or self.member)
        records = list(self.standin.dm_messages(member.name))
        self._list_messages(f"DMs to {member.name}", records)

    def _list_messages(self, title: str, records: list[Any]) -> None:
        records = [r for r in records if not getattr(r, "deleted", False)]
        last = records[-CHANNEL_HISTORY:]
        if not records:
            self._note(f"{title} · no messages yet", "bold cyan")
            return
        more = f" (last {len(last)} of {len(records)})" if len(records) > len(last) else ""
        self._note(f"{title} · {len(records)} message{'s' if len(records) != 1 else ''}{more}", "bold cyan")
        names = self._names()
        for record in last:
            self._show_message(record, names)

    async def _threads_cmd(self, rest: str) -> None:
        threads = self._threads()
        if not threads:
            self._note("no threads yet")
            return
        names = self._names()
        table = Table(box=None, padding=(0, 2), show_edge=False)
        for column in ("thread", "in", "kind", "members", "messages"):
            table.add_column(column, style="bold" if column == "thread" else "")
        for thread in threads:
            try:
                count = str(len(list(self.standin.messages(thread.id))))
            except (KeyError, ValueError):
                count = "?"
            table.add_row(
                *_plain(
                    str(thread.name),
                    "#" + names.channel(thread.parent_id),
                    "private" if thread.private else "public",
                    ", ".join(names.user(m) for m in (thread.member_ids or [])) or "-",
                    count,
                )
            )
        self.out.print(table)

    async def _wait(self, rest: str) -> None:
        try:
            seconds = float(rest or "1")
        except ValueError:
            raise ConsoleInputError(f"wait how long? e.g. wait 2 (seconds), got {rest!r}") from None
        if not 0 <= seconds <= 3600:
            raise ConsoleInputError("wait between 0 and 3600 seconds")
        await asyncio.sleep(seconds)
        await self._settle()
        self._show_changes(set())

    async def _help(self, rest: str) -> None:
        if rest:
            self._help_command(rest)
            return
        words = Table.grid(padding=(0, 3))
        words.add_column(style="bold")
        words.add_column(style="dim")
        for usage, what in CONSOLE_WORDS:
            words.add_row(*_plain(usage, what))
        self._note("Console words", "bold underline")
        self.out.print(words)
        index = self.index
        commands = Table.grid(padding=(0, 3))
        commands.add_column(style="bold")
        commands.add_column(style="dim")
        for path in index.paths:
            commands.add_row(*_plain(f"/{path}", index.commands[path].description))
        self._note("Slash commands (as synced by the bot; help /command for its options)", "bold underline")
        if index.paths:
            self.out.print(commands)
        else:
            self._note("(the bot has not synced any command yet)")

    def _help_command(self, rest: str) -> None:
        index = self.index
        path = " ".join(rest.strip().lstrip("/").lower().split())
        spec: CommandSpec | None = index.commands.get(path)
        if spec is None:
            below = [p for p in index.paths if p.startswith(path + " ")]
            if below:
                for sub in below:
                    self.out.print(Text.assemble((f"/{sub}", "bold"), ("  " + index.commands[sub].description, "dim")))
                return
            near = closest(path, index.paths)
            hint = f"; did you mean {' or '.join('/' + n for n in near)}?" if near else ""
            raise ConsoleInputError(f"unknown command /{path}{hint}")
        self.out.print(Text.assemble((spec.usage, "bold"), ("\n" + spec.description, "dim")))
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
            self.out.print(line)


def _plain(*cells: str) -> list[Text]:
    """Table cells as Text: names and descriptions are shown as typed, never parsed as rich markup."""
    return [Text(cell) for cell in cells]


def _fingerprint(record: Any) -> str:
    return json.dumps(
        [
            attr(record, "content"),
            attr(record, "embeds"),
            attr(record, "components"),
            bool(attr(record, "edited")),
            bool(attr(record, "deleted")),
        ],
        sort_keys=True,
        default=str,
    )


def _parse_fill(rest: str, fields: list[FieldView]) -> dict[str, str]:
    """`title="My shop" body=Sells things` -> {custom_id: value}; keys are custom ids, labels or numbers."""
    given: dict[str, str] = {}
    last: str | None = None
    for word in split_words(rest, separators="=:"):
        key, sep, value = word.text.partition("=")
        if not sep:
            key, sep, value = word.text.partition(":")
        item = _field(fields, key) if sep else None
        if item is not None:
            given[item.custom_id] = value
            last = item.custom_id
        elif last is not None and not (sep and key.isidentifier() and not word.literal):
            # Like a text option, a field's value runs on until the next `field=`.
            given[last] = f"{given[last]} {word.text}".strip()
        else:
            ids = ", ".join(f.key for f in fields)
            raise ConsoleInputError(f"fill fields as field=value; no field {key or word.text!r} (fields: {ids})")
    return given


def _field(fields: list[FieldView], key: str) -> FieldView | None:
    """A form field by number, custom id, label or the label's slug (`what_it_does`), any case."""
    low = key.strip().lower()
    if low.isdigit() and 1 <= int(low) <= len(fields):
        return fields[int(low) - 1]
    for item in fields:
        if low in (item.custom_id.lower(), item.label.lower()) or field_slug(low) == field_slug(item.label):
            return item
    return None


class ConsoleCompleter(Completer):
    """Tab completion over console words, synced command paths, options, and demo names.

    Options the bot answers with autocomplete are completed by asking the bot, through the
    stand-in, exactly as Discord's client does while a person types.
    """

    def __init__(self, console: SandboxConsole) -> None:
        self.console = console

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        try:
            yield from self._complete(document.text_before_cursor)
        except Exception:
            return

    async def get_completions_async(
        self, document: Document, complete_event: CompleteEvent
    ) -> AsyncGenerator[Completion, None]:
        text = document.text_before_cursor
        try:
            asked = await self._autocomplete(text)
        except Exception:
            asked = None
        if asked is not None:
            for item in asked:
                yield item
            return
        for item in self.get_completions(document, complete_event):
            yield item

    # --- sync part

    def _complete(self, text: str) -> Iterator[Completion]:
        console = self.console
        if text.startswith("/"):
            yield from self._complete_slash(text)
            return
        if " " not in text:
            for word in [*WORDS, "/"]:
                if word.startswith(text.lower()):
                    yield Completion(word, start_position=-len(text))
            return
        word, _, rest = text.partition(" ")
        current = rest.rsplit(" ", 1)[-1]
        candidates: list[tuple[str, str]] = []
        word = word.lower()
        if word in ("as", "dms"):
            candidates = [(n, "") for n in console._member_names()]
        elif word in ("channel", "in"):
            candidates = [(c.name, "channel") for c in console._text_channels()]
            candidates += [(_quote(t.name), "thread") for t in console._threads()]
        elif word == "press" and console._target is not None:
            buttons = iter_buttons(console._target.components or [])
            candidates = [(str(i), str(b.get("label") or "")) for i, b in enumerate(buttons, start=1)]
        elif word == "select" and console._target is not None:
            selects = iter_selects(console._target.components or [])
            if " " not in rest:
                candidates = [(str(i), str(s.get("placeholder") or "")) for i, s in enumerate(selects, start=1)]
            for menu in selects:
                candidates += [(_quote(str(o.get("value"))), str(o.get("label"))) for o in menu.get("options") or []]
        elif word == "fill" and console._modal is not None:
            candidates = [(f"{f.key}=", f.label) for f in modal_fields(console._modal)]
        elif word == "help":
            candidates = [(f"/{p}", console.index.commands[p].description) for p in console.index.paths]
        for value, meta in candidates:
            if value.lower().startswith(current.lower()):
                yield Completion(value, start_position=-len(current), display_meta=meta)

    def _leaf(self, text: str) -> tuple[CommandSpec, str] | None:
        """The command typed so far, if its path is complete; and the text after it."""
        index = self.console.index
        words = text[1:].split(" ")
        for i in range(1, len(words)):
            path = " ".join(words[:i]).lower()
            if path in index.commands:
                return index.commands[path], " ".join(words[i:])
        return None

    def _complete_slash(self, text: str) -> Iterator[Completion]:
        index = self.console.index
        found = self._leaf(text)
        if found is None:
            typed = text[1:].lower()
            for path in index.paths:
                if path.startswith(typed):
                    yield Completion(
                        f"/{path} ",
                        start_position=-len(text),
                        display=f"/{path}",
                        display_meta=index.commands[path].description,
                    )
            return
        spec, rest = found
        current = rest.rsplit(" ", 1)[-1]
        name, sep, partial = current.partition(":")
        if sep:
            option = spec.option(name)
            if option is None:
                return
            for value, meta in self._values(option):
                if value.lower().lstrip("#@").startswith(partial.lower().lstrip("#@")):
                    yield Completion(value, start_position=-len(partial), display_meta=meta)
            return
        given = {w.split(":", 1)[0].lower() for w in rest.split(" ") if ":" in w}
        for option in spec.options:
            option_name = str(option["name"])
            if option_name.lower() in given or not option_name.lower().startswith(current.lower()):
                continue
            meta = ("required · " if option.get("required") else "") + str(option.get("description") or "")
            yield Completion(f"{option_name}:", start_position=-len(current), display_meta=meta)

    def _values(self, option: Mapping[str, Any]) -> list[tuple[str, str]]:
        console = self.console
        kind = int(option.get("type", 3))
        if option.get("choices"):
            return [(_quote(str(c.get("value"))), str(c.get("name"))) for c in option["choices"]]
        if kind == BOOLEAN:
            return [("true", ""), ("false", "")]
        out: list[tuple[str, str]] = []
        if kind in (USER, MENTIONABLE):
            out += [(f"@{n}", "member") for n in console._member_names()]
        if kind in (ROLE, MENTIONABLE):
            out += [(f"@{r.name}", "role") for r in console._guild().roles if not r.name.startswith("@")]
        if kind == CHANNEL:
            out += [(f"#{c.name}", "channel") for c in console._text_channels()]
            out += [(_quote(f"#{t.name}"), "thread") for t in console._threads()]
        return out

    # --- async part: the bot's own autocomplete

    async def _autocomplete(self, text: str) -> list[Completion] | None:
        if not text.startswith("/"):
            return None
        found = self._leaf(text)
        if found is None:
            return None
        spec, rest = found
        current = rest.rsplit(" ", 1)[-1]
        name, sep, partial = current.partition(":")
        option = spec.option(name) if sep else None
        if option is None or not option.get("autocomplete"):
            return None
        typed: dict[str, Any] = {}
        for word in split_words(rest.rsplit(" ", 1)[0]) if " " in rest else []:
            key, colon, value = word.text.partition(":")
            if colon and spec.option(key) is not None:
                typed[key] = value
        typed[str(option["name"])] = partial
        console = self.console
        choices = await asyncio.wait_for(
            console.standin.autocomplete(console.member, spec.path, typed, focused=str(option["name"])), 2.0
        )
        return [
            Completion(_quote(str(c.get("value"))), start_position=-len(partial), display_meta=str(c.get("name")))
            for c in choices
        ]


def _quote(value: str) -> str:
    return f'"{value}"' if any(ch.isspace() for ch in value) else value


__all__ = ["ConsoleCompleter", "SandboxConsole"]
