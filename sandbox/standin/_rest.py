"""The REST side: routing, auth, fault injection, request records and Discord-shaped replies.

One aiohttp handler serves `/api/v10/...`: it waits `latency` seconds if set (the round trip to
Discord), records the request, matches it against the route table (templates like
`/channels/{channel_id}/messages`, literal segments first), answers an injected fault if one is
armed, answers a global 429 past the global limit if one is set (interaction routes are exempt, as
on Discord), checks `Authorization: Bot <token>` on bot routes (webhook and interaction-callback
routes are token-in-URL, like Discord's), then calls the route's handler.
Every JSON reply carries Content-Type exactly `application/json`. Unknown routes get Discord's
JSON 404 and stay visible in the records.

Handlers may append callables to `ctx.after`: they run once the reply is written to the socket,
so whoever waits on them (a test awaiting `invoke`) resumes only after the bot could read it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import BodyPartReader, web

from ._ratelimit import GlobalRateLimit
from ._records import RequestRecord, requesting_client
from ._validate import InvalidForm

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: int = 0, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.errors = status, message, code, errors

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            out["errors"] = self.errors
        return out


def not_found(what: str, code: int) -> ApiError:
    return ApiError(404, f"Unknown {what}", code)


def invalid_field(field: str, code: str, message: str) -> ApiError:
    """400 Invalid Form Body about one field, with Discord's nested `errors` object."""
    return ApiError(400, "Invalid Form Body", 50035, {field: {"_errors": [{"code": code, "message": message}]}})


MISSING_PERMISSIONS = (403, "Missing Permissions", 50013)
MISSING_ACCESS = (403, "Missing Access", 50001)


@dataclass
class Upload:
    index: int
    filename: str
    content_type: str
    data: bytes


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Ctx:
    request: web.Request
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[Upload]
    after: list[Callable[[], None]] = field(default_factory=list)
    arrived: float | None = None  # when the request was in whole (the global limit's clock)

    def body(self) -> dict[str, Any]:
        if not isinstance(self.json, dict):
            raise ApiError(400, "400: Bad Request", 50109 if self.json is None else 50035)
        return self.json

    def int_param(self, name: str) -> int:
        raw = self.params[name]
        if not raw.isdigit():
            raise invalid_field(name, "NUMBER_TYPE_COERCE", f'Value "{raw}" is not snowflake.')
        return int(raw)


Handler = Callable[[Ctx], Awaitable[Any]]


def _compile(template: str, *, wildcard: bool = False) -> re.Pattern[str]:
    parts = []
    for seg in template.strip("/").split("/"):
        if seg.startswith("{") and seg.endswith("}"):
            parts.append("[^/]+" if wildcard else f"(?P<{seg[1:-1]}>[^/]+)")
        else:
            parts.append(re.escape(seg))
    return re.compile("^/" + "/".join(parts) + "$")


@dataclass
class _Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool
    global_limited: bool


@dataclass
class Fault:
    method: str
    template: str
    pattern: re.Pattern[str]
    status: int
    retry_after: float
    times: int
    is_global: bool
    after_handler: bool = False  # the request is carried out, then answered with the fault

    def reply(self) -> Reply:
        if self.status == 429:
            return rate_limited(self.retry_after, is_global=self.is_global)
        return Reply(self.status, {"message": f"{self.status}: {_REASONS.get(self.status, 'Error')}", "code": 0})


@dataclass
class Storm:
    """An incident: Discord's global limit answers 429 to a share of the bot's requests for a while,
    whatever their pace, each with `retry_after` and `global: true`."""

    until: float  # time.monotonic() when it ends
    share: float
    retry_after: float
    rng: random.Random
    errors: float = 0.0  # the share of the other requests that fail with a 502 (half of them after the work)

    def hits(self) -> bool:
        return time.monotonic() < self.until and self.rng.random() < self.share

    def server_error(self) -> Fault | None:
        if time.monotonic() >= self.until or self.rng.random() >= self.errors:
            return None
        return Fault("*", "", re.compile(""), 502, 0.0, 1, False, after_handler=self.rng.random() < 0.5)


