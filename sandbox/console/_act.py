"""What makes an interaction: a slash command, a button press, a select; and showing its answer.

After every action the console shows, in this order: the interaction's own answer (reply, form, or
the message a button updated), its follow-ups, then whatever else the bot posted or edited anywhere
(the feed's changes). `press N` and `select N` act on the last message shown with buttons or selects.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from ._components import iter_buttons, iter_selects
from ._feed import fingerprint
from ._forms import render_modal
from ._message import LOADING
from ._parse import CHANNEL, MENTIONABLE, ROLE, USER, ConsoleInputError, mention_target, split_words

if TYPE_CHECKING:
    from sandbox.standin import InteractionRecord, MessageRecord

    from ._console import SandboxConsole


class BotProblem(Exception):
    """The bot did not do what Discord requires (no answer in time): reported, not a typing mistake."""


async def settle(console: SandboxConsole) -> None:
    """Wait until the bot stopped calling the API for a moment (it may post after answering)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(console.timeout, 1.0)
    step = max(console.settle / 3, 0.01)
    last, quiet = len(console.standin.requests), 0
    while loop.time() < deadline:
        await asyncio.sleep(step)
        count = len(console.standin.requests)
        if count == last:
            quiet += 1
            if quiet >= 3:
                return
        else:
            last, quiet = count, 0


async def interact(
    console: SandboxConsole,
    start: Callable[[], Awaitable[InteractionRecord]],
    what: str,
    clicked: MessageRecord | None = None,
) -> None:
    before = fingerprint(clicked) if clicked is not None else None
    try:
        rec = await start()
    except TimeoutError:
        raise BotProblem(f"the bot did not answer {what} within {console.timeout:g} s") from None
    except (ValueError, KeyError) as exc:
        # The stand-in refused, as Discord's client would: say it without internal ids.
        said = str(exc.args[0]) if exc.args else str(exc)
        raise ConsoleInputError(humane(console, said, clicked)) from None
    console._modal = None
    kind = int(rec.response_type or 0)
    problem = None
    if kind == 5:
        try:
            await rec.wait_done(timeout=console.timeout)
        except TimeoutError:
            problem = f"the bot deferred {what} but did not answer within {console.timeout:g} s"
    await settle(console)
    await console._learn_zone()  # `/nexus setup timezone:…` shows its own answer in the new zone
    names = console._names()
    shown: set[int] = set()
    if kind == 9 and rec.modal is not None:
        console._modal = rec.modal
        console.out.print(render_modal(rec.modal, names))
    elif rec.message is not None:
        message = rec.message
        shown.add(int(message.id))
        still_loading = bool(int(message.flags or 0) & LOADING) and not message.content and not message.embeds
        if not (still_loading and rec.followups):
            note = "updated the message" if kind in (6, 7) else "replied"
            where = None if message.ephemeral else console._feed.where(int(message.channel_id))
            console._show_message(message, names, where=where, note=note, interaction=rec.id)
        if message.ephemeral:
            console._ephemeral_owner.setdefault(int(message.id), console.member)
    elif clicked is not None and fingerprint(clicked) != before:
        console._show_message(clicked, names, note="updated the message", interaction=rec.id)
        shown.add(int(clicked.id))
    for followup in rec.followups or []:
        if int(followup.id) in shown:  # the first follow-up of a deferral can be @original itself
            continue
        if followup.ephemeral:
            console._ephemeral_owner.setdefault(int(followup.id), console.member)
        where = None if followup.ephemeral else console._feed.where(int(followup.channel_id))
        console._show_message(followup, names, where=where, note="follow-up", interaction=rec.id)
        shown.add(int(followup.id))
    if kind in (6, 7) and clicked is not None:
        shown.add(int(clicked.id))
    console._show_changes(shown)
    if problem:
        raise BotProblem(problem)


_SNOWFLAKE = re.compile(r"(?<![\w<])(message )?(\d{15,22})(?![\w>])")


