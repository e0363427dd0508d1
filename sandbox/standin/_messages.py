"""Turning a message body (JSON or multipart) into a MessageRecord, and applying edits."""

from __future__ import annotations

from typing import Any

from ._records import EPHEMERAL, LOADING, MessageRecord, requesting_client
from ._rest import Upload
from ._state import StandInState
from ._validate import check_message

SETTABLE_FLAGS = 4 | EPHEMERAL | 4096 | 32768  # suppress embeds, ephemeral, silent, components v2
EDITABLE_FLAGS = 4 | 32768
DEFAULT, REPLY, CHAT_INPUT_COMMAND = 0, 19, 20


def _embeds(raw: Any) -> list[dict[str, Any]]:
    out = []
    for embed in raw or []:
        e = dict(embed)
        e.setdefault("type", "rich")
        out.append(e)
    return out


def _attachments(
    state: StandInState,
    channel_id: int,
    body: dict[str, Any],
    files: list[Upload],
    keep: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Attachments after this request: kept existing ones (by id) plus the uploaded files."""
    described = {str(a.get("id")): a for a in body.get("attachments") or []}
    out: list[dict[str, Any]] = []
    if keep is not None:
        if "attachments" in body:
            out = [a for a in keep if str(a["id"]) in described]
        else:
            out = list(keep)
    for upload in files:
        meta = described.get(str(upload.index), {})
        attachment_id = state.new_id()
        filename = meta.get("filename") or upload.filename
        url = f"{state.cdn_base}/attachments/{channel_id}/{attachment_id}/{filename}"
        item: dict[str, Any] = {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(upload.data),
            "url": url,
            "proxy_url": url,
            "content_type": upload.content_type or None,
        }
        if meta.get("description"):
            item["description"] = meta["description"]
        out.append(item)
        state.attachment_data[attachment_id] = upload.data
    return out


def _reference(raw: dict[str, Any], channel_id: int, guild_id: int | None) -> dict[str, Any]:
    """A message reference as Discord stores it: snowflakes as strings."""
    out: dict[str, Any] = {"type": int(raw.get("type") or 0), "channel_id": str(raw.get("channel_id") or channel_id)}
    if raw.get("message_id") is not None:
        out["message_id"] = str(raw["message_id"])
    if raw.get("guild_id") is not None or guild_id is not None:
        out["guild_id"] = str(raw.get("guild_id") or guild_id)
    return out


def new_message(
    state: StandInState,
    channel_id: int,
    author_id: int,
    body: dict[str, Any],
    files: list[Upload] | None = None,
    *,
    interaction_id: int | None = None,
    webhook: bool = False,
    msg_type: int = DEFAULT,
    extra_flags: int = 0,
    validate: bool = True,
) -> MessageRecord:
    """Validate and store a new message (not yet announced over the gateway)."""
    files = files or []
    if validate:
        check_message(body, attachments=len(files))
    reference = body.get("message_reference")
    if reference and msg_type == DEFAULT:
        msg_type = REPLY
    rec = MessageRecord(
        id=state.new_id(),
        channel_id=channel_id,
        author_id=author_id,
        content=str(body.get("content") or ""),
        embeds=_embeds(body.get("embeds")),
        components=list(body.get("components") or []),
        flags=(int(body.get("flags") or 0) & SETTABLE_FLAGS) | extra_flags,
        allowed_mentions=body.get("allowed_mentions"),
        interaction_id=interaction_id,
        guild_id=state.guild_id_of(channel_id),
        type=msg_type,
        webhook_id=state.application_id if webhook else None,
        message_reference=_reference(reference, channel_id, state.guild_id_of(channel_id))
        if isinstance(reference, dict)
        else None,
        nonce=None if body.get("nonce") is None else str(body["nonce"]),
        created_at=state.now(),
        client=requesting_client.get(),
    )
    rec.attachments = _attachments(state, channel_id, body, files)
    return state.add_message(rec)


def apply_edit(
    state: StandInState, rec: MessageRecord, body: dict[str, Any], files: list[Upload] | None = None
) -> MessageRecord:
    """PATCH semantics: only the keys present change; a deferred (loading) message gets filled in."""
    check_message(body, partial=True)
    was_loading = rec.loading
    if "content" in body:
        rec.content = str(body["content"] or "")
    if "embeds" in body:
        rec.embeds = _embeds(body["embeds"])
    if "components" in body:
        rec.components = list(body["components"] or [])
    if "allowed_mentions" in body:
        rec.allowed_mentions = body["allowed_mentions"]
    if "flags" in body and body["flags"] is not None:
        rec.flags = (rec.flags & ~EDITABLE_FLAGS) | (int(body["flags"]) & EDITABLE_FLAGS)
    if "attachments" in body or files:
        rec.attachments = _attachments(state, rec.channel_id, body, files or [], keep=rec.attachments)
    rec.flags &= ~LOADING
    if not was_loading:
        rec.edited = True
        rec.edited_at = state.now()
    return rec
