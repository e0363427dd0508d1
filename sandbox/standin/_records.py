"""What the stand-in remembers, as plain dataclasses the tests and the console read."""

# The public API takes `timeout=` arguments, as the tests and the console call it.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

# The User-Agent of the REST request being answered: which client made what it makes. (Discord keeps
# no such thing; the sandbox, running two bot processes, tells by it which one made a message.)
requesting_client: ContextVar[str] = ContextVar("requesting_client", default="")

EPHEMERAL = 1 << 6
LOADING = 1 << 7

BUTTON = 2
SELECT_TYPES = (3, 5, 6, 7, 8)
ACTION_ROW, SECTION, TEXT_DISPLAY, CONTAINER, LABEL = 1, 9, 10, 17, 18


def walk_components(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every component, depth first, in the order a person sees them."""
    for component in components:
        yield component
        children = component.get("components")
        if isinstance(children, list):
            yield from walk_components(children)
        for key in ("accessory", "component"):
            child = component.get(key)
            if isinstance(child, dict):
                yield from walk_components([child])


@dataclass
class MessageRecord:
    """One message, updated in place on edit; `deleted` flags a deleted one."""

    id: int
    channel_id: int
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    allowed_mentions: dict[str, Any] | None = None
    edited: bool = False
    deleted: bool = False
    interaction_id: int | None = None
    # beyond the contract
    guild_id: int | None = None
    type: int = 0
    attachments: list[dict[str, Any]] = field(default_factory=list)
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    edited_at: dt.datetime | None = None
    webhook_id: int | None = None
    message_reference: dict[str, Any] | None = None
    thread_id: int | None = None
    nonce: str | None = None
    touched_at: float = field(default=0.0, repr=False)  # monotonic time the bot last got it back
    client: str = field(default="", repr=False)  # the User-Agent of the request that made it

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & LOADING)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [c for c in walk_components(self.components) if c.get("type") == BUTTON]

    @property
    def selects(self) -> list[dict[str, Any]]:
        return [c for c in walk_components(self.components) if c.get("type") in SELECT_TYPES]

    @property
    def text(self) -> str:
        """Content and every embed's title, description, fields and footer, one per line."""
        parts: list[str] = [self.content] if self.content else []
        for embed in self.embeds:
            for key in ("title", "description"):
                if embed.get(key):
                    parts.append(str(embed[key]))
            for f in embed.get("fields") or []:
                parts.extend(str(f.get(k, "")) for k in ("name", "value"))
            footer = embed.get("footer") or {}
            if footer.get("text"):
                parts.append(str(footer["text"]))
        parts.extend(str(c.get("content", "")) for c in walk_components(self.components) if c.get("type") == 10)
        return "\n".join(parts)


@dataclass
class ModalField:
    custom_id: str
    label: str
    style: int = 1
    required: bool = True
    min_length: int | None = None
    max_length: int | None = None
    placeholder: str | None = None
    value: str | None = None
    # beyond the contract: 4 text input, or a select type inside a Label
    component_type: int = 4
    in_label: bool = False
    options: list[dict[str, Any]] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)  # a select's options chosen until changed


@dataclass
class ModalRecord:
    custom_id: str
    title: str
    fields: list[ModalField] = field(default_factory=list)
    # beyond the contract: where the modal was opened
    interaction_id: int = 0
    member_id: int = 0
    channel_id: int = 0
    message_id: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    touched_at: float = field(default=0.0, repr=False)

    def field(self, custom_id: str) -> ModalField:
        for f in self.fields:
            if f.custom_id == custom_id:
                return f
        raise KeyError(f"modal {self.custom_id!r} has no field {custom_id!r}")


@dataclass
class InteractionRecord:
    id: int
    type: int
    member_id: int
    data: dict[str, Any]
    response_type: int | None = None
    ephemeral: bool = False
    message: MessageRecord | None = None
    followups: list[MessageRecord] = field(default_factory=list)
    modal: ModalRecord | None = None
    # beyond the contract
    token: str = ""
    channel_id: int = 0
    command: str = ""
    source_message: MessageRecord | None = None
    choices: list[dict[str, Any]] | None = None
    created_at: float = 0.0
    answered_at: float | None = None
    _answered: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    _done: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def original(self) -> MessageRecord | None:
        """The message @original refers to (the response, or the clicked message for 6/7)."""
        if self.response_type in (6, 7):
            return self.source_message
        return self.message

    async def wait_done(self, timeout: float = 5) -> InteractionRecord:
        """Until the answer is complete: a deferred response was edited or followed up."""
        try:
            await asyncio.wait_for(self._done.wait(), timeout)
        except TimeoutError:
            what = self.command or f"interaction {self.id}"
            raise TimeoutError(
                f"{what}: no @original edit or follow-up within {timeout}s (response type {self.response_type})"
            ) from None
        return self


@dataclass
class ThreadRecord:
    id: int
    parent_id: int
    name: str
    type: int
    private: bool
    member_ids: list[int] = field(default_factory=list)
    message_id: int | None = None
    # beyond the contract
    owner_id: int = 0
    guild_id: int = 0
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 4320
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    message_count: int = 0
    client: str = field(default="", repr=False)  # the User-Agent of the request that opened it


@dataclass
class RequestRecord:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int
    at: float
    route: str = ""  # beyond the contract: the matched route template, e.g. /channels/{channel_id}/messages


@dataclass(frozen=True, slots=True)
class IdentifyRecord:
    """One IDENTIFY and how the gateway answered it: `outcome` is "ready" (a session started),
    "invalid session" (op 9: too soon for its max_concurrency bucket) or "closed" (`close_code`)."""

    at: float  # time.monotonic() when it arrived
    shard: tuple[int, int] | None  # (shard_id, shard_count) as sent; None for an unsharded one
    bucket: int  # shard_id % max_concurrency
    outcome: str
    close_code: int | None = None
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class DispatchRecord:
    """One dispatch sent on one session: which session and shard got which event about what."""

    event: str
    session_id: str
    shard: tuple[int, int] | None  # the session's (shard_id, shard_count); None when unsharded
    guild_id: int | None  # the server it is about (None: a DM's, which goes to shard 0)
    object_id: int | None  # the dispatched object's `id`: the interaction's, the message's, the server's
    seq: int
    at: float  # time.monotonic() when it was sent

    @property
    def shard_id(self) -> int | None:
        return self.shard[0] if self.shard is not None else None
