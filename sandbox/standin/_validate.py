"""Discord's documented limits, checked the way Discord checks them (400, code 50035, `errors` tree).

Only limits a bot can plausibly hit are checked: message content and embeds, components, modals,
autocomplete choices and application-command schemas. An error here is an error real Discord
would return too, so the bot finds out in tests rather than in production.
"""

from __future__ import annotations

import re
from typing import Any

_NAME = re.compile(r"^[-_'\w\u0900-\u097F\u0E00-\u0E7F]{1,32}$")


class InvalidForm(Exception):
    """400 Invalid Form Body, with Discord's nested `errors` object."""

    def __init__(self, errors: dict[str, Any], message: str = "Invalid Form Body", code: int = 50035) -> None:
        super().__init__(message)
        self.errors = errors
        self.message = message
        self.code = code

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            out["errors"] = self.errors
        return out


class _Errors:
    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: tuple[str | int, ...], code: str, message: str) -> None:
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_len(self, path: tuple[str | int, ...], value: Any, limit: int) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def required(self, path: tuple[str | int, ...], value: Any, limit: int) -> None:
        if not isinstance(value, str) or not value:
            self.add(path, "BASE_TYPE_REQUIRED", "This field is required")
        else:
            self.max_len(path, value, limit)

    def raise_if_any(self) -> None:
        if self.tree:
            raise InvalidForm(self.tree)


def _embed_length(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "") + len((embed.get("author") or {}).get("name") or "")
    for f in embed.get("fields") or []:
        total += len(f.get("name") or "") + len(f.get("value") or "")
    return total