def humane(console: SandboxConsole, text: str, clicked: MessageRecord | None = None) -> str:
    """A stand-in message in a person's words: ids become names, custom ids the labels shown."""
    names = console._names()

    def name(match: re.Match[str]) -> str:
        said, snowflake = match.group(1) or "", int(match.group(2))
        if snowflake in names.channels:
            return f"{said}#{names.channels[snowflake]}"
        if snowflake in names.users:
            return f"{said}@{names.users[snowflake]}"
        if snowflake in names.roles:
            return f"{said}@{names.roles[snowflake]}"
        return "that message" if clicked is None or snowflake == int(clicked.id) else "a message"

    text = _SNOWFLAKE.sub(name, text)
    labels: dict[str, str] = {}
    if console._modal is not None:
        labels[console._modal.custom_id] = f"form “{console._modal.title}”"
    for component in iter_buttons(clicked.components or []) + iter_selects(clicked.components or []) if clicked else []:
        shown = component.get("label") or component.get("placeholder") or "menu"
        if component.get("custom_id"):
            labels[str(component["custom_id"])] = f"“{shown}”"
    for custom_id, label in labels.items():
        text = text.replace(repr(custom_id), label).replace(custom_id, label)
    return text


async def slash(console: SandboxConsole, line: str) -> None:
    parsed = console.index.parse(line)
    for said in parsed.choice_notes():
        console._note(said)
    missing = console.missing_for(parsed.spec)
    if missing:
        # Discord's client would not even offer the command; the console sends it anyway so the
        # bot's own permission check can be seen, and says so.
        top = parsed.path.split()[0]
        console._note(
            f"Discord hides /{top} from {console.member} (needs {', '.join(missing)}): "
            "sent anyway, to show what the bot itself does"
        )
    for option in parsed.spec.options:
        name = str(option["name"])
        if name in parsed.options:
            console._world.check_target(name, int(option.get("type", 3)), str(parsed.options[name]))
    member, channel, guild = console._world.member(console.member), console.channel, console._world.guild
    await interact(
        console,
        lambda: console.standin.invoke(member, parsed.path, parsed.options, channel=channel, guild=guild,
                                       timeout=console.timeout),
        f"/{parsed.path}",
    )


_ON_MESSAGE = re.compile(r"\s+on\s+(\d+)\s*$", re.IGNORECASE)


def _picked_message(console: SandboxConsole, rest: str) -> tuple[MessageRecord | None, str]:
    """`press Accept on 1`: message 1 of those a `dms` or `channel` listing numbered (several had
    buttons); without `on N`, None (the last message shown with buttons). The rest without it."""
    found = _ON_MESSAGE.search(rest)
    if found is None:
        return None, rest
    listed = console._listed
    if not listed:
        raise ConsoleInputError("`on N` picks one of the messages a `dms` or `channel` listing numbered when "
                                "several had buttons; none is numbered now")
    number = int(found.group(1))
    if not 1 <= number <= len(listed):
        raise ConsoleInputError(f"no message {number}; the listing numbered 1 to {len(listed)}")
    return listed[number - 1], rest[: found.start()]


def _target_message(console: SandboxConsole, what: str, picked: MessageRecord | None = None) -> MessageRecord:
    target = picked or console._target
    if target is None:
        raise ConsoleInputError(f"no message with {what} shown yet")
    if target.deleted:
        raise ConsoleInputError("the last message with buttons was deleted")
    owner = console._ephemeral_owner.get(int(target.id))
    if target.ephemeral and owner is not None and owner != console.member:
        raise ConsoleInputError(f"that message was only shown to {owner} (ephemeral); `as {owner}` to use its {what}")
    # Only the member a DM was sent to sees it (`dms ben` shows it to anyone here, Discord would not).
    dm_owner = console._world.dm_owner(int(target.channel_id))
    if dm_owner is not None and dm_owner != console.member:
        raise ConsoleInputError(f"that message is in {dm_owner}'s DMs, which only {dm_owner} sees; "
                                f"`as {dm_owner}` to use its {what}")
    return target


