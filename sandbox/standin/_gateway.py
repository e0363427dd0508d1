"""The gateway: one JSON WebSocket endpoint speaking Discord's opcodes.

HELLO on connect, ACK for every heartbeat, IDENTIFY -> READY (every server unavailable) then one
GUILD_CREATE per server, as Discord sends them; RESUME -> the
dispatches the client missed (every one after its `seq`) then RESUMED, op 9 for an unknown session,
GUILD_MEMBERS_CHUNK for op 8. A session outlives its socket: dispatches made while the client is
away are kept and replayed when it resumes. A clean client close (1000) ends the session.
`refuse_identify` makes IDENTIFY fail the way Discord fails it (4004 bad token, 4014 intents);
`allow_members_intent(False)` is an application whose Server Members Intent is switched off in the
Developer Portal: an IDENTIFY asking for it is closed with 4014, one that does not is accepted.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import WSMsgType, web

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE, RESUME, RECONNECT, REQUEST_MEMBERS = 0, 1, 2, 3, 4, 6, 7, 8
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11
GUILD_MEMBERS_INTENT = 1 << 1
HEARTBEAT_INTERVAL_MS = 41250
REPLAY_LIMIT = 10_000
SESSION_TTL = 120.0  # seconds a session stays resumable after its socket went away
# Discord's close reasons for the refusals the stand-in can act out.
IDENTIFY_REFUSALS = {
    4004: "Authentication failed.",
    4010: "Invalid shard.",
    4011: "Sharding required.",
    4012: "Invalid API version.",
    4013: "Invalid intent(s).",
    4014: "Disallowed intent(s).",
}


def _dumps(payload: Any) -> str:
    return orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS).decode()


@dataclass
class Session:
    id: str
    intents: int
    seq: int = 0
    buffer: list[tuple[int, str]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    transport: asyncio.Transport | None = None
    ended: bool = False
    detached_at: float | None = None  # monotonic time its socket went away

    def frame(self, event: str, data: Any, *, encoded: str | None = None) -> str:
        self.seq += 1
        d = encoded if encoded is not None else _dumps(data)
        raw = f'{{"op":{DISPATCH},"t":{_dumps(event)},"s":{self.seq},"d":{d}}}'
        self.buffer.append((self.seq, raw))
        if len(self.buffer) > REPLAY_LIMIT:
            del self.buffer[: len(self.buffer) - REPLAY_LIMIT]
        return raw


class Gateway:
    def __init__(
        self,
        *,
        token: str,
        ready_payload: Callable[[Session], dict[str, Any]],
        guild_payloads: Callable[[], list[dict[str, Any]]],
        members_chunk: Callable[[dict[str, Any]], list[dict[str, Any]]],
        url: Callable[[], str],
    ) -> None:
        self.token = token
        self._ready_payload = ready_payload
        self._guild_payloads = guild_payloads
        self._members_chunk = members_chunk
        self._url = url
        self.sessions: dict[str, Session] = {}
        self.sockets: set[web.WebSocketResponse] = set()
        self.sessions_started = 0
        self.resumes = 0
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self.identify_refusal: int | None = None  # close code every IDENTIFY gets, or None to accept
        self.members_intent_allowed = True  # the Developer Portal's Server Members Intent switch

    def refuse_identify(self, code: int | None) -> None:
        if code is not None and code not in IDENTIFY_REFUSALS:
            raise ValueError(f"Discord refuses IDENTIFY with one of {sorted(IDENTIFY_REFUSALS)}, not {code}")
        self.identify_refusal = code

    @property
    def live_sessions(self) -> list[Session]:
        """Sessions a dispatch goes to: connected, or away for less than SESSION_TTL (resumable)."""
        now = time.monotonic()
        for s in self.sessions.values():
            if not s.ended and s.ws is None and s.detached_at is not None and now - s.detached_at > SESSION_TTL:
                s.ended = True
        return [s for s in self.sessions.values() if not s.ended]

    def _detach(self, session: Session) -> None:
        session.ws = session.transport = None
        session.detached_at = time.monotonic()

    async def dispatch(self, event: str, data: dict[str, Any], intent: int | None = None,
                       *, encoded: str | None = None) -> None:
        """Send a dispatch to every live session (kept for replay if its socket is away). `encoded`:
        the data's JSON text as it is, even one a strict decoder refuses (a lone surrogate)."""
        for session in self.live_sessions:
            if intent is not None and not session.intents & intent:
                continue
            encoded = encoded if encoded is not None else _dumps(data)
            raw = session.frame(event, data, encoded=encoded)
            ws = session.ws
            if ws is not None and not ws.closed:
                try:
                    await ws.send_str(raw)
                except (ConnectionError, RuntimeError):
                    log.debug("gateway send failed; the client will resume and get it replayed")

    async def drop(self, code: int | None = None) -> None:
        """Drop every connected socket: abruptly (no close frame) or with a close code."""
        for session in self.live_sessions:
            ws, transport = session.ws, session.transport
            if ws is None:
                continue
            self._detach(session)
            if code is None:
                if transport is not None:
                    transport.abort()
            else:
                try:
                    await asyncio.wait_for(ws.close(code=code), 2)
                except (TimeoutError, ConnectionError):
                    if transport is not None:
                        transport.abort()

    async def close_all(self) -> None:
        for ws in list(self.sockets):
            try:
                await asyncio.wait_for(ws.close(code=1001), 1)
            except (TimeoutError, ConnectionError):
                pass

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoclose=True, max_msg_size=0, heartbeat=None)
        await ws.prepare(request)
        self.sockets.add(ws)
        session: Session | None = None
        try:
            await ws.send_str(
                _dumps({"op": HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None, "t": None})
            )
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    if msg.type is WSMsgType.BINARY:
                        await ws.close(code=4002, message=b"Decode error")
                    continue
                try:
                    payload = orjson.loads(msg.data)
                    op = payload["op"]
                except (ValueError, KeyError, TypeError):
                    await ws.close(code=4002, message=b"Decode error")
                    break
                data = payload.get("d")
                if op == HEARTBEAT:
                    await ws.send_str(_dumps({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None}))
                elif op == IDENTIFY:
                    if session is not None:
                        await ws.close(code=4005, message=b"Already authenticated")
                        break
                    session = await self._identify(ws, request, data or {})
                    if session is None:
                        break
                elif op == RESUME:
                    if session is not None:
                        await ws.close(code=4005, message=b"Already authenticated")
                        break
                    session = await self._resume(ws, request, data or {})
                elif op == REQUEST_MEMBERS:
                    if session is None:
                        await ws.close(code=4003, message=b"Not authenticated")
                        break
                    for chunk in self._members_chunk(data or {}):
                        await ws.send_str(session.frame("GUILD_MEMBERS_CHUNK", chunk))
                elif op in (PRESENCE, VOICE):
                    continue
                else:
                    await ws.close(code=4001, message=b"Unknown opcode")
                    break
        except ConnectionError:
            pass
        finally:
            self.sockets.discard(ws)
            if session is not None and session.ws is ws:
                self._detach(session)
                if ws.close_code == 1000:  # the client closed cleanly: the session is over
                    session.ended = True
                    if not self.live_sessions:
                        self.ready.clear()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, request: web.Request, data: dict[str, Any]) -> Session | None:
        token = str(data.get("token") or "")
        code = 4004 if token.removeprefix("Bot ") != self.token else self.identify_refusal
        if code is None and not self.members_intent_allowed and int(data.get("intents") or 0) & GUILD_MEMBERS_INTENT:
            code = 4014
        if code is not None:
            await ws.close(code=code, message=IDENTIFY_REFUSALS[code].encode())
            return None
        session = Session(id=secrets.token_hex(16), intents=int(data.get("intents") or 0))
        session.ws, session.transport = ws, request.transport
        self.sessions[session.id] = session
        self.sessions_started += 1
        await ws.send_str(session.frame("READY", self._ready_payload(session)))
        for payload in self._guild_payloads():
            await ws.send_str(session.frame("GUILD_CREATE", payload))
        self.ready.set()
        return session

    async def _resume(self, ws: web.WebSocketResponse, request: web.Request, data: dict[str, Any]) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        token = str(data.get("token") or "").removeprefix("Bot ")
        if session is None or session.ended or token != self.token:
            await ws.send_str(_dumps({"op": INVALID_SESSION, "d": False, "s": None, "t": None}))
            return None
        if session.ws is not None and session.ws is not ws:
            old = session.ws
            session.ws = None
            await old.close(code=4000)
        sent = int(data.get("seq") or 0)
        while True:  # replay until caught up, then go live (no await between the check and going live)
            pending = [(s, raw) for s, raw in session.buffer if s > sent]
            if not pending:
                break
            for s, raw in pending:
                await ws.send_str(raw)
                sent = s
        session.ws, session.transport, session.detached_at = ws, request.transport, None
        await ws.send_str(session.frame("RESUMED", {}))
        self.resumes += 1
        self.resumed.set()
        self.ready.set()
        return session

    def gateway_url(self) -> str:
        return self._url()
