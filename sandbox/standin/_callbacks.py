"""How the bot answers interactions: the callback, follow-ups and @original, as Discord handles them.

- `POST /interactions/{id}/{token}/callback` (types 4-9), answered with the `with_response` JSON
  (never a 204). Once per interaction (40060 after), within `callback_deadline` seconds (10062 after).
- `POST /webhooks/{app}/{token}`: a follow-up. After a deferred (type 5) response, the first
  follow-up fills in the "thinking" message, as Discord does.
- `GET/PATCH/DELETE /webhooks/{app}/{token}/messages/@original|{id}`.
"""

from __future__ import annotations

import time
from typing import Any

from ._interactions import APPLICATION_COMMAND, AUTOCOMPLETE, MESSAGE_COMPONENT, MODAL_SUBMIT, Interactions
from ._messages import CHAT_INPUT_COMMAND, DEFAULT, apply_edit, new_message
from ._modal import parse_modal
from ._records import EPHEMERAL, LOADING, InteractionRecord, MessageRecord
from ._rest import ApiError, Ctx, invalid_field, not_found
from ._state import StandInState
from ._validate import check_choices, check_modal

ALLOWED_RESPONSES = {
    APPLICATION_COMMAND: {4, 5, 9},
    MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
    AUTOCOMPLETE: {8},
    MODAL_SUBMIT: {4, 5, 6, 7},
}


def _touch(*messages: MessageRecord | None) -> None:
    now = time.monotonic()
    for m in messages:
        if m is not None:
            m.touched_at = now


