"""Read a console line the way Discord's client reads a slash command.

The console knows no command by heart: it walks the command tree the bot SYNCED to the stand-in
(Discord's application-command JSON), so a new command, option or choice needs no console code.
Type-1 options are subcommands and type-2 options subcommand groups; every other option is a
value, typed here by its schema type so a mistake reads like Discord's own red hint instead of
reaching the bot.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SUBCOMMAND = 1
SUBCOMMAND_GROUP = 2
STRING = 3
INTEGER = 4
BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
NUMBER = 10
ATTACHMENT = 11

OPTION_TYPE_NAMES = {
    STRING: "text",
    INTEGER: "whole number",
    BOOLEAN: "true/false",
    USER: "member",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "member or role",
    NUMBER: "number",
    ATTACHMENT: "attachment",
}

_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}

# <#123>, <@123>, <@!123>, <@&123>
_MENTION = re.compile(r"^<(#|@!?|@&)(\d+)>$")
# `name:value` (or `name=value` for modal fields): the name part of a word.
_NAMED = re.compile(r"^([^\W\d][\w-]*)([:=])(.*)$", re.DOTALL)


class ConsoleInputError(ValueError):
    """A person's typing mistake: shown as one short red line, never as a traceback."""


@dataclass(frozen=True)
class Word:
    """One word of a console line, quotes removed."""

    text: str
    literal: bool = False  # the whole word was quoted: a value, never a `name:`


def split_words(line: str, separators: str = ":=") -> list[Word]:
    """Split a line into words, shell-style but forgiving of apostrophes.

    Like `shlex.split`, double or single quotes group words (`timezone:"Africa/Lagos"`,
    `"two words"`); unlike it, a quote only opens at the start of a word or right after the
    `name:` separator, and only closes before a space or the line's end, so everyday text such as
    `title:Ada's shop` or `note:it's 10:30` is taken literally instead of failing or losing its
    apostrophes.
    """
    words: list[Word] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        start = i
        prefix = ""
        if line[i] not in "\"'":
            match = _NAMED.match(line[i:].split(None, 1)[0] if line[i:].strip() else "")
            if match and match.group(2) in separators and match.group(3)[:1] in ("'", '"'):
                prefix = match.group(1) + match.group(2)
                i += len(prefix)
        if i < n and line[i] in "\"'":
            quote = line[i]
            j = i + 1
            while True:
                j = line.find(quote, j)
                if j == -1:
                    raise ConsoleInputError(f"no closing {quote} in: {line[start:].strip()}")
                if j + 1 == n or line[j + 1].isspace():
                    break
                j += 1
            words.append(Word(prefix + line[i + 1 : j], literal=not prefix))
            i = j + 1
            continue
        j = i
        while j < n and not line[j].isspace():
            j += 1
        words.append(Word(line[start:j]))
        i = j
    return words


