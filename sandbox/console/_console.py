"""The sandbox console: a person types what they would type in Discord and reads what the bot did.

`SandboxConsole.execute(line)` runs one console line against a running stand-in
(`sandbox.standin.StandIn`); `run_interactive()` wraps it in a prompt_toolkit prompt with
completion, and `run_script(path)` replays a file of lines for demos and CI.

After every action the console shows three things, in this order: the interaction's own answer
(reply, form, or the message a button updated), its follow-ups, and whatever else the bot posted or
edited anywhere (channels, threads, DMs), found by diffing the stand-in's message records against
what the console already showed (`_feed`). The diff runs against "last shown", not "before this
command", so a scheduled post that landed between two commands is shown by the next one.

This module holds the console's state, its entry points and the dispatch of a line to its word:
actions in `_act` and `_fill`, the other words in `_words`, Tab completion in `_complete`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import signal
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from prompt_toolkit import PromptSession
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.patch_stdout import patch_stdout
from rich.console import Console
from rich.text import Text

from . import _words as words
from ._act import BotProblem, humane, press, select, slash
from ._clock import Timeline, clock, downtime
from ._complete import ConsoleCompleter
from ._components import iter_buttons, iter_selects
from ._feed import Change, Feed
from ._fill import fill
from ._markup import Names, attr
from ._message import render_message
from ._parse import CommandIndex, CommandSpec, ConsoleInputError, closest
from ._world import DemoWorld

if TYPE_CHECKING:
    from sandbox.standin import DemoGuild, MessageRecord, ModalRecord, StandIn, ThreadRecord

log = logging.getLogger(__name__)

_NEXT_MONDAY = re.compile(r"\{next_monday(?:\+(\d{1,3}))?\}")

Word = Callable[["SandboxConsole", str], Awaitable[None]]
# What each console word does; `quit` and `exit` end the session, a line starting with / is a command.
HANDLERS: dict[str, Word] = {
    "press": press,
    "click": press,
    "select": select,
    "fill": fill,
    "as": words.as_member,
    "server": words.server,
    "whoami": words.whoami,
    "members": words.members,
    "join": words.join,
    "in": words.in_channel,
    "channel": words.channel,
    "threads": words.threads,
    "dms": words.dms,
    "wait": words.wait,
    "clock": clock,
    "downtime": downtime,
    "help": words.help_words,
}


class SandboxConsole:
    """Drive a running stand-in the way a person drives Discord. See the module docstring."""

    def __init__(
        self,
        standin: StandIn,
        *,
        output: Console | None = None,
        member: str = "mentor",
        channel: str = words.DEFAULT_CHANNEL,
        timeout: float = 10.0,
        settle: float = 0.15,
        clock: Callable[[], float] | None = None,
        timeline: Timeline | None = None,
        after_line: Callable[[], None] | None = None,
        servers: Sequence[DemoGuild] = (),
        process_of: Callable[[MessageRecord | ThreadRecord, int | None], str | None] | None = None,
    ) -> None:
        """`timeline`: the bot's own clock and scheduler, for the `clock` word (None: no such word).
        `clock`: what relative times (`<t:…:R>`) count from; by default the timeline's simulated now,
        so "in 2 days" stays true after `clock +1d`, else real time. `after_line`: called after every
        line (the sandbox keeps the rehearsal with it). `servers`: the servers a person can act in
        (`server` switches; default: the demo one). `process_of`: which bot process made a message or
        opened a thread, or answered the interaction given with it (`--processes 2`: "process 2 · shard
        1"); None marks nothing."""
        self.standin = standin
        self.out = output or Console()
        self.timeout = timeout
        self.settle = settle
        self.timeline = timeline
        self.after_line = after_line
        self.clock = clock if clock is not None or timeline is None else lambda: timeline.now().timestamp()
        self.errors: list[str] = []
        self._world = DemoWorld(standin, servers)
        self.process_of = process_of
        self.member = self._world.member(member).name
        self.channel = self._world.channel_name(channel)
        self._index: tuple[str, CommandIndex] | None = None
        self._target: MessageRecord | None = None  # the last message shown with buttons or selects
        self._listed: list[MessageRecord] = []  # what `press … on N` picks from (`dms`, `channel`)
        self._modal: ModalRecord | None = None  # the form the last interaction opened
        self._session: PromptSession[str] | None = None
        self._lock = asyncio.Lock()
        self._running: asyncio.Task[bool] | None = None  # the line being run, which Ctrl-C cancels
        self._location = ""  # "demo.txt:3: " while a script runs, to prefix errors
        self._ephemeral_owner: dict[int, str] = {}  # ephemeral message id -> the member who saw it
        self._feed = Feed(self._world, process_of)  # what the console already showed
        self.zone = "UTC"  # the server's time zone, which timestamps are shown in (from the timeline)

    # ------------------------------------------------------------------ entry points

    async def execute(self, line: str) -> bool:
        """Run one console line; False when it asks to quit. Never raises for a person's mistake."""
        async with self._lock:
            try:
                await self._learn_zone()
                return await self._execute(line.strip())
            except ConsoleInputError as exc:
                self._error(str(exc))
            except BotProblem as exc:
                self._error(str(exc))
            except Exception as exc:
                log.exception("console line %r failed", line)
                self._error(f"the console failed on this line ({type(exc).__name__}: {humane(self, str(exc))})")
            finally:
                self._keep()
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
            self._location = f"{Path(path).name}:{number}: "
            try:
                line = await self._resolve_dates(line)
            except ConsoleInputError as exc:
                self._error(str(exc))
                self._location = ""
                continue
            self.out.print(Text(f"» {line}", style="bold"), highlight=False, soft_wrap=True)
            try:
                keep_going = await self.execute(line)
            finally:
                self._location = ""
            if not keep_going:
                break
        return 1 if self.errors else 0

    async def _resolve_dates(self, line: str) -> str:
        """A script's dates relative to the day it runs: `{next_monday}` is the first Monday after
        today (the simulated today, in the server's time zone), `{next_monday+7}` seven days later,
        as YYYY-MM-DD; so a tour always starts its cohort ahead of the clock."""
        if "{" not in line:
            return line
        if self.timeline is not None:
            zone = (await self.timeline.zone(self._world.guild.id)).name
            today = self.timeline.now().astimezone(ZoneInfo(zone)).date()
        else:
            today = datetime.now(UTC).date()
        monday = today + timedelta(days=7 - today.weekday())

        def resolve(match: re.Match[str]) -> str:
            return (monday + timedelta(days=int(match.group(1) or 0))).isoformat()

        line = _NEXT_MONDAY.sub(resolve, line)
        left = re.search(r"\{[\w+-]*\}", line)
        if left is not None:
            raise ConsoleInputError(f"unknown placeholder {left.group(0)}; scripts know {{next_monday}} and "
                                    "{next_monday+N} (N days later)")
        return line

    async def run_interactive(self) -> None:
        """The interactive prompt: history, Tab completion, bot posts shown while you are idle.

        Ctrl-C while a line runs cancels that line only: the bot, the stand-in and their data
        carry on and the prompt comes back. At the prompt, Ctrl-C drops what was typed; on an
        empty line it says how to leave, and a second Ctrl-C in a row leaves (as `quit`)."""
        self._session = PromptSession(
            history=InMemoryHistory(),
            completer=ConsoleCompleter(self),
            complete_while_typing=True,
            # The prompt (and any completion menu under it) is wiped when a line is entered, and
            # the line is echoed as plain output: nothing the prompt drew can stay on screen.
            erase_when_done=True,
        )
        with patch_stdout(raw=True), self._ctrl_c_cancels_the_running_line():
            watcher = asyncio.create_task(self._watch())
            try:
                await self._read_lines(self._session)
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher

    async def _read_lines(self, session: PromptSession[str]) -> None:
        leave_on_ctrl_c = False
        while True:
            try:
                prompt = self._prompt()
                line = await session.prompt_async(prompt)
            except KeyboardInterrupt:
                if session.default_buffer.text.strip():
                    self._note(f"{session.default_buffer.text} ^C (dropped)")
                    leave_on_ctrl_c = False  # like a shell: the typed line is dropped
                    continue
                if leave_on_ctrl_c:
                    break
                self._note("(Ctrl-C again, quit or Ctrl-D to leave the sandbox)")
                leave_on_ctrl_c = True
                continue
            except EOFError:
                break
            self.out.print(Text(f"{prompt}{line}"), highlight=False, soft_wrap=True)
            leave_on_ctrl_c = False
            if not await self._run_cancellable(line):
                break

    async def _run_cancellable(self, line: str) -> bool:
        """Run one line as a task that Ctrl-C cancels; the console itself keeps running."""
        self._running = asyncio.create_task(self.execute(line), name="console-line")
        try:
            return await self._running
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # the console itself is being stopped, not just this line
            self._note(f"cancelled: {line.strip()}", "bold yellow")
            return True
        finally:
            self._running = None

    def _interrupt(self) -> None:
        if self._running is not None and not self._running.done():
            self._running.cancel()

    @contextlib.contextmanager
    def _ctrl_c_cancels_the_running_line(self) -> Iterator[None]:
        """While a line runs the terminal is in cooked mode, so Ctrl-C arrives as SIGINT (at the
        prompt, prompt_toolkit reads it as a key). asyncio.run's own handler would cancel the
        whole sandbox; this one cancels only the running line."""
        loop = asyncio.get_running_loop()

        def on_sigint(signum: int, frame: FrameType | None) -> None:
            loop.call_soon_threadsafe(self._interrupt)

        try:
            previous = signal.signal(signal.SIGINT, on_sigint)
        except ValueError:  # not the main thread (an embedding test): leave signals alone
            yield
            return
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def _prompt(self) -> str:
        server = f" (server {self._world.servers.index(self._world.guild) + 1})" if self._world.several else ""
        return f"{self.member} in #{self.channel}{server} › "

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
            await slash(self, line)
            return True
        word, _, rest = line.partition(" ")
        word, rest = word.lower(), rest.strip()
        if word in ("quit", "exit"):
            return False
        handler = HANDLERS.get(word)
        if handler is None:
            near = closest(word, words.WORDS)
            hint = f"; did you mean {' or '.join(near)}?" if near else ""
            raise ConsoleInputError(f"unknown word {word!r}{hint} (slash commands start with /; try help)")
        await handler(self, rest)
        return True

    def _keep(self) -> None:
        if self.after_line is None:
            return
        try:
            self.after_line()
        except Exception as exc:  # a full disk must not end the rehearsal: say it, carry on
            log.exception("keeping the rehearsal failed")
            self._error(f"could not keep the rehearsal ({type(exc).__name__}: {exc})")

    def _error(self, message: str) -> None:
        self.errors.append(self._location + message)
        self.out.print(Text(f"✗ {message}", style="bold red"), highlight=False, soft_wrap=True)

    def _note(self, message: str, style: str = "dim") -> None:
        self.out.print(Text(message, style=style), highlight=False, soft_wrap=True)

    # ------------------------------------------------------------------ what the console shows

    @property
    def index(self) -> CommandIndex:
        commands = list(self.standin.commands or [])
        key = json.dumps(commands, sort_keys=True, default=str)
        if self._index is None or self._index[0] != key:
            self._index = (key, CommandIndex(commands))
        return self._index[1]

    def missing_for(self, spec: CommandSpec) -> list[str]:
        """The permissions the current member lacks for `spec`: Discord hides it unless none."""
        return self._world.missing_for_command(self.member, self.channel, spec.needs)

    def visible_paths(self) -> list[str]:
        """The command paths Discord would show the current member where they type."""
        index = self.index
        return [p for p in index.paths if not self.missing_for(index.commands[p])]

    def _names(self) -> Names:
        return self._world.names(now=self.clock, zone=self.zone)

    async def _learn_zone(self) -> None:
        """The server's time zone as the bot has it now (`/nexus setup` may have changed it)."""
        if self.timeline is not None:
            self.zone = (await self.timeline.zone(self._world.guild.id)).name

    def _show_changes(
        self,
        shown: set[int],
        note_for: Callable[[MessageRecord], str | None] | None = None,
        lines: Sequence[Change] = (),
    ) -> int:
        """Show what changed since the console last looked: new threads, new/edited/deleted messages,
        in the order it happened (see `Feed.changes`); `shown` are messages already shown;
        `note_for` may add a note to a message's header (`clock` names the scheduled post); `lines`
        are the caller's own lines, each shown in its place in that order (`Change.at`).
        Returns how many changes were shown."""
        names = self._names()
        changes = sorted([*self._feed.changes(shown, names), *lines], key=lambda change: change.at)
        for change in changes:
            if change.record is not None:
                note = change.note or (note_for(change.record) if note_for is not None else None)
                self._show_message(change.record, names, where=change.where, note=note)
            else:
                self._note(change.line, change.style)
        return len(changes)

    def _pings(self, record: MessageRecord, names: Names) -> str | None:
        """`pings @ben`, `pings nobody`: whom a bot message notified, as Discord decides it from its
        content and allowed_mentions (so @everyone quoted from a learner's text pings no one)."""
        if int(record.author_id) != int(self.standin.bot_user_id):
            return None
        pings = self.standin.pings(record)
        if pings.nobody:
            return "pings nobody"
        who = [f"@{names.user(u)}" for u in pings.users] + [f"@{names.role(r)}" for r in pings.roles]
        return "pings " + ", ".join(([pings.everyone] if pings.everyone else []) + who)

    def _show_message(
        self, record: MessageRecord, names: Names, *, where: str | None = None, note: str | None = None,
        interaction: int | None = None,
    ) -> None:
        """`interaction`: the one that made or updated the message (whose process answered it)."""
        # Discord notifies no one of an edit: an edited message shown again pinged nobody now.
        pings = "pings nobody (an edit notifies no one)" if note == "edited" else self._pings(record, names)
        process = None
        if self.process_of is not None and int(attr(record, "author_id") or 0) == int(self.standin.bot_user_id):
            process = self.process_of(record, interaction)
        self.out.print(render_message(record, names, where=where, note=note, pings=pings, process=process))
        components = attr(record, "components") or []
        if iter_buttons(components) or iter_selects(components):
            self._target = record
            self._listed = []


__all__ = ["SandboxConsole"]