def rate_limited(retry_after: float, *, is_global: bool) -> Reply:
    """Discord's 429: the `Via` header (without it discord.py assumes a Cloudflare ban) and the body."""
    headers = {
        "Via": "1.1 google",
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Scope": "global" if is_global else "user",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global, "code": 0}
    return Reply(429, body, headers)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    if body is None and status == 204:
        return web.Response(status=204, headers=headers)
    data = orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    return web.Response(status=status, body=data, headers=all_headers)


class Rest:
    def __init__(self, token: str) -> None:
        self.token = token
        self.routes: list[_Route] = []
        self.faults: list[Fault] = []
        self.requests: list[RequestRecord] = []
        self.global_limit = GlobalRateLimit()  # the bot's: one for its token, across every process
        self.latency = 0.0  # seconds added to every request
        # (method, path) of the requests received and still in their latency: not yet read nor answered.
        self.waiting: list[tuple[str, str]] = []
        self.storm: Storm | None = None
        self.storm_rejected = 0  # requests storms answered with a 429

    def add(
        self, method: str, template: str, handler: Handler, *, auth: bool = True, global_limited: bool = True
    ) -> None:
        """A route; `global_limited=False` for interaction routes, which Discord's global limit spares."""
        self.routes.append(_Route(method, template, _compile(template), handler, auth, global_limited))
        # literal segments win over parameters (/users/@me before /users/{user_id})
        self.routes.sort(key=lambda r: [seg.startswith("{") for seg in r.template.strip("/").split("/")])

    def fail_next(
        self, method: str, path: str, *, status: int, retry_after: float, times: int, is_global: bool,
        after_handler: bool = False,
    ) -> None:
        path = path.split("?", 1)[0]
        path = path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else path
        self.faults.append(
            Fault(method.upper(), path, _compile(path, wildcard=True), status, retry_after, times, is_global,
                  after_handler)
        )

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.method in (method, "*") and fault.pattern.match(path):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _match(self, method: str, path: str) -> tuple[_Route | None, dict[str, str]]:
        for route in self.routes:
            if route.method != method:
                continue
            m = route.pattern.match(path)
            if m:
                return route, m.groupdict()
        return None, {}

    async def _read(self, request: web.Request) -> tuple[Any, list[Upload]]:
        if not request.can_read_body:
            return None, []
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            payload: Any = None
            files: list[Upload] = []
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                name = part.name or ""
                if name == "payload_json":
                    payload = orjson.loads(await part.text())
                else:
                    index_match = re.search(r"\d+", name)
                    data = bytes(await part.read())
                    files.append(
                        Upload(
                            int(index_match.group()) if index_match else len(files),
                            part.filename or name,
                            part.headers.get("Content-Type", ""),
                            data,
                        )
                    )
            return payload, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return orjson.loads(raw), []
        except ValueError:
            return raw.decode(errors="replace"), []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        method = request.method.upper()
        path = request.path[len(API_PREFIX) :] if request.path.startswith(API_PREFIX) else request.path
        requesting_client.set(request.headers.get("User-Agent", ""))  # this request's own task: its own context
        # The whole request is in before the round trip's latency, as Discord has it once sent: a
        # client that dies meanwhile has still asked for what it asked (a message is still made).
        try:
            body, files = await self._read(request)
        except ValueError:
            body, files = None, []
        # Discord counts a request against the global limit as it arrives: the latency below is the
        # round trip's, and the stand-in's own timers firing late after it must not bunch the count.
        arrived = self.global_limit.now()
        if self.latency > 0:
            waiting = (method, request.path)
            self.waiting.append(waiting)
            try:
                await asyncio.sleep(self.latency)
            finally:
                self.waiting.remove(waiting)
        route, params = self._match(method, path)
        record = RequestRecord(
            method=method,
            path=path,
            query=dict(request.query),
            json=body,
            status=0,
            at=time.time(),
            route=route.template if route else "",
        )
        self.requests.append(record)
        ctx = Ctx(request, params, dict(request.query), body, files, arrived=arrived)
        reply = await self._reply(ctx, route, method, path)
        record.status = reply.status
        response = json_response(reply.status, reply.body, reply.headers)
        if ctx.after:
            await response.prepare(request)
            await response.write_eof()
            for callback in ctx.after:
                try:
                    callback()
                except Exception:
                    log.exception("stand-in after-reply callback failed")
        return response

    async def _reply(self, ctx: Ctx, route: _Route | None, method: str, path: str) -> Reply:
        fault = self._take_fault(method, path)
        if fault is not None and not fault.after_handler:
            return fault.reply()
        bot_request = ctx.request.headers.get("Authorization") == f"Bot {self.token}"
        if bot_request and (route is None or route.global_limited):
            storm = self.storm
            if storm is not None and storm.hits():
                self.storm_rejected += 1
                return rate_limited(storm.retry_after, is_global=True)
            if storm is not None and fault is None:
                fault = storm.server_error()
                if fault is not None and not fault.after_handler:
                    return fault.reply()
            wait = self.global_limit.admit(ctx.arrived)
            if wait is not None:
                return rate_limited(wait, is_global=True)
        reply = await self._handled(ctx, route, method)
        if fault is not None:  # carried out (a message made), but the answer is lost: Discord's worst 5xx
            return fault.reply()
        return reply

    async def _handled(self, ctx: Ctx, route: _Route | None, method: str) -> Reply:
        if route is None:
            return Reply(404, {"message": "404: Not Found", "code": 0})
        if route.auth and ctx.request.headers.get("Authorization") != f"Bot {self.token}":
            return Reply(401, {"message": "401: Unauthorized", "code": 0})
        try:
            result = await route.handler(ctx)
        except ApiError as exc:
            return Reply(exc.status, exc.body())
        except InvalidForm as exc:
            return Reply(400, exc.body())
        except Exception as exc:  # a stand-in bug: fail fast (a 5xx would be retried for seconds)
            log.exception("stand-in route %s %s failed", method, route.template)
            return Reply(400, {"message": f"stand-in bug in {method} {route.template}: {exc!r}", "code": 0})
        if isinstance(result, Reply):
            return result
        return Reply(204 if result is None else 200, result)