def closest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates nearest to `word` (case-insensitive), best first."""
    pool = {c.lower(): c for c in candidates}
    return [pool[m] for m in difflib.get_close_matches(word.lower(), list(pool), n=n, cutoff=0.5)]


def _did_you_mean(word: str, candidates: Iterable[str], fmt: str = "{}") -> str:
    near = closest(word, candidates)
    return f"; did you mean {' or '.join(fmt.format(c) for c in near)}?" if near else ""


@dataclass(frozen=True)
class CommandSpec:
    """One invocable slash command: a top-level command without subcommands, or a subcommand."""

    path: str  # "nexus setup"
    description: str
    options: tuple[dict[str, Any], ...]  # value options only, in the synced order
    # The top-level command's `default_member_permissions` (None: everyone). Discord can only hide
    # whole top-level commands, so a subcommand carries its parent's.
    needs: int | None = None

    def option(self, name: str) -> dict[str, Any] | None:
        for opt in self.options:
            if str(opt.get("name", "")).lower() == name.lower():
                return opt
        return None

    @property
    def usage(self) -> str:
        parts = [f"/{self.path}"]
        for opt in self.options:
            word = f"{opt['name']}:<{OPTION_TYPE_NAMES.get(int(opt.get('type', STRING)), 'value')}>"
            parts.append(word if opt.get("required") else f"[{word}]")
        return " ".join(parts)


@dataclass(frozen=True)
class ParsedCommand:
    path: str
    options: dict[str, Any]
    spec: CommandSpec = field(repr=False)
    typed: dict[str, str] = field(default_factory=dict, repr=False)  # each option's value as typed

    def choice_notes(self) -> list[str]:
        """`track:job-board is Job board platform`: a choice given by its value rather than its name, said back."""
        notes = []
        for name, value in self.options.items():
            opt = self.spec.option(name)
            shown = choice_name(opt, value) if opt is not None else None
            if shown is not None and shown.casefold() != self.typed.get(name, "").strip().casefold():
                notes.append(f"{name}:{self.typed.get(name, '').strip()} is {shown}")
        return notes


def _permission_bits(value: Any) -> int | None:
    """Discord sends `default_member_permissions` as a decimal string, or null for everyone."""
    return None if value is None else int(value)


def _chat_input(cmd: Mapping[str, Any]) -> bool:
    return int(cmd.get("type", 1) or 1) == 1


class CommandIndex:
    """The synced command tree, flattened to its invocable paths."""

    def __init__(self, commands: Sequence[Mapping[str, Any]]) -> None:
        self.commands: dict[str, CommandSpec] = {}
        # Node paths ("nexus", "pair queue") -> their child names, to tell a person what follows.
        self.children: dict[str, list[str]] = {}
        self.descriptions: dict[str, str] = {}
        seen: set[str] = set()
        # Guild commands shadow global ones of the same name, as in Discord's client.
        ordered = sorted(commands, key=lambda c: 0 if c.get("guild_id") else 1)
        for cmd in ordered:
            if not _chat_input(cmd):
                continue
            name = str(cmd["name"]).lower()
            if name in seen:
                continue
            seen.add(name)
            self._add(name, cmd, _permission_bits(cmd.get("default_member_permissions")))
        self.children[""] = sorted(seen)

    def _add(self, path: str, node: Mapping[str, Any], needs: int | None) -> None:
        options = list(node.get("options") or [])
        self.descriptions[path] = str(node.get("description") or "")
        subs = [o for o in options if int(o.get("type", 0)) in (SUBCOMMAND, SUBCOMMAND_GROUP)]
        if subs:
            self.children[path] = [str(o["name"]).lower() for o in subs]
            for sub in subs:
                self._add(f"{path} {str(sub['name']).lower()}", sub, needs)
        else:
            self.commands[path] = CommandSpec(path, str(node.get("description") or ""), tuple(options), needs)

    @property
    def paths(self) -> list[str]:
        return sorted(self.commands)

    def parse(self, line: str) -> ParsedCommand:
        """`/nexus setup channel:#x backend_role:@Backend` -> ParsedCommand("nexus setup", {...})."""
        text = line.strip()
        if not text.startswith("/"):
            raise ConsoleInputError("a slash command starts with /")
        words = split_words(text[1:])
        if not words:
            raise ConsoleInputError(f"type a command after /: {', '.join('/' + p for p in self.paths)}")
        spec, rest = self._find(words)
        typed: dict[str, str] = {}
        return ParsedCommand(spec.path, self._options(spec, rest, typed), spec, typed)

    def _find(self, words: list[Word]) -> tuple[CommandSpec, list[Word]]:
        path = ""
        for i, word in enumerate(words):
            candidate = f"{path} {word.text.lower()}".strip()
            children = self.children.get(path, [])
            if word.text.lower() not in children:
                typed = " ".join(w.text for w in words[: i + 1])
                if not path:
                    # Compare what was typed as a command (words before the first option) with
                    # whole paths, so `/nexu status` suggests `/nexus status`, not just `/nexus`.
                    spoken = " ".join(w.text for w in words[:3] if ":" not in w.text)
                    hint = _did_you_mean(spoken, self.paths, "/{}") or _did_you_mean(
                        word.text, self.children[""], "/{}"
                    )
                    raise ConsoleInputError(f"unknown command /{word.text}{hint}")
                options = ", ".join(children)
                hint = _did_you_mean(typed, [p for p in self.paths if p.startswith(path + " ")], "/{}")
                raise ConsoleInputError(f"unknown subcommand /{typed}{hint or f'; /{path} has: {options}'}")
            if candidate in self.commands:
                return self.commands[candidate], words[i + 1 :]
            path = candidate
        subs = ", ".join(f"/{path} {c}" for c in self.children.get(path, []))
        raise ConsoleInputError(f"/{path} needs a subcommand: {subs}")

    def _options(self, spec: CommandSpec, words: list[Word], raw: dict[str, str]) -> dict[str, Any]:
        last: str | None = None
        valid = ", ".join(str(o["name"]) for o in spec.options) or "(none)"
        for word in words:
            match = None if word.literal else _NAMED.match(word.text)
            if match and match.group(2) == ":" and not match.group(3).startswith("//"):
                opt = spec.option(match.group(1))
                if opt is None:
                    names = [str(o["name"]) for o in spec.options]
                    raise ConsoleInputError(
                        f"unknown option {match.group(1)!r} for /{spec.path}"
                        f"{_did_you_mean(match.group(1), names)} (options: {valid})"
                    )
                name = str(opt["name"])
                if name in raw:
                    raise ConsoleInputError(f"option {name} given twice")
                raw[name] = match.group(3)
                last = name
                continue
            if last is not None and _is_text(spec.option(last)):
                # Discord's client lets a text option run on until the next `name:`; so do we.
                raw[last] = f"{raw[last]} {word.text}" if raw[last] else word.text
                continue
            if not spec.options:
                raise ConsoleInputError(f"/{spec.path} takes no options (got {word.text!r})")
            raise ConsoleInputError(
                f"options are written name:value, got {word.text!r} (options of /{spec.path}: {valid})"
            )
        missing = [str(o["name"]) for o in spec.options if o.get("required") and str(o["name"]) not in raw]
        if missing:
            usage = spec.usage
            raise ConsoleInputError(
                f"missing required option{'s' if len(missing) > 1 else ''} {', '.join(missing)}: {usage}"
            )
        typed: dict[str, Any] = {}
        for name, value in raw.items():
            opt = spec.option(name)
            assert opt is not None
            typed[name] = coerce_option(opt, value)
        return typed


def _is_text(opt: Mapping[str, Any] | None) -> bool:
    return opt is not None and int(opt.get("type", STRING)) == STRING


def mention_target(value: str) -> str:
    """`<#123>`/`<@123>`/`<@&123>` -> "123"; `#name`/`@name` -> "name" (the stand-in resolves both)."""
    value = value.strip()
    match = _MENTION.match(value)
    if match:
        return match.group(2)
    return value.lstrip("#@").strip()


def coerce_option(opt: Mapping[str, Any], value: str) -> Any:
    """Type one option value by its schema, checking what Discord's client checks before sending."""
    name = str(opt.get("name"))
    kind = int(opt.get("type", STRING))
    value = value.strip()
    choices = opt.get("choices")
    if choices:
        # Discord's client offers a choice by its name; the console takes the name (any case), or a
        # choice's own value, and nothing else: `weekday:Tuesday` or `weekday:tuesday`, never `weekday:2`.
        return pick_choice(name, kind, choices, value)
    result: Any
    if kind == STRING:
        result = value
    elif kind == INTEGER:
        try:
            result = int(value.replace("_", ""))
        except ValueError:
            raise ConsoleInputError(f"{name} takes a whole number, got {value!r}") from None
    elif kind == NUMBER:
        try:
            result = float(value)
        except ValueError:
            raise ConsoleInputError(f"{name} takes a number, got {value!r}") from None
        if not math.isfinite(result):
            raise ConsoleInputError(f"{name} takes a finite number, got {value!r}")
    elif kind == BOOLEAN:
        low = value.lower()
        if low not in _TRUE | _FALSE:
            raise ConsoleInputError(f"{name} takes true or false (yes/no), got {value!r}")
        result = low in _TRUE
    elif kind in (USER, CHANNEL, ROLE, MENTIONABLE):
        result = mention_target(value)
        if not result:
            raise ConsoleInputError(f"{name} takes a {OPTION_TYPE_NAMES[kind]}, e.g. {_example(kind)}")
    elif kind == ATTACHMENT:
        raise ConsoleInputError(f"{name} is a file upload, which the sandbox console cannot send")
    else:
        result = value

    if kind == STRING:
        if not value and opt.get("required"):
            raise ConsoleInputError(f"{name} cannot be empty")
        shortest, longest = opt.get("min_length"), opt.get("max_length")
        if shortest is not None and len(result) < int(shortest):
            raise ConsoleInputError(f"{name} needs at least {shortest} characters (got {len(result)})")
        if longest is not None and len(result) > int(longest):
            raise ConsoleInputError(f"{name} takes at most {longest} characters (got {len(result)})")
    if kind in (INTEGER, NUMBER):
        least, most = opt.get("min_value"), opt.get("max_value")
        if least is not None and result < least:
            raise ConsoleInputError(f"{name} must be at least {_num(least)} (got {_num(result)})")
        if most is not None and result > most:
            raise ConsoleInputError(f"{name} must be at most {_num(most)} (got {_num(result)})")
    return result


