"""`StandIn`'s gateway side: readiness, refusals, dropped sockets, and which shard got what."""

# The public API takes `timeout=` arguments, as the tests and the console call it.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
from typing import Any

from ._gateway import Gateway
from ._records import DispatchRecord, IdentifyRecord
from ._rest import Ctx


class GatewayControls:
    """The part of `StandIn` that drives and reads its gateway (`self._gateway`)."""

    _gateway: Gateway

    async def wait_until_ready(self, timeout: float = 10) -> None:
        try:
            await asyncio.wait_for(self._gateway.ready.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"no bot identified with the stand-in within {timeout}s") from None

    @property
    def sessions_started(self) -> int:
        return self._gateway.sessions_started

    @property
    def resumes(self) -> int:
        return self._gateway.resumes

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send any gateway dispatch to the connected bot (kept for replay on RESUME)."""
        await self._gateway.dispatch(event, data)

    async def dispatch_text(self, event: str, data_json: str) -> None:
        """Send a dispatch whose `d` is this JSON text exactly as given, e.g. one holding a lone UTF-16
        surrogate (`"\\ud800"`) that strict decoders (orjson, discord.py's) refuse. Discord should
        never send one; this is how a test makes sure one cannot end the bot."""
        await self._gateway.dispatch(event, {}, encoded=data_json)

    def refuse_identify(self, code: int | None) -> None:
        """Close every IDENTIFY with `code` as Discord does: 4004 for a token it no longer accepts
        (REST may still have taken it), 4014 for a privileged intent not enabled in the Developer
        Portal, 4010–4013 for bad sharding, version or intents. None accepts IDENTIFY again."""
        self._gateway.refuse_identify(code)

    def allow_members_intent(self, allowed: bool) -> None:
        """The Developer Portal's Server Members Intent switch: off, an IDENTIFY asking for the
        members intent is closed with 4014 (Disallowed intent(s)), as Discord does."""
        self._gateway.members_intent_allowed = allowed

    async def drop_gateway(self, code: int | None = None, *, shard_id: int | None = None) -> None:
        """Drop the bot's sockets (only shard `shard_id`'s if given): abruptly, or with a close code
        (4000: it resumes)."""
        await self._gateway.drop(code, shard_id=shard_id)

    async def _gateway_bot(self, ctx: Ctx) -> dict[str, Any]:
        """GET /gateway/bot: the URL, the recommended shard count and the session start limit."""
        return self._gateway.gateway_bot_payload()

    @property
    def identifies(self) -> list[IdentifyRecord]:
        """Every IDENTIFY, oldest first, with its shard, bucket and answer (READY, op 9 or a close)."""
        return list(self._gateway.identifies)

    @property
    def dispatches(self) -> list[DispatchRecord]:
        """Every dispatch sent on a session, oldest first, with the session and shard that got it."""
        return list(self._gateway.dispatches)

    def shards_reached(self, event: str, object_id: int) -> list[int | None]:
        """The shard ids whose sessions got this dispatch about this object (an interaction's, a
        message's, a server's id), in order; None stands for an unsharded session."""
        return [d.shard_id for d in self._gateway.dispatches if d.event == event and d.object_id == object_id]