async def press(console: SandboxConsole, rest: str) -> None:
    picked, rest = _picked_message(console, rest)
    if not rest.strip():
        raise ConsoleInputError("press which button? e.g. press 1 or press Accept")
    target = _target_message(console, "buttons", picked)
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
        console._note(f"link button {label!r} opens {button.get('url')} in the browser; the bot is not told")
        return
    custom_id = button.get("custom_id")
    if not custom_id:
        raise ConsoleInputError(f"button {label!r} has no custom_id to send")
    member = console._world.member(console.member)
    await interact(
        console, lambda: console.standin.click(member, target, custom_id), f"the {label!r} button", clicked=target
    )


async def select(console: SandboxConsole, rest: str) -> None:
    picked, rest = _picked_message(console, rest)
    target = _target_message(console, "select menus", picked)
    selects = iter_selects(target.components or [])
    if not selects:
        raise ConsoleInputError("the last message shown has no select menu")
    words = [w.text for w in split_words(rest, separators="")]
    menu = selects[_menu_number(selects, words) - 1]
    if menu.get("disabled"):
        raise ConsoleInputError("that select menu is disabled")
    values = _select_values(console, menu, words)
    member, custom_id = console._world.member(console.member), str(menu.get("custom_id"))
    await interact(
        console,
        lambda: console.standin.click(member, target, custom_id, values=values),
        "the select menu",
        clicked=target,
    )


def _menu_number(selects: list[Mapping[str, Any]], words: list[str]) -> int:
    """Which menu `select …` means; takes the menu number off `words` when one is given.

    With several menus the first word says which one. With one menu every word is a choice (an
    option's number, value or label: `select 2` picks option 2, as `press 2` presses button 2),
    except the older `select 1 jobs`, whose leading 1 names the menu when no other number follows.
    """
    if not words:
        return 1 if len(selects) == 1 else _which_menu(selects)
    if len(selects) > 1:
        if not words[0].isdigit():
            _which_menu(selects)
        number = int(words.pop(0))
        if not 1 <= number <= len(selects):
            raise ConsoleInputError(f"no select menu {number}; the message has {len(selects)}")
        return number
    if words[0] == "1" and len(words) > 1 and not any(w.isdigit() for w in words[1:]):
        words.pop(0)
    return 1


def _which_menu(selects: list[Mapping[str, Any]]) -> NoReturn:
    raise ConsoleInputError(f"which select menu? select N choice … (N from 1 to {len(selects)})")


def _select_values(console: SandboxConsole, menu: Mapping[str, Any], words: list[str]) -> list[str]:
    low = int(menu.get("min_values", 1) if menu.get("min_values") is not None else 1)
    high = int(menu.get("max_values", 1) or 1)
    if not low <= len(words) <= high:
        span = f"{low}" if low == high else f"{low} to {high}"
        raise ConsoleInputError(f"this menu takes {span} value{'s' if high > 1 else ''}, got {len(words)}")
    kind = int(menu.get("type", 3))
    values: list[str] = []
    for word in words:
        if kind == 3:
            values.append(_option_value(menu.get("options") or [], word))
            continue
        # Member, role and channel selects: the stand-in resolves names, as for options.
        target = mention_target(word)
        console._world.check_target("select", {5: USER, 6: ROLE, 7: MENTIONABLE, 8: CHANNEL}.get(kind, 0), target)
        values.append(target)
    return values


def _option_value(options: list[Mapping[str, Any]], word: str) -> str:
    """A string select's option by its number (as shown), value or label."""
    listing = ", ".join(f"{i}. {o.get('label')}" for i, o in enumerate(options, start=1))
    if word.isdigit():
        number = int(word)
        if not 1 <= number <= len(options):
            raise ConsoleInputError(f"no option {number}; options: {listing}")
        return str(options[number - 1]["value"])
    found = [o for o in options if word.lower() in (str(o.get("value")).lower(), str(o.get("label")).lower())]
    if not found:
        raise ConsoleInputError(f"{word!r} is not an option; options: {listing}")
    return str(found[0]["value"])
