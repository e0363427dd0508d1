"""The machinery of tests/e2e/test_input_fuzz.py: the inputs found in the synced commands, the real
bot on an event loop of its own, and what counts as a bad answer."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sandbox.standin import StandIn

T = TypeVar("T")

MEMBER = "mentor"  # Manage Server and Manage Messages: every command runs its real code, not a refusal
CHANNEL = "prodevprojectnexus"
SUBCOMMAND, GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL_OPTION, ROLE, MENTIONABLE, NUMBER = range(1, 11)
ANSWER_TIMEOUT = 5.0  # the stand-in's own default; a bot that answers never waits this long

ERROR_ID = re.compile(r"Error id `[0-9a-f]+`")
# What the stand-in says when Discord's client would not send the input at all.
CLIENT_REFUSAL = re.compile(r"takes at most \d+ characters|needs at least \d+ characters|is required")
# The tasks discord.py runs a command, autocomplete, button or form in: waiting for them means the
# bot has finished with the interaction, including any late follow-up (such as an error report).
HANDLER_TASKS = ("CommandTree-invoker", "discord-ui-view-dispatch-", "discord-ui-modal-dispatch-",
                 "discord-ui-dynamic-item-")


# --- inputs, found in the synced commands ------------------------------------------------------


@dataclass(frozen=True)
class TextOption:
    """A free-text string option of a leaf (sub)command (options with fixed choices are not free text)."""

    command: str
    option: str
    schema: tuple[dict[str, Any], ...] = field(compare=False, repr=False)
    autocomplete: bool = False

    def __str__(self) -> str:
        return f"/{self.command} {self.option}"


@dataclass(frozen=True)
class Autocomplete:
    """What a member types into an option that offers choices as they type."""

    option: TextOption

    def __str__(self) -> str:
        return f"{self.option} (autocomplete)"


@dataclass(frozen=True)
class FormField:
    """A text field of the form a command opens."""

    command: str
    options: tuple[tuple[str, Any], ...]
    field: str

    def __str__(self) -> str:
        return f"/{self.command} form field {self.field}"


def leaf_commands(commands: list[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Every runnable (sub)command of the synced slash commands, with its options."""

    def walk(path: str, options: list[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        subs = [o for o in options if o["type"] in (SUBCOMMAND, GROUP)]
        if not subs:
            yield path, options
        for sub in subs:
            yield from walk(f"{path} {sub['name']}", sub.get("options") or [])

    for command in commands:
        if int(command.get("type", 1)) == 1:
            yield from walk(command["name"], command.get("options") or [])


def text_options(commands: list[dict[str, Any]]) -> list[TextOption]:
    return [
        TextOption(path, o["name"], tuple(options), bool(o.get("autocomplete")))
        for path, options in leaf_commands(commands)
        for o in options
        if o["type"] == STRING and not o.get("choices")
    ]


def plain_value(option: dict[str, Any]) -> Any:
    """An ordinary valid value for an option that is not under test."""
    if option.get("choices"):
        return option["choices"][0]["value"]
    return {
        STRING: "docker",
        INTEGER: option.get("min_value", 1),
        NUMBER: option.get("min_value", 1),
        BOOLEAN: False,
        USER: "ada",
        MENTIONABLE: "ada",
        CHANNEL_OPTION: CHANNEL,
        ROLE: "Backend",
    }[option["type"]]


def required_values(options: list[dict[str, Any]] | tuple[dict[str, Any], ...], leave_out: str = "") -> dict[str, Any]:
    return {o["name"]: plain_value(o) for o in options if o.get("required") and o["name"] != leave_out}


def plain_field_text(min_length: int | None, max_length: int | None) -> str:
    """Valid ordinary text for a form field that is not under test."""
    text = "Django signals: when post_save receivers help and when they hide logic. " * 60
    return text[: max(min_length or 1, min(max_length or 4000, 80))]


# --- the bot on its own loop -------------------------------------------------------------------


class ErrorLog(logging.Handler):
    """Every ERROR the bot logs (report_error's traceback, discord.py's "Ignoring exception")."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Outcome:
    """What one member action came to: refused by Discord's client, or answered with problems."""

    refused: str | None = None
    problems: list[str] = field(default_factory=list)
    record: Any = None  # the stand-in's InteractionRecord (or autocomplete choices)


class BotOnItsOwnLoop:
    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="nexus-fuzz", daemon=True)
        self.errors = ErrorLog()
        self.standin: StandIn
        self.sent: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self) -> None:
        self.thread.start()
        logging.getLogger().addHandler(self.errors)
        self.run(self._start())

    async def _start(self) -> None:
        from bot.config import load_settings
        from sandbox.run import sandbox_settings, start_bot_against

        self.standin = await StandIn().start()
        settings = sandbox_settings(load_settings({}, env_file=None), self.standin, self.db_path)
        self.bot, self.bot_task = await start_bot_against(self.standin, settings)

    def stop(self) -> None:
        try:
            self.run(self._stop())
        finally:
            logging.getLogger().removeHandler(self.errors)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
            self.loop.close()

    async def _stop(self) -> None:
        from sandbox.run import stop_bot

        await stop_bot(self.bot, self.bot_task)
        await self.standin.stop()
        # Views of the answers wait for their timeout; end them with the loop.
        leftovers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in leftovers:
            task.cancel()
        await asyncio.gather(*leftovers, return_exceptions=True)

    # -- one member action, and what it came to --------------------------------------------------
    def exchange(self, target: object, act: Callable[[], Awaitable[Any]]) -> Outcome:
        outcome = self.run(self._exchange(act))
        counter = self.refused if outcome.refused else self.sent
        counter[str(target)] += 1
        return outcome

    async def _exchange(self, act: Callable[[], Awaitable[Any]]) -> Outcome:
        first_request, first_error = len(self.standin.requests), len(self.errors.records)
        problems: list[str] = []
        try:
            record = await act()
        except ValueError as refusal:
            if CLIENT_REFUSAL.search(str(refusal)):
                return Outcome(refused=str(refusal))
            raise
        except TimeoutError as unanswered:
            record = None
            problems.append(f"left unanswered: {unanswered}")
        else:
            if getattr(record, "response_type", None) == 5:
                try:
                    await record.wait_done(ANSWER_TIMEOUT)
                except TimeoutError as unfinished:
                    problems.append(f"deferred and never finished: {unfinished}")
        await self._settle()
        problems += message_problems(self.standin.requests[first_request:])
        problems += [f"logged an error: {r.getMessage()}" for r in self.errors.records[first_error:]]
        return Outcome(problems=problems, record=record if not problems else None)

    async def _settle(self) -> None:
        """Until the bot has finished with the interaction: late follow-ups count too."""
        me = asyncio.current_task()
        handlers = [t for t in asyncio.all_tasks() if t is not me and t.get_name().startswith(HANDLER_TASKS)]
        if handlers:
            await asyncio.wait(handlers, timeout=ANSWER_TIMEOUT)