def pick_choice(name: str, kind: int, choices: Sequence[Mapping[str, Any]], typed: str) -> Any:
    """The value of the choice `typed` names: by its name (case-insensitive, as Discord's client
    offers it), else by its value exactly (a number typed for a number choice); refused with the
    names to choose from."""
    folded = typed.casefold()
    for choice in choices:
        if str(choice.get("name", "")).casefold() == folded:
            return choice["value"]
    for choice in choices:
        value = choice.get("value")
        if kind in (INTEGER, NUMBER):
            try:
                same = float(typed.replace("_", "")) == float(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                same = False
        else:
            same = str(value).casefold() == folded
        if same:
            return value
    names = ", ".join(str(c.get("name")) for c in choices)
    raise ConsoleInputError(f"{typed!r} is not a choice for {name}; choose one of: {names}")


def choice_name(opt: Mapping[str, Any], value: Any) -> str | None:
    """The name of the choice whose value is `value`, when it is not the value itself (what the
    console says back for `track:job-board`)."""
    for choice in opt.get("choices") or []:
        if choice.get("value") == value and str(choice.get("name")) != str(value):
            return str(choice.get("name"))
    return None


def _num(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _example(kind: int) -> str:
    return {USER: "@ada", CHANNEL: "#general", ROLE: "@Backend", MENTIONABLE: "@ada or @Backend"}[kind]