def _check_embeds(err: _Errors, embeds: list[dict[str, Any]]) -> None:
    if len(embeds) > 10:
        err.add(("embeds",), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        path: tuple[str | int, ...] = ("embeds", i)
        err.max_len((*path, "title"), embed.get("title"), 256)
        err.max_len((*path, "description"), embed.get("description"), 4096)
        err.max_len((*path, "footer", "text"), (embed.get("footer") or {}).get("text"), 2048)
        err.max_len((*path, "author", "name"), (embed.get("author") or {}).get("name"), 256)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            err.add((*path, "fields"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, f in enumerate(fields):
            err.required((*path, "fields", j, "name"), f.get("name"), 256)
            err.required((*path, "fields", j, "value"), f.get("value"), 1024)
        total += _embed_length(embed)
    if total > 6000:
        err.add(("embeds",), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def _check_components(err: _Errors, components: list[dict[str, Any]], *, v2: bool) -> None:
    seen: set[str] = set()
    if not v2 and len(components) > 5:
        err.add(("components",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")

    def walk(items: list[dict[str, Any]], path: tuple[str | int, ...]) -> None:
        for i, c in enumerate(items):
            here = (*path, i)
            kind = c.get("type")
            custom_id = c.get("custom_id")
            if isinstance(custom_id, str):
                err.max_len((*here, "custom_id"), custom_id, 100)
                if custom_id in seen:
                    err.add(
                        (*here, "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                seen.add(custom_id)
            if kind == 1:
                children = c.get("components") or []
                if not children:
                    err.add((*here, "components"), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")
                if len(children) > 5 or (any(ch.get("type") != 2 for ch in children) and len(children) > 1):
                    err.add(
                        (*here, "components"),
                        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                        "The specified component exceeds the maximum width",
                    )
                walk(children, (*here, "components"))
            elif kind == 2:
                err.max_len((*here, "label"), c.get("label"), 80)
                if c.get("style") == 5 and not c.get("url"):
                    err.add((*here, "url"), "BASE_TYPE_REQUIRED", "This field is required")
                if c.get("style") not in (5, 6) and not custom_id:
                    err.add((*here, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
            elif kind == 3:
                options = c.get("options") or []
                if not 1 <= len(options) <= 25:
                    err.add((*here, "options"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")
                for j, o in enumerate(options):
                    err.required((*here, "options", j, "label"), o.get("label"), 100)
                    err.required((*here, "options", j, "value"), o.get("value"), 100)
                    err.max_len((*here, "options", j, "description"), o.get("description"), 100)
                err.max_len((*here, "placeholder"), c.get("placeholder"), 150)
            elif kind in (9, 17):
                walk(c.get("components") or [], (*here, "components"))
                if isinstance(c.get("accessory"), dict):
                    walk([c["accessory"]], (*here, "accessory"))
            elif kind == 10:
                err.max_len((*here, "content"), c.get("content"), 4000)

    walk(components, ("components",))


def check_message(body: dict[str, Any], *, partial: bool = False, attachments: int = 0) -> None:
    """A message create (or edit, `partial`) body; raises InvalidForm / empty-message errors."""
    err = _Errors()
    content = body.get("content")
    v2 = bool((body.get("flags") or 0) & 32768)
    if v2 and content:
        err.add(
            ("content",),
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
        )
    err.max_len(("content",), content, 2000)
    err.max_len(("nonce",), body.get("nonce") if isinstance(body.get("nonce"), str) else None, 25)
    _check_embeds(err, body.get("embeds") or [])
    _check_components(err, body.get("components") or [], v2=v2)
    err.raise_if_any()
    if not partial and not (
        content
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or attachments
    ):
        raise InvalidForm({}, "Cannot send an empty message", 50006)


def check_modal(data: dict[str, Any]) -> None:
    err = _Errors()
    err.required(("data", "title"), data.get("title"), 45)
    err.required(("data", "custom_id"), data.get("custom_id"), 100)
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        err.add(("data", "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    for i, c in enumerate(components):
        inner = c.get("components") or ([c["component"]] if isinstance(c.get("component"), dict) else [])
        if c.get("type") == 18:
            err.required(("data", "components", i, "label"), c.get("label"), 45)
            err.max_len(("data", "components", i, "description"), c.get("description"), 100)
        for j, ti in enumerate(inner):
            path = ("data", "components", i, "components", j)
            if ti.get("type") == 4:
                if c.get("type") == 1:
                    err.required((*path, "label"), ti.get("label"), 45)
                err.required((*path, "custom_id"), ti.get("custom_id"), 100)
                for key in ("min_length", "max_length"):
                    v = ti.get(key)
                    if v is not None and not 0 <= int(v) <= 4000:
                        err.add((*path, key), "NUMBER_TYPE_MAX", "int value should be less than or equal to 4000.")
                err.max_len((*path, "value"), ti.get("value"), 4000)
                # A prefilled value must fit the field: Discord's client could not send it back.
                if ti.get("value") is not None and ti.get("max_length") is not None:
                    err.max_len((*path, "value"), ti["value"], int(ti["max_length"]))
                err.max_len((*path, "placeholder"), ti.get("placeholder"), 100)
            elif ti.get("type") == 3:
                _check_modal_select(err, ti, path)
    err.raise_if_any()


def _check_modal_select(err: _Errors, select: dict[str, Any], path: tuple[str | int, ...]) -> None:
    """A string select inside a modal's Label: what Discord refuses in one."""
    err.required((*path, "custom_id"), select.get("custom_id"), 100)
    options = select.get("options") or []
    if not 1 <= len(options) <= 25:
        err.add((*path, "options"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")
    for j, o in enumerate(options):
        err.required((*path, "options", j, "label"), o.get("label"), 100)
        err.required((*path, "options", j, "value"), o.get("value"), 100)
        err.max_len((*path, "options", j, "description"), o.get("description"), 100)
    err.max_len((*path, "placeholder"), select.get("placeholder"), 150)
    high = int(select.get("max_values", 1))
    if sum(1 for o in options if o.get("default")) > high:
        err.add((*path, "options"), "SELECT_COMPONENT_TOO_MANY_DEFAULT_VALUES",
                "The number of default values must be less than or equal to max_values")


def check_choices(choices: Any) -> None:
    err = _Errors()
    if not isinstance(choices, list) or len(choices) > 25:
        err.add(("data", "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    else:
        for i, ch in enumerate(choices):
            err.required(("data", "choices", i, "name"), ch.get("name"), 100)
            if isinstance(ch.get("value"), str):
                err.max_len(("data", "choices", i, "value"), ch.get("value"), 100)
    err.raise_if_any()


def _check_options(err: _Errors, options: list[dict[str, Any]], path: tuple[str | int, ...], size: list[int]) -> None:
    if len(options) > 25:
        err.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    names: set[str] = set()
    optional_seen = False
    for i, opt in enumerate(options):
        here = (*path, i)
        name = opt.get("name", "")
        if not isinstance(name, str) or not _NAME.match(name) or name != name.lower():
            err.add((*here, "name"), "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")
        if name in names:
            err.add((*here, "name"), "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique")
        names.add(name)
        err.required((*here, "description"), opt.get("description"), 100)
        size[0] += len(name) + len(opt.get("description") or "")
        kind = opt.get("type")
        if kind in (1, 2):
            _check_options(err, opt.get("options") or [], (*here, "options"), size)
            continue
        if opt.get("required"):
            if optional_seen:
                err.add(
                    (*here, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        choices = opt.get("choices") or []
        if len(choices) > 25:
            err.add((*here, "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        if choices and opt.get("autocomplete"):
            err.add(
                (*here, "autocomplete"),
                "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                "Autocomplete cannot be set for options with choices",
            )
        for j, ch in enumerate(choices):
            err.required((*here, "choices", j, "name"), ch.get("name"), 100)
            size[0] += len(ch.get("name") or "") + len(str(ch.get("value", "")))


def check_commands(commands: Any) -> None:
    err = _Errors()
    if not isinstance(commands, list):
        raise InvalidForm({"_errors": [{"code": "BASE_TYPE_ARRAY", "message": "Must be an array."}]})
    if len(commands) > 100:
        err.add((), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
    seen: set[tuple[str, int]] = set()
    for i, cmd in enumerate(commands):
        kind = int(cmd.get("type", 1))
        name = cmd.get("name", "")
        if kind == 1 and (not isinstance(name, str) or not _NAME.match(name) or name != name.lower()):
            err.add((i, "name"), "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")
        elif kind != 1 and not (isinstance(name, str) and 1 <= len(name) <= 32):
            err.add((i, "name"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
        if (name, kind) in seen:
            err.add(
                (i, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", f"Application command names must be unique: {name}"
            )
        seen.add((name, kind))
        if kind == 1:
            err.required((i, "description"), cmd.get("description"), 100)
            size = [len(name) + len(cmd.get("description") or "")]
            _check_options(err, cmd.get("options") or [], (i, "options"), size)
            if size[0] > 8000:
                err.add((i,), "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (8000)")
    err.raise_if_any()