def sent_messages(requests: list[Any]) -> Iterator[tuple[bool, dict[str, Any]]]:
    """(is it a new message, its body) for every message the bot sent or edited."""
    for request in requests:
        body = request.json if isinstance(request.json, dict) else {}
        if request.route.endswith("/callback"):
            if body.get("type") in (4, 7):
                yield body["type"] == 4, body.get("data") or {}
        elif request.method in ("POST", "PATCH") and {"content", "embeds", "components"} & set(body):
            yield request.method == "POST", body


def allows_pings(body: dict[str, Any]) -> bool:
    """Would Discord ping @everyone/@here or a role from this new message's text?"""
    mentions = body.get("allowed_mentions")
    if mentions is None:  # Discord's default parses every kind of mention
        return True
    parse = mentions.get("parse") or []
    return "everyone" in parse or "roles" in parse or bool(mentions.get("roles"))


def message_problems(requests: list[Any]) -> list[str]:
    problems = []
    for is_new, body in sent_messages(requests):
        shown = json.dumps(body, ensure_ascii=False)
        if ERROR_ID.search(shown):
            problems.append(f"answered with an error id: {shown[:300]}")
        if is_new and allows_pings(body):
            problems.append(f"a message may ping everyone or roles: allowed_mentions={body.get('allowed_mentions')}")
    return problems
