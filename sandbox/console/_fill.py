"""Filling in the form (modal) the bot opened: `fill field=value …`, or field by field when interactive.

Fields are checked the way Discord's client checks them before it sends anything (required, length,
a select's number of choices), so a mistake reads as a console hint instead of reaching the bot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prompt_toolkit import PromptSession

from sandbox.standin import ModalField

from ._act import interact
from ._forms import describe_field, field_key, field_slug, is_select, modal_fields
from ._parse import ConsoleInputError, split_words

if TYPE_CHECKING:
    from ._console import SandboxConsole


async def fill(console: SandboxConsole, rest: str) -> None:
    modal = console._modal
    if modal is None:
        raise ConsoleInputError("no form is open (a command or a button opens one)")
    owner = console._world.member(str(modal.member_id)).name if modal.member_id else console.member
    if owner != console.member:
        raise ConsoleInputError(f"that form belongs to {owner}; `as {owner}` to fill it")
    fields = modal_fields(modal)
    if not rest and console._session is not None:
        given = await _ask_fields(fields)
    else:
        given = _parse_fill(rest, fields)
    values: dict[str, Any] = {}
    for item in fields:
        value = given.get(item.custom_id, item.value or "")
        if item.required and not value.strip():
            missing = [f.label for f in fields if f.required and not given.get(f.custom_id, f.value or "")]
            raise ConsoleInputError(
                f"required field{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)} "
                f"(fill {' '.join(f'{field_key(f)}=…' for f in fields)})"
            )
        if is_select(item):
            values[item.custom_id] = _field_choices(item, value)
            continue
        if value and item.min_length and len(value) < int(item.min_length):
            raise ConsoleInputError(f"{item.label} needs at least {item.min_length} characters")
        if item.max_length and len(value) > int(item.max_length):
            raise ConsoleInputError(f"{item.label} takes at most {item.max_length} characters")
        values[item.custom_id] = value
    member = console.member
    await interact(console, lambda: console.standin.submit_modal(member, modal, values), "the form")


def _field_choices(item: ModalField, value: str) -> list[str]:
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
        found = [o for o in item.options if word.lower() in (str(o.get("value")).lower(), str(o.get("label")).lower())]
        if not found:
            shown = ", ".join(str(o.get("value")) for o in item.options)
            raise ConsoleInputError(f"{word!r} is not an option of {item.label}; options: {shown}")
        out.append(str(found[0]["value"]))
    return out


async def _ask_fields(fields: list[ModalField]) -> dict[str, str]:
    """Ask field by field (interactive `fill`), the way the form's boxes would in Discord."""
    # A session of its own: answers stay out of the command history and its completion.
    session: PromptSession[str] = PromptSession()
    answers: dict[str, str] = {}
    for item in fields:
        multiline = item.style == 2 and not is_select(item)
        hint = " · Esc then Enter to finish" if multiline else ""
        if is_select(item):
            hint = " · comma-separated"
        message = f"{item.label} ({describe_field(item)}{hint})\n  › "
        try:
            answers[item.custom_id] = await session.prompt_async(message, default=item.value or "", multiline=multiline)
        except (KeyboardInterrupt, EOFError):
            raise ConsoleInputError("form not sent; it stays open (fill again, or carry on)") from None
    return answers


def _parse_fill(rest: str, fields: list[ModalField]) -> dict[str, str]:
    """`title="My shop" body=Sells things` -> {custom_id: value}; keys are custom ids, labels or numbers."""
    given: dict[str, str] = {}
    last: str | None = None
    for word in split_words(rest, separators="=:"):
        key, sep, value = word.text.partition("=")
        if not sep:
            key, sep, value = word.text.partition(":")
        item = _find_field(fields, key) if sep else None
        if item is not None:
            given[item.custom_id] = value
            last = item.custom_id
        elif last is not None and not (sep and key.isidentifier() and not word.literal):
            # Like a text option, a field's value runs on until the next `field=`.
            given[last] = f"{given[last]} {word.text}".strip()
        else:
            ids = ", ".join(field_key(f) for f in fields)
            raise ConsoleInputError(f"fill fields as field=value; no field {key or word.text!r} (fields: {ids})")
    return given


def _find_field(fields: list[ModalField], key: str) -> ModalField | None:
    """A form field by number, custom id, label or the label's slug (`what_it_does`), any case."""
    low = key.strip().lower()
    if low.isdigit() and 1 <= int(low) <= len(fields):
        return fields[int(low) - 1]
    for item in fields:
        if low in (item.custom_id.lower(), item.label.lower()) or field_slug(low) == field_slug(item.label):
            return item
    return None