class Callbacks:
    def __init__(self, state: StandInState, interactions: Interactions) -> None:
        self.state = state
        self.interactions = interactions
        self.callback_deadline: float | None = 3.0

    # -- the interaction callback -----------------------------------------------------------
    async def callback(self, ctx: Ctx) -> Any:
        st = self.state
        rec = self.interactions.by_id.get(ctx.int_param("interaction_id"))
        if rec is None or rec.token != ctx.params["token"]:
            raise not_found("interaction", 10062)
        if rec.response_type is not None:
            raise ApiError(400, "Interaction has already been acknowledged.", 40060)
        if self.callback_deadline is not None and time.monotonic() - rec.created_at > self.callback_deadline:
            raise not_found("interaction", 10062)
        body = ctx.body()
        kind = body.get("type")
        data: dict[str, Any] = body.get("data") or {}
        if kind not in ALLOWED_RESPONSES.get(rec.type, set()) or (kind in (6, 7) and rec.source_message is None):
            raise invalid_field("type", "INTERACTION_RESPONSE_TYPE_INVALID", f"Response type {kind} is invalid here")
        message: MessageRecord | None = None
        event: str | None = None
        ephemeral = False
        if kind == 4:
            msg_type = CHAT_INPUT_COMMAND if rec.type == APPLICATION_COMMAND else DEFAULT
            message = new_message(
                st,
                rec.channel_id,
                st.bot_user_id,
                data,
                ctx.files,
                interaction_id=rec.id,
                webhook=True,
                msg_type=msg_type,
            )
            ephemeral, event = message.ephemeral, "MESSAGE_CREATE"
        elif kind == 5:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            msg_type = CHAT_INPUT_COMMAND if rec.type == APPLICATION_COMMAND else DEFAULT
            message = new_message(
                st,
                rec.channel_id,
                st.bot_user_id,
                {},
                interaction_id=rec.id,
                webhook=True,
                msg_type=msg_type,
                extra_flags=flags,
                validate=False,
            )
            ephemeral, event = message.ephemeral, "MESSAGE_CREATE"
        elif kind == 7:
            assert rec.source_message is not None
            message = apply_edit(st, rec.source_message, data, ctx.files)
            ephemeral, event = message.ephemeral, "MESSAGE_UPDATE"
        elif kind == 8:
            check_choices(data.get("choices"))
            rec.choices = list(data.get("choices") or [])
        elif kind == 9:
            check_modal(data)
            rec.modal = parse_modal(data, rec)
        rec.response_type = kind
        rec.ephemeral = ephemeral
        rec.message = message
        rec.answered_at = time.monotonic()
        if message is not None and event is not None:
            await st.emit_message(event, message)
        ctx.after.append(lambda: self._answered(rec, kind))
        return self._callback_json(rec, kind, message)

    def _answered(self, rec: InteractionRecord, kind: int) -> None:
        _touch(rec.message)
        if rec.modal is not None:
            rec.modal.touched_at = time.monotonic()
        if kind == 4 and rec.message is not None:
            self.state.notify_new(rec.message)
        rec._answered.set()
        if kind in (4, 7, 8, 9):
            rec._done.set()

    def _callback_json(self, rec: InteractionRecord, kind: int, message: MessageRecord | None) -> dict[str, Any]:
        interaction: dict[str, Any] = {
            "id": str(rec.id),
            "type": rec.type,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(message and message.ephemeral),
        }
        resource: dict[str, Any] = {"type": kind}
        if message is not None:
            interaction["response_message_id"] = str(message.id)
            resource["message"] = self.state.message_payload(message)
        return {"interaction": interaction, "resource": resource}

    # -- webhooks: follow-ups and @original -------------------------------------------------
    def _interaction(self, ctx: Ctx) -> InteractionRecord:
        rec = self.interactions.by_token.get(ctx.params["token"])
        if rec is None or ctx.params["application_id"] != str(self.state.application_id):
            raise not_found("Webhook", 10015)
        return rec

    def _message(self, rec: InteractionRecord, message_id: str) -> MessageRecord:
        if message_id == "@original":
            target = rec.original
        else:
            target = next((m for m in rec.followups if str(m.id) == message_id), None)
        if target is None or target.deleted:
            raise not_found("Message", 10008)
        return target

    async def followup(self, ctx: Ctx) -> Any:
        st = self.state
        rec = self._interaction(ctx)
        if rec.response_type is None:
            raise not_found("Webhook", 10015)
        body = ctx.body()
        original = rec.message
        if rec.response_type == 5 and original is not None and original.loading and not original.deleted:
            # Discord: the first follow-up after a deferred response replaces the "thinking" message.
            message = apply_edit(st, original, body, ctx.files)
            event = "MESSAGE_UPDATE"
        else:
            channel_id = int(ctx.query["thread_id"]) if ctx.query.get("thread_id", "").isdigit() else rec.channel_id
            message = new_message(st, channel_id, st.bot_user_id, body, ctx.files, interaction_id=rec.id, webhook=True)
            event = "MESSAGE_CREATE"
        rec.followups.append(message)
        await st.emit_message(event, message)
        fresh = event == "MESSAGE_CREATE"

        def done() -> None:
            _touch(message)
            if fresh:
                st.notify_new(message)
            rec._done.set()

        ctx.after.append(done)
        return st.message_payload(message)

    async def get_message(self, ctx: Ctx) -> Any:
        rec = self._interaction(ctx)
        return self.state.message_payload(self._message(rec, ctx.params["message_id"]))

    async def edit_message(self, ctx: Ctx) -> Any:
        rec = self._interaction(ctx)
        message = self._message(rec, ctx.params["message_id"])
        apply_edit(self.state, message, ctx.body(), ctx.files)
        await self.state.emit_message("MESSAGE_UPDATE", message)

        def done() -> None:
            _touch(message)
            rec._done.set()

        ctx.after.append(done)
        return self.state.message_payload(message)

    async def delete_message(self, ctx: Ctx) -> Any:
        rec = self._interaction(ctx)
        message = self._message(rec, ctx.params["message_id"])
        message.deleted = True
        await self.state.emit_delete(message)
        ctx.after.append(rec._done.set)
        return None
