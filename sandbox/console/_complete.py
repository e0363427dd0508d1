"""Tab completion in the interactive console: console words, synced command paths, options, demo names.

Options the bot answers with autocomplete are completed by asking the bot, through the stand-in,
exactly as Discord's client does while a person types.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from ._components import iter_buttons, iter_selects
from ._forms import field_key, modal_fields
from ._parse import BOOLEAN, CHANNEL, MENTIONABLE, ROLE, USER, CommandSpec, split_words
from ._words import WORDS

# What `clock` is most often moved by; any amount or a date and time works too (see `help`).
CLOCK_MOVES = [("+1h", "one hour ahead"), ("+1d", "one day ahead"), ("+3d", "three days ahead"),
               ("+1w", "a program week ahead")]

if TYPE_CHECKING:
    from ._console import SandboxConsole


class ConsoleCompleter(Completer):
    """Tab completion for one console (its guild, its last message with buttons, its open form)."""

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
            candidates = [(n, "") for n in console._world.member_names()]
        elif word in ("channel", "in"):
            candidates = [(c.name, "channel") for c in console._world.text_channels()]
            candidates += [(_quote(t.name), "thread") for t in console._world.threads()]
        elif word == "press" and console._target is not None:
            buttons = iter_buttons(console._target.components or [])
            candidates = [(str(i), str(b.get("label") or "")) for i, b in enumerate(buttons, start=1)]
        elif word == "select" and console._target is not None:
            selects = iter_selects(console._target.components or [])
            if len(selects) > 1 and " " not in rest:  # first, which menu
                candidates = [(str(i), str(s.get("placeholder") or "")) for i, s in enumerate(selects, start=1)]
            elif selects:
                first = rest.split(" ", 1)[0]
                number = int(first) if len(selects) > 1 and first.isdigit() else 1
                options = selects[number - 1].get("options") or [] if 1 <= number <= len(selects) else []
                candidates = [(str(i), str(o.get("label"))) for i, o in enumerate(options, start=1)]
        elif word == "fill" and console._modal is not None:
            candidates = [(f"{field_key(f)}=", f.label) for f in modal_fields(console._modal)]
        elif word == "clock":
            candidates = list(CLOCK_MOVES)
        elif word == "help":
            candidates = [(f"/{p}", console.index.commands[p].description) for p in console.visible_paths()]
        if word in ("as", "dms", "channel", "in"):
            # One name, which may hold spaces (`Pair · ada & ben`): complete all that was typed,
            # quoted or not, with or without its `#`.
            typed = rest.lstrip().lstrip("\"'#").lower()
            for value, meta in candidates:
                if value.strip("\"").lower().startswith(typed):
                    yield Completion(value, start_position=-len(rest.lstrip()), display_meta=meta)
            return
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
            for path in self.console.visible_paths():  # as in Discord: none the member may not use
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
                if value.lower().lstrip("\"#@").startswith(partial.lower().lstrip("\"#@")):
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
            # As Discord's client offers them: by name.
            return [(_quote(str(c.get("name"))), "") for c in option["choices"]]
        if kind == BOOLEAN:
            return [("true", ""), ("false", "")]
        out: list[tuple[str, str]] = []
        if kind in (USER, MENTIONABLE):
            out += [(f"@{n}", "member") for n in console._world.member_names()]
        if kind in (ROLE, MENTIONABLE):
            out += [(f"@{r.name}", "role") for r in console._world.guild.roles if not r.name.startswith("@")]
        if kind == CHANNEL:
            out += [(f"#{c.name}", "channel") for c in console._world.text_channels()]
            out += [(_quote(f"#{t.name}"), "thread") for t in console._world.threads()]
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
            console.standin.autocomplete(console._world.member(console.member), spec.path, typed,
                                         focused=str(option["name"]), guild=console._world.guild), 2.0
        )
        return [
            Completion(_quote(str(c.get("value"))), start_position=-len(partial), display_meta=str(c.get("name")))
            for c in choices
        ]


def _quote(value: str) -> str:
    return f'"{value}"' if any(ch.isspace() for ch in value) else value
