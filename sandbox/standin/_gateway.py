"""The gateway: one JSON WebSocket endpoint speaking Discord's opcodes.

HELLO on connect, ACK for every heartbeat, IDENTIFY -> READY (every server unavailable) then one
GUILD_CREATE per server, as Discord sends them; RESUME -> the
dispatches the client missed (every one after its `seq`) then RESUMED, op 9 for an unknown session,
GUILD_MEMBERS_CHUNK for op 8. A session outlives its socket: dispatches made while the client is
away are kept and replayed when it resumes. A clean client close (1000) ends the session.
`refuse_identify` makes IDENTIFY fail the way Discord fails it (4004 bad token, 4014 intents);
`allow_members_intent(False)` is an application whose Server Members Intent is switched off in the
Developer Portal: an IDENTIFY asking for it is closed with 4014, one that does not is accepted.

Sharding (which connection holds which servers, 4010/4011, op 9 for an IDENTIFY too soon in its
max_concurrency bucket) follows Discord's rules, set out in `_shards.py`. Every IDENTIFY is kept in
`identifies` and every dispatch sent on a session in `dispatches`, so a test can tell which shard
got what. Several bots (processes) may be connected at once, each with its own sockets.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import WSMsgType, web

from ._records import DispatchRecord, IdentifyRecord
from ._shards import (
    INVALID_SHARD,
    SHARDING_REQUIRED,
    SessionStarts,
    ShardingRules,
    guild_of_dispatch,
    holds,
    parse_shard,
)

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
    shard: tuple[int, int] | None = None  # (shard_id, shard_count) it identified with; None: every server

    def holds(self, guild_id: int | None) -> bool:
        """Whether a dispatch about this server (None: a DM's) goes to this session."""
        return holds(self.shard, guild_id)

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
        guild_payloads: Callable[[Session], list[dict[str, Any]]],
        guild_ids: Callable[[], list[int]],
        members_chunk: Callable[[Session, dict[str, Any]], list[dict[str, Any]]],
        url: Callable[[], str],
        rules: ShardingRules,
    ) -> None:
        self.token = token
        self._ready_payload = ready_payload
        self._guild_payloads = guild_payloads
        self._guild_ids = guild_ids
        self._members_chunk = members_chunk
        self._url = url
        self.rules = rules
        self.starts = SessionStarts(rules)  # per bot: every process using the token shares them
        self.identifies: list[IdentifyRecord] = []
        self.dispatches: list[DispatchRecord] = []
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

    def holders(self, guild_id: int | None) -> list[Session]:
        """The live sessions a dispatch about this server (None: a DM's) goes to."""
        return [s for s in self.live_sessions if s.holds(guild_id)]

    def _frame(self, session: Session, event: str, data: Any, guild_id: int | None,
               encoded: str | None = None) -> str:
        raw = session.frame(event, data, encoded=encoded)
        raw_id = data.get("id") if isinstance(data, dict) else None
        object_id = int(raw_id) if isinstance(raw_id, str | int) and str(raw_id).isdigit() else None
        self.dispatches.append(DispatchRecord(event, session.id, session.shard, guild_id, object_id, session.seq,
                                              time.monotonic()))
        return raw

    def _detach(self, session: Session) -> None:
        session.ws = session.transport = None
        session.detached_at = time.monotonic()

    async def dispatch(self, event: str, data: dict[str, Any], intent: int | None = None,
                       *, encoded: str | None = None) -> None:
        """Send a dispatch to every live session holding its server (kept for replay if its socket is
        away): a server's to its shard, a DM's to shard 0, anything to an unsharded session. `encoded`:
        the data's JSON text as it is, even one a strict decoder refuses (a lone surrogate)."""
        guild_id = guild_of_dispatch(event, data if encoded is None else _lenient_loads(encoded))
        for session in self.holders(guild_id):
            if intent is not None and not session.intents & intent:
                continue
            encoded = encoded if encoded is not None else _dumps(data)
            raw = self._frame(session, event, data, guild_id, encoded=encoded)
            ws = session.ws
            if ws is not None and not ws.closed:
                try:
                    await ws.send_str(raw)
                except (ConnectionError, RuntimeError):
                    log.debug("gateway send failed; the client will resume and get it replayed")

    async def drop(self, code: int | None = None, *, shard_id: int | None = None) -> None:
        """Drop every connected socket (or those of shard `shard_id`): abruptly (no close frame) or
        with a close code."""
        for session in self.live_sessions:
            ws, transport = session.ws, session.transport
            if ws is None or (shard_id is not None and (session.shard or (0, 1))[0] != shard_id):
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
                    if session is None and ws.closed:
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
                    # Answered on the connection that asked, about its own servers only.
                    for chunk in self._members_chunk(session, data or {}):
                        await ws.send_str(self._frame(session, "GUILD_MEMBERS_CHUNK", chunk, _chunk_guild(chunk)))
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
        """A session, or None: refused with a close code (the socket is closed), or too soon for its
        bucket (op 9, the socket stays open for another IDENTIFY)."""
        now = time.monotonic()
        raw_shard = data.get("shard")
        shard = parse_shard(raw_shard)
        sent_shard = shard if shard is not None else _int_pair(raw_shard)
        bucket = self.rules.bucket(shard)
        code = self._refusal(data, raw_shard, shard)
        if code is not None:
            self.identifies.append(IdentifyRecord(now, sent_shard, bucket, "closed", code))
            await ws.close(code=code, message=IDENTIFY_REFUSALS[code].encode())
            return None
        if self.starts.too_soon(bucket):
            self.identifies.append(IdentifyRecord(now, sent_shard, bucket, "invalid session"))
            await ws.send_str(_dumps({"op": INVALID_SESSION, "d": False, "s": None, "t": None}))
            return None
        self.starts.started(bucket)
        session = Session(id=secrets.token_hex(16), intents=int(data.get("intents") or 0), shard=shard)
        self.identifies.append(IdentifyRecord(now, sent_shard, bucket, "ready", session_id=session.id))
        session.ws, session.transport = ws, request.transport
        self.sessions[session.id] = session
        self.sessions_started += 1
        await ws.send_str(self._frame(session, "READY", self._ready_payload(session), None))
        for payload in self._guild_payloads(session):
            await ws.send_str(self._frame(session, "GUILD_CREATE", payload, int(payload["id"])))
        self.ready.set()
        return session

    def _refusal(self, data: dict[str, Any], raw_shard: Any, shard: tuple[int, int] | None) -> int | None:
        """The close code Discord would answer this IDENTIFY with, or None to let it in."""
        token = str(data.get("token") or "")
        if token.removeprefix("Bot ") != self.token:
            return 4004
        if self.identify_refusal is not None:
            return self.identify_refusal
        if raw_shard is not None and shard is None:
            return INVALID_SHARD
        if sum(1 for guild_id in self._guild_ids() if holds(shard, guild_id)) > self.rules.guilds_per_shard:
            return SHARDING_REQUIRED
        if not self.members_intent_allowed and int(data.get("intents") or 0) & GUILD_MEMBERS_INTENT:
            return 4014
        return None

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
        await ws.send_str(self._frame(session, "RESUMED", {}, None))
        self.resumes += 1
        self.resumed.set()
        self.ready.set()
        return session

    def gateway_url(self) -> str:
        return self._url()

    def gateway_bot_payload(self) -> dict[str, Any]:
        return {
            "url": self._url(),
            "shards": self.rules.recommended_shards,
            "session_start_limit": self.starts.limit_payload(),
        }


def _chunk_guild(chunk: dict[str, Any]) -> int | None:
    raw = str(chunk.get("guild_id") or "")
    return int(raw) if raw.isdigit() else None


def _int_pair(raw: Any) -> tuple[int, int] | None:
    """A refused `shard` as sent, for the records, when it is at least two integers."""
    if isinstance(raw, list) and len(raw) == 2 and all(type(x) is int for x in raw):
        return raw[0], raw[1]
    return None


def _lenient_loads(encoded: str) -> dict[str, Any]:
    """The data of a dispatch given as text, to route it: json takes what orjson refuses."""
    try:
        data = json.loads(encoded)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
